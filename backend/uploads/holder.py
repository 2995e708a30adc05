"""Who holds an upload reservation: this machine, this boot, this process and this request.

A reservation left by a process that died is free at once when the holder names a process on
this machine that no longer runs; on another machine only its lease can tell.
"""

from __future__ import annotations

import os
import socket
import uuid
from functools import cache
from pathlib import Path

SEP = "|"


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """The running process's start time in clock ticks since boot (Linux); '' if none."""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return ""
    # The command name may contain spaces and parentheses: fields start after the last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    if len(fields) <= 19 or fields[0] in {"Z", "X"}:
        return ""  # a zombie still has its entry, but it holds nothing any more
    return fields[19]


@cache
def _machine() -> tuple[str, str]:
    return socket.gethostname()[:64], _read("/proc/sys/kernel/random/boot_id")


def _process() -> str:
    # Not cached: a forked gunicorn worker is another process than the one that imported this.
    pid = os.getpid()
    return f"{pid}{SEP}{_start_time(pid)}"


def new_holder() -> str:
    """A name for one request in this process, unique across processes, machines and boots."""
    host, boot = _machine()
    return SEP.join((host, boot, _process(), uuid.uuid4().hex[:12]))


def holder_alive(holder: str) -> bool | None:
    """Whether the holder's process still runs: None when it is on another machine or boot."""
    parts = holder.split(SEP)
    if len(parts) != 5:
        return None
    host, boot, pid, started, _request = parts
    if not boot or not started or (host, boot) != _machine() or not pid.isdigit():
        return None
    return _start_time(int(pid)) == started
