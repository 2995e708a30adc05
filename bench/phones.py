"""Simulated phones: each polls its job every few seconds over its own keep-alive connection.

One asyncio loop drives them all with raw HTTP/1.1, which costs far less CPU per request than
a client library, so on a 2-core machine the load generator takes little from the server.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")

CONNECT_AHEAD_S = 0.1


@dataclass(frozen=True)
class Phone:
    token: str
    job_id: str


@dataclass
class Sample:
    request_id: int
    lag: float  # how late the request left compared with its schedule (s)
    sent: float
    done: float
    status: int

    @property
    def latency(self) -> float:
        return self.done - self.sent


@dataclass
class LoadResult:
    samples: list[Sample] = field(default_factory=list)
    errors: int = 0
    reconnects: int = 0


def _request(port: int, phone: Phone, request_id: int) -> bytes:
    return (
        f"GET /api/jobs/{phone.job_id} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {phone.token}\r\n"
        f"X-Request-Id: {request_id}\r\n\r\n"
    ).encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, keep-alive?) of one response with a Content-Length, read to its end."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    length, keep = 0, True
    for line in lines[1:]:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "content-length":
            length = int(value)
        elif key == "connection" and value.strip().lower() == "close":
            keep = False
    await reader.readexactly(length)
    return status, keep


async def _phone(
    port: int,
    phone: Phone,
    planned: float,
    end: float,
    interval: float,
    ids: itertools.count[int],
    result: LoadResult,
) -> None:
    # A phone connects when it starts polling (as an app does when it opens), so connections
    # arrive spread out and the kernel shares them between the gunicorn workers as it would.
    await asyncio.sleep(max(0.0, planned - CONNECT_AHEAD_S - time.monotonic()))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while planned < end:
            delay = planned - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            request_id = next(ids)
            sent = time.monotonic()
            try:
                writer.write(_request(port, phone, request_id))
                status, keep = await asyncio.wait_for(_read_response(reader), 30)
            except (OSError, asyncio.IncompleteReadError, TimeoutError):
                status, keep = 0, False
            done = time.monotonic()
            result.samples.append(Sample(request_id, sent - planned, sent, done, status))
            if status != 200:
                result.errors += 1
            if not keep:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                result.reconnects += 1
            planned += interval
    finally:
        writer.close()


async def _run(
    port: int,
    phones: list[Phone],
    seconds: float,
    interval: float,
    beside: Callable[[], Awaitable[T]] | None,
    first_id: int,
) -> tuple[LoadResult, T | None]:
    result = LoadResult()
    ids = itertools.count(first_id)
    start = time.monotonic() + 0.5
    end = start + seconds
    other = asyncio.ensure_future(beside()) if beside is not None else None
    # Phones are not in step: their first polls are spread evenly over one interval.
    await asyncio.gather(
        *(
            _phone(port, phone, start + interval * n / len(phones), end, interval, ids, result)
            for n, phone in enumerate(phones)
        )
    )
    return result, (await other if other is not None else None)


def poll(
    port: int,
    phones: list[Phone],
    seconds: float,
    interval: float,
    beside: Callable[[], Awaitable[T]] | None = None,
    first_id: int = 1,
) -> tuple[LoadResult, T | None]:
    """Every phone polls its job every `interval` seconds for `seconds`, beside other load.

    Request ids (X-Request-Id, to find each request in the access log) start at `first_id`.
    """
    return asyncio.run(_run(port, phones, seconds, interval, beside, first_id))
