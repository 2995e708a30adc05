"""Progress reports and cancellation, as the job runner sees them."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from backend.analysis import AnalysisCancelled, analyze
from backend.analysis.progress import Progress
from tests.analysis.helpers import Recorder, run
from tests.videos import make_video

PHASES = ["probing", "analyzing", "finalizing"]


def test_phases_in_order_percent_never_goes_down_and_100_only_at_the_end(
    tmp_path: Path,
) -> None:
    _, recorder = run(make_video(tmp_path / "clip.mp4", seconds=3.0, audio="tone"))

    phases = [phase for phase, _, _ in recorder.events]
    seen = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
    assert seen == PHASES
    percents = [percent for _, percent, _ in recorder.events]
    assert percents == sorted(percents)
    assert percents[-1] == 100
    assert 100 not in percents[:-1]
    assert all(message for _, _, message in recorder.events)


@pytest.mark.parametrize("suffix", [".mkv", ".ts"])
def test_percent_follows_the_position_where_frame_counts_are_missing(
    tmp_path: Path, suffix: str
) -> None:
    _, recorder = run(make_video(tmp_path / f"clip{suffix}", seconds=4.0))

    analyzing = [percent for phase, percent, _ in recorder.events if phase == "analyzing"]
    assert min(analyzing) < 20
    assert any(40 <= p <= 60 for p in analyzing)
    assert max(analyzing) >= 90


def test_cancel_stops_within_a_second(tmp_path: Path) -> None:
    path = make_video(tmp_path / "long.mp4", seconds=20.0, width=320, height=240)
    recorder = Recorder()
    flipped: list[float] = []

    def should_stop() -> bool:
        # Flip once the analysis is under way; measure from that moment.
        if not flipped and any(phase == "analyzing" for phase, _, _ in recorder.events):
            flipped.append(time.monotonic())
        return bool(flipped)

    with pytest.raises(AnalysisCancelled):
        analyze(path, recorder, should_stop, thumbnails_dir=tmp_path / "thumbs")

    assert flipped
    assert time.monotonic() - flipped[0] <= 1.0
    assert recorder.events[-1][1] < 100


def test_should_stop_is_consulted_throughout_the_work(tmp_path: Path) -> None:
    path = make_video(tmp_path / "long.mp4", seconds=20.0, width=320, height=240)
    calls: list[float] = []

    def should_stop() -> bool:
        calls.append(time.monotonic())
        return False

    started = time.monotonic()
    analyze(path, lambda *_: None, should_stop)
    ended = time.monotonic()

    moments = [started, *calls, ended]
    longest_gap = max(b - a for a, b in itertools.pairwise(moments))
    assert longest_gap <= 0.5  # polled every 0.1 s; slack for a loaded machine


def test_cancel_before_start_stops_at_once(tmp_path: Path) -> None:
    recorder = Recorder()

    with pytest.raises(AnalysisCancelled):
        analyze(make_video(tmp_path / "clip.mp4"), recorder, lambda: True)


def test_progress_is_throttled_but_never_backwards() -> None:
    now = [0.0]
    events: list[tuple[str, int, str]] = []
    progress = Progress(lambda *e: events.append(e), lambda: False, clock=lambda: now[0])

    progress.update("analyzing", 0.5, "half")
    progress.update("analyzing", 0.4, "a seek backwards")
    now[0] += 1.0
    progress.update("analyzing", 0.3, "still backwards")
    progress.update("finalizing", 0.0, "last")
    progress.done()

    assert [p for _, p, _ in events] == [48, 48, 95, 100]


def test_should_stop_is_polled_at_most_every_tenth_of_a_second() -> None:
    now = [0.0]
    calls: list[float] = []

    def should_stop() -> bool:
        calls.append(now[0])
        return False

    progress = Progress(lambda *e: None, should_stop, clock=lambda: now[0])
    for _ in range(100):
        progress.check_stop()
        now[0] += 0.01

    assert 9 <= len(calls) <= 11
