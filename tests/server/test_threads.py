"""The web worker's request threads (backend/server/threads.py): started up front, warm first."""

from __future__ import annotations

import threading

import pytest

from backend.server.threads import WarmThreadPool
from tests.helpers import wait_for


def test_every_thread_is_running_before_the_first_request() -> None:
    pool = WarmThreadPool(16, name="warm-test")
    try:
        names = {t.name for t in threading.enumerate()}
        assert pool.size == 16
        assert {f"warm-test-{n}" for n in range(16)} <= names
    finally:
        pool.shutdown()


def test_the_thread_idle_last_serves_the_next_request() -> None:
    pool = WarmThreadPool(8)
    try:
        served = []
        for _ in range(20):
            # Each request comes once every thread is idle again, as polls do below capacity.
            wait_for(lambda: pool.idle == 8, timeout=10, what="the threads idle")
            served.append(pool.submit(lambda: threading.current_thread().name).result(10))
        # One thread serves them all; a queue would have handed them to each of the 8 in turn.
        assert len(set(served)) == 1
    finally:
        pool.shutdown()


def test_work_beyond_the_threads_waits_for_one_in_the_order_it_came() -> None:
    pool = WarmThreadPool(1)
    release = threading.Event()
    try:
        blocker = pool.submit(release.wait, 10)
        done: list[int] = []
        queued = [pool.submit(done.append, n) for n in range(5)]
        assert not any(f.done() for f in queued)  # the one thread is held
        release.set()
        for future in [blocker, *queued]:
            future.result(10)
        assert done == list(range(5))
    finally:
        pool.shutdown()


def test_an_exception_reaches_the_future_and_the_thread_serves_on() -> None:
    pool = WarmThreadPool(1)
    try:
        with pytest.raises(ZeroDivisionError):
            pool.submit(lambda: 1 / 0).result(10)
        assert pool.submit(lambda: 42).result(10) == 42
    finally:
        pool.shutdown()


def test_shutdown_runs_what_was_given_and_refuses_more() -> None:
    pool = WarmThreadPool(1, name="shutdown-test")
    release = threading.Event()
    first = pool.submit(release.wait, 10)
    second = pool.submit(lambda: "ran")
    cancelled_pool = WarmThreadPool(1, name="shutdown-test")
    held = cancelled_pool.submit(release.wait, 10)
    dropped = cancelled_pool.submit(lambda: "never")
    cancelled_pool.shutdown(wait=False, cancel_futures=True)
    release.set()
    pool.shutdown(wait=True)
    assert first.result(0) is True and second.result(0) == "ran"
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)
    assert held.result(10) is True
    assert dropped.cancelled()
    cancelled_pool.shutdown(wait=True)
    assert not any(
        t.name.startswith("shutdown-test-") and t.is_alive() for t in threading.enumerate()
    )
