"""The database engine and sessions, shared by web requests and worker threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from backend.config import normalize_database_url

# How long a writer waits for SQLite's lock (its busy timeout), and for its turn in the process.
_LOCK_WAIT_S = 30.0
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLAC"})


class Database:
    """An engine and a session factory; each thread opens its own short sessions."""

    def __init__(self, url: str) -> None:
        self.url = normalize_database_url(url)
        self.engine = _make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Worker threads and several gunicorn processes share the file: wait for locks
    # instead of failing at once.
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    writers = _Writers()
    event.listen(engine, "before_cursor_execute", writers.before_execute)
    event.listen(engine, "checkin", writers.checked_in)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the pollers read while a worker writes; busy_timeout covers lock waits.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(_LOCK_WAIT_S * 1000)}")
    cursor.close()


class _Writers:
    """This process's write transactions on one SQLite file take turns on a lock of ours.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps 1, 2,
    5, 10 ... up to 100 ms between looks however soon the file is free: with 100 jobs ending at
    once from 8 threads, `finish()` (a ~2 ms write) took up to 240 ms at p99, and each job's push
    as long (bench/push.py). Here a thread about to write first waits for the previous writer of
    the process to give its connection back, and starts the moment it does. Readers never wait
    (WAL); other processes (the other web worker, `make worker`) still meet at SQLite's lock.

    The turn is the thread's: taken at its first INSERT, UPDATE or DELETE, given back when the
    connection it wrote on returns to the pool (after the commit or rollback), not when another
    does (a read in between would hand the turn on while SQLite's lock is still this thread's). A
    thread writing on a second connection while it holds the turn goes ahead as before, and after
    `_LOCK_WAIT_S` a writer goes ahead anyway: a missed give-back can slow writes down, never
    stop them.
    """

    def __init__(self) -> None:
        self._turn = threading.Lock()
        self._held = threading.local()  # .connection: the DBAPI connection holding the turn

    def before_execute(
        self, _conn: Any, cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if getattr(self._held, "connection", None) is not None:
            return
        if statement.lstrip()[:6].upper() in _WRITES and self._turn.acquire(timeout=_LOCK_WAIT_S):
            self._held.connection = cursor.connection

    def checked_in(self, dbapi_connection: Any, _record: Any) -> None:
        held = getattr(self._held, "connection", None)
        # None: a connection given back invalidated, whichever it was.
        if held is not None and (dbapi_connection is None or dbapi_connection is held):
            self._held.connection = None
            self._turn.release()
