"""Who holds an upload reservation, and whether that process still runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from backend.config import PROJECT_ROOT
from backend.uploads.holder import holder_alive, new_holder
from tests.helpers import wait_for

PRINT_HOLDER = "from backend.uploads.holder import new_holder; print(new_holder(), flush=True)"


def test_this_process_is_alive_and_another_machine_cannot_be_told() -> None:
    assert holder_alive(new_holder()) is True
    assert holder_alive("phone-host|boot|1|1|abc") is None
    assert holder_alive("not a holder") is None


def test_a_process_that_exited_holds_nothing_even_before_it_is_reaped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", PRINT_HOLDER], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        holder = process.stdout.readline().strip()
        pid = holder.split("|")[2]

        def zombie() -> bool:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            return state == "Z"

        wait_for(zombie, timeout=30, what="the child to exit")  # not reaped: a zombie
        assert holder_alive(holder) is False
    finally:
        process.wait(30)
    assert holder_alive(holder) is False
