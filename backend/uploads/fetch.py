"""Fetching a video from a URL: streamed, size-limited, SSRF-safe, sniffed like an upload."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from backend.analysis.errors import AnalysisCancelled, AnalysisError
from backend.errors import BadRequest, FileTooLarge, UnsupportedMediaType
from backend.uploads.addresses import IpAddress, is_public
from backend.uploads.decoding import Decoder, decoder_for
from backend.uploads.receive import CHUNK, ReceivedVideo, clean_filename
from backend.uploads.writer import VideoWriter

FETCH_FAILED, NOT_A_VIDEO, TOO_LARGE = "fetch_failed", "not_a_video", "too_large"


class FetchError(AnalysisError):
    """The video could not be fetched; `code` is the job's error code."""


@dataclass(frozen=True)
class FetchSettings:
    limit_bytes: int
    # Hosts (names or addresses, lower case) that may resolve to private addresses.
    allow_hosts: frozenset[str] = frozenset()
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 30.0
    max_redirects: int = 3
    # The whole download (redirects included) ends within this; once the read timeout has
    # passed, it must have come at this average rate at least (a drip is cut, not waited for).
    deadline_s: float = 1800.0
    min_rate_bytes_s: int = 32 * 1024


@dataclass(frozen=True)
class Target:
    """A checked URL: the address it resolved to is the one connected to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IpAddress

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def _resolve(host: str, port: int) -> list[IpAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError(FETCH_FAILED, f"The host {host} could not be found.") from None
    found: list[IpAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise FetchError(FETCH_FAILED, f"The host {host} could not be found.")
    return found


def check_url(url: str, settings: FetchSettings) -> Target:
    """Parse, resolve and check a URL; every address it resolves to must be allowed."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError(FETCH_FAILED, "The address is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(FETCH_FAILED, "Only http:// and https:// addresses can be fetched.")
    if parts.username or parts.password:
        raise FetchError(FETCH_FAILED, "Addresses with a user name or password are not accepted.")
    host = parts.hostname.lower()
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if host not in settings.allow_hosts and not all(is_public(a) for a in addresses):
        raise FetchError(
            FETCH_FAILED,
            f"The address {host} leads to a private or local network, which is not allowed.",
        )
    return Target(url, parts.scheme, host, port, addresses[0])


class PinnedAdapter(HTTPAdapter):
    """Connects to the address that was checked, not to what a second DNS lookup might say.

    Every socket it opens is handed to `on_socket` (the fetch's watchdog) as soon as it exists.
    """

    def __init__(self, target: Target, on_socket: Callable[[socket.socket], None]) -> None:
        self.target = target
        self.on_socket = on_socket
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(
        self, request: Any, verify: Any, proxies: Any = None, cert: Any = None
    ) -> Any:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        host_params = {**host_params, "host": str(self.target.address)}
        if host_params["scheme"] == "https":
            # The certificate and SNI are still those of the host name.
            pool_kwargs = {  # type: ignore[typeddict-unknown-key]
                **pool_kwargs,
                "server_hostname": self.target.host,
                "assert_hostname": self.target.host,
            }
        pool = self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)
        # The pool is this adapter's own (one adapter per hop), so its class may be swapped.
        pool.ConnectionCls = _reporting(pool.ConnectionCls, self.on_socket)
        return pool


def _reporting(base: Any, on_socket: Callable[[socket.socket], None]) -> Any:
    """`base`, a urllib3 connection class, telling `on_socket` of each socket it opens."""
    if getattr(base, "on_socket", None) is on_socket:
        return base

    class Reporting(base):  # type: ignore[misc, valid-type]
        def _new_conn(self) -> socket.socket:
            sock: socket.socket = super()._new_conn()
            on_socket(sock)
            return sock

    Reporting.on_socket = on_socket
    return Reporting


def name_from_url(url: str) -> str:
    return clean_filename(unquote(urlsplit(url).path.rsplit("/", 1)[-1]), "video")


Progress = Callable[[int, int | None], None]


def fetch_video(
    url: str,
    directory: Path,
    settings: FetchSettings,
    on_progress: Progress,
    should_stop: Callable[[], bool],
) -> ReceivedVideo:
    """Download `url` into `directory` as an upload would be stored; FetchError if it cannot."""
    clock = _Clock(settings)
    with _Watchdog(clock, should_stop) as watchdog:
        try:
            return _fetch(url, directory, settings, on_progress, should_stop, clock, watchdog)
        except (FetchError, requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            # Whatever a cut connection looked like to the reader, say why it was cut.
            watchdog.check()
            raise


def _fetch(
    url: str,
    directory: Path,
    settings: FetchSettings,
    on_progress: Progress,
    should_stop: Callable[[], bool],
    clock: _Clock,
    watchdog: _Watchdog,
) -> ReceivedVideo:
    current = url
    with requests.Session() as http:
        http.trust_env = False  # an environment proxy would connect to what it resolves
        for _hop in range(settings.max_redirects + 1):
            clock.received(0)  # a slow redirect chain counts toward the deadline too
            target = check_url(current, settings)
            http.mount(f"{target.scheme}://", PinnedAdapter(target, watchdog.watch))
            try:
                response = http.get(
                    current,
                    stream=True,
                    allow_redirects=False,
                    timeout=(settings.connect_timeout_s, settings.read_timeout_s),
                    headers={
                        "Host": target.host_header,
                        "Accept": "video/*, */*;q=0.1",
                        # A compressed body could unpack to far more than it weighs on the
                        # wire; what a server compresses anyway is unpacked within the limit.
                        "Accept-Encoding": "identity",
                    },
                )
            except requests.RequestException as error:
                raise FetchError(FETCH_FAILED, _network_reason(error)) from None
            with response:
                if response.is_redirect:
                    current = urljoin(current, response.headers["Location"])
                    continue
                if response.status_code != 200:
                    raise FetchError(
                        FETCH_FAILED,
                        f"The server answered {response.status_code} instead of the video.",
                    )
                return _store(
                    response, directory, settings, on_progress, should_stop, url, clock, watchdog
                )
    raise FetchError(
        FETCH_FAILED, f"The address redirected more than {settings.max_redirects} times."
    )


def _store(
    response: requests.Response,
    directory: Path,
    settings: FetchSettings,
    on_progress: Progress,
    should_stop: Callable[[], bool],
    url: str,
    clock: _Clock,
    watchdog: _Watchdog,
) -> ReceivedVideo:
    limit_mb = settings.limit_bytes // (1024 * 1024)
    try:
        total: int | None = int(response.headers.get("Content-Length", "")) or None
    except ValueError:
        total = None
    decoder = decoder_for(response.headers.get("Content-Encoding"))
    if total is not None and total > settings.limit_bytes and decoder.identity:
        raise FetchError(TOO_LARGE, f"The video is larger than the limit of {limit_mb} MB.")
    writer = VideoWriter(directory, settings.limit_bytes)
    try:
        # read1, not iter_content: it hands over what has arrived instead of waiting for a
        # full chunk, so a slow server's progress shows and should_stop is asked often. The
        # body is decoded here, not by urllib3, so that no more than a chunk is ever unpacked
        # at once and every unpacked byte counts toward the limit.
        while chunk := response.raw.read1(CHUNK, decode_content=False):
            clock.received(len(chunk))
            _write_decoded(decoder, chunk, writer, should_stop)
            on_progress(writer.size, total if decoder.identity else None)
        # A connection the watchdog cut can look like the end of a body without a length.
        watchdog.check()
        _write_decoded(decoder, b"", writer, should_stop, final=True)
        path, digest, container = writer.finish()
    except FileTooLarge:
        writer.discard()
        raise FetchError(
            TOO_LARGE, f"The video is larger than the limit of {limit_mb} MB."
        ) from None
    except UnsupportedMediaType:
        writer.discard()
        raise FetchError(
            NOT_A_VIDEO, "The address did not return a video we can read (MP4, MOV, WebM, ...)."
        ) from None
    except BadRequest:
        writer.discard()
        raise FetchError(NOT_A_VIDEO, "The address returned an empty file.") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError) as error:
        writer.discard()
        raise FetchError(FETCH_FAILED, _network_reason(error)) from None
    except BaseException:
        writer.discard()
        raise
    return ReceivedVideo(path, name_from_url(url), writer.size, digest, container)


def _write_decoded(
    decoder: Decoder,
    data: bytes,
    writer: VideoWriter,
    should_stop: Callable[[], bool],
    *,
    final: bool = False,
) -> None:
    for piece in decoder.decode(data, CHUNK, final=final):
        if should_stop():
            raise AnalysisCancelled()
        writer.write(piece)


class _Clock:
    """The download's deadline and minimum average rate, from its first request on."""

    def __init__(self, settings: FetchSettings) -> None:
        self.settings = settings
        self.started = time.monotonic()
        self.bytes = 0

    def expired(self) -> bool:
        return time.monotonic() - self.started > self.settings.deadline_s

    def deadline_error(self) -> FetchError:
        return FetchError(
            FETCH_FAILED,
            f"The download took longer than the limit of {self.settings.deadline_s:g} seconds.",
        )

    def received(self, size: int) -> None:
        self.bytes += size
        elapsed = time.monotonic() - self.started
        if elapsed > self.settings.deadline_s:
            raise self.deadline_error()
        # The read timeout is how long a server may be silent; past it, a trickle is cut.
        rate = self.bytes / elapsed if elapsed > 0 else float("inf")
        if elapsed > self.settings.read_timeout_s and rate < self.settings.min_rate_bytes_s:
            raise FetchError(
                FETCH_FAILED,
                f"The server sent the video too slowly ({rate / 1024:.1f} KB/s; at least "
                f"{self.settings.min_rate_bytes_s / 1024:g} KB/s is needed).",
            )


class _Watchdog:
    """Cuts the fetch's connections once the deadline passes or the job must stop.

    The clock is otherwise asked only between reads, and a read can last far longer than the
    read timeout: http.client skips any number of `100 Continue` answers and reads 100 header
    lines of 64 KiB, each byte within the timeout. Shutting the socket down makes any read
    blocked on it return at once, whatever is reading.
    """

    TICK_S = 0.1

    def __init__(self, clock: _Clock, should_stop: Callable[[], bool]) -> None:
        self.clock = clock
        self.should_stop = should_stop
        self.reason: str | None = None  # "deadline" or "stop", once it has cut
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="clipscope-fetch-watch")

    def __enter__(self) -> _Watchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def watch(self, sock: socket.socket) -> None:
        # A descriptor of our own on the same connection: TLS detaches the original while it
        # wraps it, and ours cannot be closed and reused for another file while we hold it.
        copy = sock.dup()
        with self._lock:
            self._sockets.append(copy)
            cut = self.reason is not None
        if cut:
            _shut(copy)

    def check(self) -> None:
        """Raise what made it cut the connection, if it did."""
        if self.reason == "deadline":
            raise self.clock.deadline_error()
        if self.reason == "stop":
            raise AnalysisCancelled()

    def _loop(self) -> None:
        while not self._done.wait(self.TICK_S):
            if self.clock.expired():
                reason = "deadline"
            elif self.should_stop():
                reason = "stop"
            else:
                continue
            with self._lock:
                self.reason = reason
                sockets = list(self._sockets)
            for sock in sockets:
                _shut(sock)
            return


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):  # already closed by the other end
        sock.shutdown(socket.SHUT_RDWR)


def _network_reason(error: Exception) -> str:
    timeouts = (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
    if isinstance(error, timeouts):
        return "The server took too long to answer."
    return "The video could not be downloaded (the connection failed or was cut)."
