"""Waiting for a job to change without holding a database connection while waiting."""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from backend.errors import NotFound
from backend.jobs.documents import job_document
from backend.jobs.store import JobStore
from backend.models.status import TERMINAL

# Changes made in other processes are only seen by re-reading the row this often.
REREAD_S = 1.0
STREAM_MAX_S = 600.0


def read_document(
    store: JobStore, job_id: str, user_id: int, *, with_result: bool = False
) -> dict[str, Any]:
    """One short session: read the job, turn it into its document, let the connection go."""
    with store.db.session() as session:
        return job_document(store.get_for_user(session, job_id, user_id), with_result=with_result)


def wait_for_change(
    store: JobStore,
    job_id: str,
    user_id: int,
    seen: dict[str, Any] | None,
    timeout: float,
    *,
    with_result: bool = False,
) -> dict[str, Any]:
    """The job's document once it differs from `seen` (or ends), or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        version = store.changes.version(job_id)
        doc = read_document(store, job_id, user_id, with_result=with_result)
        if seen is None or _key(doc) != _key(seen) or doc["status"] in TERMINAL:
            return doc
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return doc
        store.changes.wait(job_id, version, min(remaining, REREAD_S))


def wait_until_done(store: JobStore, job_id: str, user_id: int, timeout: float) -> dict[str, Any]:
    """The job's document (with result) once it ended, or as it is after `timeout`."""
    deadline = time.monotonic() + timeout
    doc = read_document(store, job_id, user_id, with_result=True)
    while doc["status"] not in TERMINAL and (remaining := deadline - time.monotonic()) > 0:
        doc = wait_for_change(store, job_id, user_id, doc, remaining, with_result=True)
    return doc


@contextmanager
def waiting_slot(store: JobStore) -> Iterator[bool]:
    """One of the process's few slots for a request that waits; False when none is free."""
    got = store.changes.waiters.acquire(blocking=False)
    try:
        yield got
    finally:
        if got:
            store.changes.waiters.release()


@dataclass(frozen=True)
class StreamEvent:
    """One thing a job's stream tells: `job`, `end` (with the document), `deleted`, `unchanged`.

    `unchanged` comes when nothing happened for a while: a sign of life for proxies and clients.
    """

    kind: Literal["job", "end", "deleted", "unchanged"]
    doc: dict[str, Any] | None = None


def job_stream(store: JobStore, job_id: str, user_id: int) -> Generator[StreamEvent, None, None]:
    """The job's document on every change, until it ends (api/live.py makes the frames).

    The caller holds a waiting slot for the stream; it is released when the stream closes.
    A stream lasts at most STREAM_MAX_S (EventSource reconnects by itself) and ends when the
    job is deleted.
    """
    doc: dict[str, Any] | None = None
    closes_at = time.monotonic() + STREAM_MAX_S
    try:
        while time.monotonic() < closes_at:
            try:
                fresh = wait_for_change(store, job_id, user_id, doc, 15.0)
            except NotFound:
                yield StreamEvent("deleted")
                return
            if doc is not None and _key(fresh) == _key(doc):
                yield StreamEvent("unchanged")
                continue
            doc = fresh
            ended = doc["status"] in TERMINAL
            yield StreamEvent("end" if ended else "job", doc)
            if ended:
                return
    finally:
        store.changes.waiters.release()


def _key(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (doc["status"], doc["phase"], doc["progress"], doc["message"])
