"""Runs one analysis in a supervised child process, so a crash or a memory blow-up ends only it.

The pool thread that claimed the job stays in the web (or Celery) process and keeps the claim,
the lease and the outcome; the decoding runs here, in its own interpreter at a lower CPU
priority, with no GIL shared with request threads. Children fork from a forkserver that has
already imported PyAV and numpy, so starting one costs milliseconds, not an interpreter boot.
Progress comes back as small messages, cancellation goes in as an event, and the result comes
back as the result document.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from backend.analysis import AnalysisCancelled, AnalysisError, ProgressFn, analyze
from backend.analysis.progress import StopFn
from backend.config import Config
from backend.models.status import JobErrorCode

log = logging.getLogger(__name__)

# Analyses get every idle cycle but never take one from a request: Linux's SCHED_IDLE policy
# (a request thread that wakes up takes the CPU at once, where a nice value still makes it wait
# for the scheduler's next turn), and nice 19 where that policy is missing. Both are inherited
# by FFmpeg's decoder threads.
ANALYSIS_NICE = 19
# How often the supervisor checks for a cancel, the child's memory and its messages.
POLL_S = 0.1
# A child asked to stop gets this long to end by itself before it is killed.
STOP_GRACE_S = 0.5

_context_lock = threading.Lock()
_context: ForkServerContext | None = None
_reniced: int | None = None  # the forkserver pid already set to ANALYSIS_NICE


class AnalysisFailed(Exception):
    """The child died or was killed; `code` is the job error code, `message` a sentence."""

    def __init__(self, code: JobErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AnalysisKilled(Exception):
    """The child died by a signal its supervisor did not send, under its memory limit.

    An operator's `kill -9`, the kernel's OOM killer choosing it while the machine (not the
    analysis) ran out of memory, or a decoder that crashed: the attempt is lost, not the job.
    The job is run again; one killed on every attempt ends `analysis_crashed` (lost.py).
    """

    def __init__(self, signal_name: str) -> None:
        super().__init__(f"the analysis was killed by {signal_name}")
        self.signal_name = signal_name


@dataclass(frozen=True)
class Limits:
    """What one analysis may take: wall time (enforced by the caller) and resident memory."""

    timeout_s: float
    memory_mb: int
    # Test-only (CLIPSCOPE_TEST_ANALYSIS_FAULT=abort): the child aborts, as a decoder crash would.
    fault: str | None = None


def limits_from(config: Config) -> Limits:
    return Limits(config.job_timeout_s, config.analysis_memory_mb, config.analysis_fault)


# The analysis's environment, set before its forkserver starts (it loads numpy; the children
# inherit it). One BLAS thread: the analysis's matrix products are small, and the helper thread
# OpenBLAS starts a core spun ~0.1 ms of CPU a frame of the bench's 1080p file for nothing.
ANALYSIS_ENV = {"OPENBLAS_NUM_THREADS": "1"}


def context() -> ForkServerContext:
    """The forkserver context, its server started (and PyAV/numpy imported) on first use."""
    global _context
    with _context_lock:
        if _context is None:
            for name, value in ANALYSIS_ENV.items():
                os.environ.setdefault(name, value)
            ctx = multiprocessing.get_context("forkserver")
            # The server imports these once, and runs one tiny analysis (warm.py); every child
            # forks from it with them loaded and warmed up.
            ctx.set_forkserver_preload(
                ["backend.analysis", "backend.jobs.runners.isolation", "backend.jobs.runners.warm"]
            )
            _context = ctx
        return _context


def warm_up() -> None:
    """Start the forkserver now, so the first job does not pay for the imports."""
    context()
    _forkserver_running()


def _forkserver_running() -> None:
    """Start the forkserver if it is not running, at the analyses' low priority.

    Every child forks from it and inherits its nice value, so even a child's start (fork,
    unpickling, setting up) yields to request threads; a burst of short jobs would otherwise
    take the CPUs from them at full priority.
    """
    global _reniced
    forkserver.ensure_running()
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is not None and pid != _reniced and sys.platform == "linux":
        lower_priority(pid)
        _reniced = pid


def lower_priority(pid: int) -> None:
    """Make `pid` (0: this process) run only on CPU time that nothing else wants."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, ANALYSIS_NICE)
    if hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))


def analyze_isolated(
    path: str,
    progress: ProgressFn,
    should_stop: StopFn,
    *,
    thumbnails_dir: str,
    limits: Limits,
) -> dict[str, Any]:
    """analyze() in a child process; raises what analyze() raises, or AnalysisFailed."""
    ctx = context()
    _forkserver_running()
    receiver, sender = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    child = ctx.Process(
        target=_child_main,
        args=(path, thumbnails_dir, sender, stop, limits),
        name="clipscope-analysis",
        daemon=True,
    )
    child.start()
    sender.close()
    try:
        return _supervise(child, receiver, stop, progress, should_stop, limits)
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
        child.close()


def _supervise(
    child: Any,
    receiver: Connection,
    stop: ProcessEvent,
    progress: ProgressFn,
    should_stop: StopFn,
    limits: Limits,
) -> dict[str, Any]:
    kill_at: float | None = None
    over_memory = False
    limit_bytes = limits.memory_mb * 1024 * 1024
    while True:
        if receiver.poll(POLL_S):
            try:
                message = receiver.recv()
            except EOFError:
                break  # the child is gone; its exit code says how
            kind = message[0]
            if kind == "progress":
                progress(*message[1:])
            elif kind == "result":
                return dict(message[1])
            elif kind == "error":
                raise AnalysisError(message[1], message[2])
            elif kind == "cancelled":
                raise AnalysisCancelled("The analysis was cancelled.")
            elif kind == "memory":
                over_memory = True
        if kill_at is None and should_stop():
            stop.set()
            kill_at = time.monotonic() + STOP_GRACE_S
        if kill_at is not None and time.monotonic() > kill_at:
            child.kill()
            raise AnalysisCancelled("The analysis was cancelled.")
        if _rss_bytes(child.pid) > limit_bytes:
            over_memory = True
            child.kill()
            break
    child.join(5)
    if kill_at is not None or should_stop():
        raise AnalysisCancelled("The analysis was stopped.")  # however the child ended
    raise _failure(child.exitcode, over_memory, limits.memory_mb)


def _failure(
    exitcode: int | None, over_memory: bool, memory_mb: int
) -> AnalysisFailed | AnalysisKilled:
    if over_memory:
        # Only our own limit, seen crossed, says the video needs too much memory.
        return AnalysisFailed(
            JobErrorCode.RESOURCE_LIMIT,
            f"Analysing this video needed more than the {memory_mb} MB of memory it may use.",
        )
    if exitcode is not None and exitcode < 0:
        return AnalysisKilled(signal_name(-exitcode))
    return AnalysisFailed(
        JobErrorCode.ANALYSIS_CRASHED,
        "The video decoder stopped unexpectedly (an error); the file may be damaged.",
    )


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _rss_bytes(pid: int | None) -> int:
    """Resident memory of `pid` (Linux /proc); 0 where that cannot be read."""
    if pid is None:
        return 0
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _child_main(
    path: str, thumbnails_dir: str, sender: Connection, stop: ProcessEvent, limits: Limits
) -> None:
    """The child: analyse, sending progress and exactly one final message."""
    lower_priority(0)  # already so, if forked from our forkserver
    # A stop signal sent to the whole process group (Ctrl-C, systemd, a closed terminal's
    # SIGHUP, Ctrl-backslash's SIGQUIT, an operator's `kill -- -pgid`) is for the supervisor, which
    # stops us through `stop` and gives the job back; we must not die first and look like a
    # crash (a lost attempt, jobs/lost.py). SIGHUP and SIGQUIT would kill us by default as
    # surely as SIGTERM. If the supervisor's process dies instead, our next progress message
    # (at most 0.2 s away) meets a closed pipe and we end with it.
    for stop_signal in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(stop_signal, signal.SIG_IGN)

    def report(phase: str, percent: int, message: str) -> None:
        sender.send(("progress", phase, percent, message))

    final: tuple[Any, ...]
    try:
        if limits.fault == "abort":
            os.abort()
        final = ("result", analyze(path, report, stop.is_set, thumbnails_dir=thumbnails_dir))
    except BrokenPipeError:
        return  # the supervisor is gone: nobody is waiting for the result
    except AnalysisCancelled:
        final = ("cancelled",)
    except AnalysisError as error:
        final = ("error", error.code, error.message)
    except MemoryError:
        final = ("memory",)
    except Exception:
        log.exception("analysis of %s crashed", path)
        message = "The analysis failed because of an error on our side."
        final = ("error", JobErrorCode.INTERNAL_ERROR.value, message)
    try:
        with contextlib.suppress(BrokenPipeError):
            sender.send(final)
    finally:
        sender.close()
