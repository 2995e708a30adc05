"""The HTTP of waiting for a job: the `Prefer: wait=N` header and Server-Sent Events frames."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from contextlib import closing

from backend.jobs.watch import StreamEvent

MAX_WAIT_S = 30.0


def prefer_wait(header: str | None) -> float | None:
    """The N of an RFC 7240 `Prefer: wait=N` header, capped at 30 s; None when absent."""
    match = re.search(r"(?:^|[,;\s])wait\s*=\s*(\d+(?:\.\d+)?)", header or "", re.ASCII)
    return min(float(match.group(1)), MAX_WAIT_S) if match else None


def sse_frames(events: Generator[StreamEvent, None, None]) -> Iterator[str]:
    """One frame per event; closing the frames closes the events (which frees their slot)."""
    with closing(events):
        for event in events:
            if event.kind == "unchanged":
                yield ": keep-alive\n\n"  # lets proxies and clients see the stream is alive
                continue
            data = json.dumps(event.doc or {}, separators=(",", ":"))
            yield f"event: {event.kind}\ndata: {data}\n\n"
