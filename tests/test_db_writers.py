"""SQLite writers of one process take turns on a lock of ours, not in SQLite's busy handler."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from backend import db as db_module
from backend.db import Database


@pytest.fixture
def database(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'writers.db'}")
    with database.session() as session:
        session.execute(text("CREATE TABLE notes (n INTEGER)"))
    return database


def _no_busy_wait(database: Database) -> None:
    """New connections give up at once on SQLite's lock: meeting it is an error, not a wait."""
    database.dispose()

    def no_wait(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    event.listen(database.engine, "connect", no_wait)


def _write(database: Database, n: int) -> None:
    with database.session() as session:
        session.execute(text("INSERT INTO notes VALUES (:n)"), {"n": n})


def _start_writer(database: Database, n: int) -> tuple[threading.Thread, list[BaseException]]:
    """A thread writing `n`, started, and what it raises: with SQLite's busy timeout at 0,
    "database is locked" if it met SQLite's lock instead of waiting for its turn."""
    errors: list[BaseException] = []

    def write() -> None:
        try:
            _write(database, n)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    return thread, errors


def test_a_second_writer_waits_its_turn_without_meeting_sqlites_lock(database: Database) -> None:
    _no_busy_wait(database)
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with database.session() as session:
            session.execute(text("INSERT INTO notes VALUES (1)"))
            holding.set()  # SQLite's write lock is this connection's until the commit
            release.wait(10)

    writer = threading.Thread(target=first)
    writer.start()
    assert holding.wait(10)
    waiting, errors = _start_writer(database, 2)
    waiting.join(0.3)
    assert waiting.is_alive() and not errors  # waiting for its turn, not failed
    release.set()
    writer.join(10)
    waiting.join(10)
    assert not errors
    with database.session() as session:
        assert sorted(session.execute(text("SELECT n FROM notes")).scalars()) == [1, 2]


def test_readers_do_not_wait_for_a_writer(database: Database) -> None:
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with database.session() as session:
            session.execute(text("INSERT INTO notes VALUES (1)"))
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=first)
    writer.start()
    try:
        assert holding.wait(10)
        read: list[int] = []
        reader = threading.Thread(
            target=lambda: read.append(_count(database)), name="reader", daemon=True
        )
        reader.start()
        reader.join(10)
        assert read == [0]  # answered from the last commit while the writer holds its turn
    finally:
        release.set()
        writer.join(10)
    assert _count(database) == 1


def _count(database: Database) -> int:
    with database.session() as session:
        return int(session.execute(text("SELECT count(*) FROM notes")).scalar_one())


def test_a_turn_never_given_back_slows_writers_down_but_never_stops_them(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "_LOCK_WAIT_S", 0.05)
    writers = db_module._Writers()
    cursor = database.engine.raw_connection().cursor()
    taker = threading.Thread(target=writers.before_execute, args=(None, cursor, "INSERT INTO x"))
    taker.start()
    taker.join(10)  # took the turn and ended without returning its connection
    done = threading.Event()

    def write() -> None:
        writers.before_execute(None, cursor, "UPDATE x SET n = 1")
        writers.checked_in(cursor.connection, None)
        done.set()

    threading.Thread(target=write, daemon=True).start()
    assert done.wait(10)


def test_a_burst_of_writers_from_many_threads_all_commit(database: Database) -> None:
    threads = [threading.Thread(target=_write, args=(database, n)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert _count(database) == 32


def test_a_read_in_between_does_not_hand_the_turn_on(database: Database) -> None:
    _no_busy_wait(database)
    read_done, release = threading.Event(), threading.Event()

    def first() -> None:
        with database.session() as session:
            session.execute(text("INSERT INTO notes VALUES (1)"))
            _count(database)  # another connection, given back while this one still writes
            read_done.set()
            release.wait(10)
            session.execute(text("INSERT INTO notes VALUES (2)"))

    writer = threading.Thread(target=first)
    writer.start()
    assert read_done.wait(10)
    waiting, errors = _start_writer(database, 3)  # fails if the read handed the turn on
    waiting.join(0.3)
    release.set()
    writer.join(10)
    waiting.join(10)
    assert not errors
    assert _count(database) == 3
