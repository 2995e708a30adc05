"""Errors that are not the request's or the video's fault: the database blinked.

A connection cut by a database restart or failover, a lock that timed out, a pool with no free
connection: the same statement succeeds a moment later. The job path retries these with
back-off (a job never fails for them), and the HTTP layer answers 503 with Retry-After.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long the job path keeps retrying one write before it gives up on it.
DEFAULT_PATIENCE_S = 120.0


def is_transient(error: BaseException) -> bool:
    """True for a database error that a retry a moment later may not meet again."""
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def retry_transient(
    action: Callable[[], T],
    what: str,
    patience_s: float = DEFAULT_PATIENCE_S,
    stop: threading.Event | None = None,
) -> T:
    """Run `action`, retrying transient database errors with back-off for up to `patience_s`."""
    deadline = time.monotonic() + patience_s
    pause = 0.1
    waiter = stop or threading.Event()
    while True:
        try:
            return action()
        except Exception as error:
            if not is_transient(error) or time.monotonic() + pause > deadline:
                raise
            log.warning("%s: database unavailable (%s); retrying in %.1f s", what, error, pause)
        if waiter.wait(pause) and stop is not None:
            raise DatabaseUnavailable(f"{what}: stopped while the database was unavailable")
        pause = min(pause * 2, 5.0)


class DatabaseUnavailable(Exception):
    """Retrying was given up (a stop): the caller leaves the job for the lease to recover."""
