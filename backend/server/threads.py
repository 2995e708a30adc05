"""The request threads of a web worker: all started up front, the most recently idle one first.

gthread's pool is a `ThreadPoolExecutor`, which starts a thread when no idle one is there, from
the event loop's thread, which then waits for it to run: a burst of new connections (a hundred
phones back in coverage) held up every poll of the process while the pool grew. Starting all of
them up front fixed that, but the executor's idle threads wait in one queue and are woken in
turn, so with 256 of them each poll ran on the thread idle the longest, its stack and state long
out of the CPU's caches: about a tenth of a poll's CPU on our 2-core machine (docs/performance.md,
"The request threads, warm first"). Here the thread that finished last takes the next request:
below capacity the same few warm threads serve, and the rest wait for a burst.

The threads are daemons: past gunicorn's graceful timeout a stopping worker exits without waiting
for a request still running, as the timeout means (ThreadPoolExecutor's would be joined at exit).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent import futures
from typing import Any

_Work = tuple[futures.Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class _Idle:
    """One thread's wake-up: a lock it waits on, and the work it is given with the release."""

    __slots__ = ("wake", "work")

    def __init__(self) -> None:
        self.wake = threading.Lock()
        self.wake.acquire()
        self.work: _Work | None = None


class WarmThreadPool(futures.Executor):
    """An executor of `size` threads, started now; an idle thread is woken last in, first out."""

    def __init__(self, size: int, name: str = "request") -> None:
        self._lock = threading.Lock()
        self._idle: list[_Idle] = []  # a stack: the most recently idle on top
        self._queued: deque[_Work] = deque()  # work that came while every thread was busy
        self._shutdown = False
        self._threads: list[threading.Thread] = []
        for n in range(size):
            thread = threading.Thread(target=self._serve, name=f"{name}-{n}", daemon=True)
            try:
                thread.start()  # returns once the thread runs
            except RuntimeError:  # the system gives no more threads: serve with those we have
                if not self._threads:
                    raise
                break
            self._threads.append(thread)

    @property
    def size(self) -> int:
        return len(self._threads)

    @property
    def idle(self) -> int:
        return len(self._idle)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> futures.Future[Any]:
        future: futures.Future[Any] = futures.Future()
        work: _Work = (future, fn, args, kwargs)
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new work after shutdown")
            if not self._idle:
                self._queued.append(work)
                return future
            idle = self._idle.pop()
        idle.work = work
        idle.wake.release()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Work already given still runs (as ThreadPoolExecutor's), unless `cancel_futures`."""
        with self._lock:
            self._shutdown = True
            idle, self._idle = self._idle, []
            cancelled = list(self._queued) if cancel_futures else []
            if cancel_futures:
                self._queued.clear()
        for future, *_ in cancelled:
            future.cancel()
        for waiting in idle:
            waiting.wake.release()  # with no work: the thread ends
        if wait:
            for thread in self._threads:
                if thread is not threading.current_thread():
                    thread.join()

    def _serve(self) -> None:
        me = _Idle()
        while True:
            with self._lock:
                work = self._queued.popleft() if self._queued else None
                if work is None:
                    if self._shutdown:
                        return
                    self._idle.append(me)
            if work is None:
                me.wake.acquire()
                work, me.work = me.work, None
                if work is None:
                    return  # shut down
            _run(work)
            del work  # nothing of a request outlives it in an idle thread


def _run(work: _Work) -> None:
    future, fn, args, kwargs = work
    if not future.set_running_or_notify_cancel():
        return
    try:
        result = fn(*args, **kwargs)
    except BaseException as error:  # as ThreadPoolExecutor: the future carries it
        future.set_exception(error)
    else:
        future.set_result(result)
