"""Which addresses a URL job may connect to: public ones, however they are spelt."""

from __future__ import annotations

import ipaddress

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes whose last 32 bits are an IPv4 address that a gateway (or the kernel) may
# connect to: v4-compatible (::a.b.c.d, deprecated), SIIT (::ffff:0:a.b.c.d) and NAT64.
_LAST_32_BITS_IPV4 = tuple(
    ipaddress.IPv6Network(prefix) for prefix in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96")
)
# Refused outright: where the IPv4 address sits (if anywhere) is up to a local operator
# (RFC 8215 local-use NAT64), or is obfuscated (Teredo); no video host lives there.
_NEVER = tuple(ipaddress.IPv6Network(prefix) for prefix in ("64:ff9b:1::/48", "2001::/32"))


def is_public(address: IpAddress) -> bool:
    """False for private, loopback, link-local, site-local, multicast, reserved and unspecified
    addresses, also when an IPv6 address maps or embeds such an IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address.is_site_local or any(address in net for net in _NEVER):
            return False
        embedded = address.sixtofour or _last_32_bits_ipv4(address)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def _last_32_bits_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if any(address in net for net in _LAST_32_BITS_IPV4):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
