"""Cancelling a running job stops its analysis early: fewer frames analysed than the clip has."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import backend.jobs.execute as execute_module
from backend.analysis import AnalysisCancelled
from tests.conftest import AppFactory
from tests.helpers import services_of, start_held_job, wait_for

# analyze() reports "analyzing" from 2 % to 95 % as the decoded frame's time goes from 0 to the
# end, so a report below this means fewer than half of the clip's frames were analysed.
HALF_THE_FRAMES = 2 + (95 - 2) // 2


@dataclass
class Analyses:
    """What the analyses of this test reported, and how each ended."""

    started: threading.Event = field(default_factory=threading.Event)
    go_on: threading.Event = field(default_factory=threading.Event)
    percents: list[int] = field(default_factory=list)
    endings: list[str] = field(default_factory=list)


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> Analyses:
    """Record every progress report of the analysis child; hold it at the first 'analyzing'.

    The child is frozen (SIGSTOP) while held: it decodes hundreds of small frames a second, and
    would otherwise reach the end of the clip while the test is still sending its cancel.
    """
    seen = Analyses()
    real = execute_module.analyze_isolated

    def analyze(path: Any, progress: Any, should_stop: Any, **kwargs: Any) -> Any:
        def record(phase: str, percent: int, message: str) -> None:
            if phase == "analyzing":
                seen.percents.append(percent)
                if not seen.started.is_set():
                    children = [c for c in multiprocessing.active_children() if c.pid]
                    for child in children:
                        os.kill(child.pid, signal.SIGSTOP)  # type: ignore[arg-type]
                    seen.started.set()
                    seen.go_on.wait(30)
                    for child in children:
                        os.kill(child.pid, signal.SIGCONT)  # type: ignore[arg-type]
            progress(phase, percent, message)

        try:
            result = real(path, record, should_stop, **kwargs)
        except AnalysisCancelled:
            seen.endings.append("cancelled")
            raise
        seen.endings.append("completed")
        return result

    monkeypatch.setattr(execute_module, "analyze_isolated", analyze)
    return seen


def test_cancel_stops_the_analysis_before_the_end_of_the_clip(
    make_app: AppFactory, tmp_path: Path, analyses: Analyses
) -> None:
    app, client, headers, job_id = start_held_job(make_app, tmp_path, analyses.started)
    assert client.post(f"/api/jobs/{job_id}/cancel", headers=headers).status_code == 202
    analyses.go_on.set()
    runner = services_of(app).runner
    wait_for(lambda: runner.busy == 0, timeout=30, what="the runner to let the job go")
    assert analyses.endings == ["cancelled"]
    assert max(analyses.percents) < HALF_THE_FRAMES, analyses.percents
    job = client.get(f"/api/results/job/{job_id}", headers=headers).get_json()
    assert job["status"] == "cancelled" and job.get("result") is None
