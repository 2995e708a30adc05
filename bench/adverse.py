"""Hostile and unlucky clients, run beside the polling phones: what a cell network sends.

- stalled uploads: an upload's headers and 64 KiB, then nothing (the phone went into a tunnel);
- stalled anonymous bodies: `POST /api/auth/login` announcing 60 kB and sending 11 bytes;
- slow uploads: a phone sending at 64 KiB/s, never pausing longer than a quarter second;
- health probes: `GET /api/health` on a fresh connection twice a second, as a load balancer.
A stalled client whose connection the server drops connects and stalls again, so the pressure
lasts the whole window.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

SLOW_RATE = 64 * 1024
SLOW_PIECE = SLOW_RATE // 4
PROBE_EVERY_S = 0.5


@dataclass
class AdverseCounts:
    stalled_dropped: int = 0  # stalled connections the server closed (and that reconnected)
    slow_accepted: int = 0  # slow uploads answered 202 after their last byte
    slow_cut: int = 0  # slow uploads the server cut or refused: must stay 0
    probes: list[tuple[float, int]] = field(default_factory=list)  # (latency s, status)


async def _status_of(reader: asyncio.StreamReader) -> int:
    line = await reader.readline()
    return int(line.split()[1]) if line.startswith(b"HTTP/") else 0


async def _stall(port: int, head: bytes, first: bytes, end: float, counts: AdverseCounts) -> None:
    while time.monotonic() < end:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head + first)
            await writer.drain()
            # Nothing more is sent; wait for the server to give up on us, or the window to end.
            await asyncio.wait_for(reader.read(), max(0.1, end - time.monotonic()))
            counts.stalled_dropped += 1
            writer.close()
        except (TimeoutError, OSError):
            return


async def _slow_upload(
    port: int, token: str, body: bytes, end: float, counts: AdverseCounts
) -> None:
    head = (
        f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: video/mp4\r\nX-Filename: slow.mp4\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    try:
        for start in range(0, len(body), SLOW_PIECE):
            if time.monotonic() > end:
                return  # still sending when the window closed: neither accepted nor cut
            writer.write(body[start : start + SLOW_PIECE])
            await writer.drain()
            await asyncio.sleep(SLOW_PIECE / SLOW_RATE)  # the phone's pace
        status = await asyncio.wait_for(_status_of(reader), 30)
        if status == 202:
            counts.slow_accepted += 1
        else:
            counts.slow_cut += 1
    except (OSError, TimeoutError):
        counts.slow_cut += 1
    finally:
        writer.close()


async def _probe(port: int, end: float, counts: AdverseCounts) -> None:
    request = f"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request.encode())
            status = await asyncio.wait_for(_status_of(reader), 10)
            writer.close()
        except (OSError, TimeoutError):
            status = 0
        counts.probes.append((time.monotonic() - started, status))
        await asyncio.sleep(max(0.0, started + PROBE_EVERY_S - time.monotonic()))


async def adverse_load(
    port: int,
    token: str,
    video_head: bytes,
    seconds: float,
    *,
    stalled_uploads: int = 100,
    stalled_anonymous: int = 100,
    slow_uploads: int = 50,
) -> AdverseCounts:
    """Run every adverse client for `seconds`; the counts say how the server treated them."""
    counts = AdverseCounts()
    end = time.monotonic() + seconds
    upload_head = (
        f"POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: video/mp4\r\n"
        f"Content-Length: {100 * 1024 * 1024}\r\n\r\n"
    ).encode()
    login_head = (
        f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
    ).encode()
    # Each slow upload is distinct (no deduplication) and ends inside the window.
    size = int(SLOW_RATE * seconds * 0.6)
    tasks = [
        *(
            _stall(port, upload_head, video_head + bytes(64 * 1024), end, counts)
            for _ in range(stalled_uploads)
        ),
        *(_stall(port, login_head, b'{"email": "', end, counts) for _ in range(stalled_anonymous)),
        *(
            _slow_upload(port, token, video_head + n.to_bytes(8, "big") + bytes(size), end, counts)
            for n in range(slow_uploads)
        ),
        _probe(port, end, counts),
    ]
    await asyncio.gather(*tasks)
    return counts
