"""Technical cues (black, frozen, silent stretches), loudness per EBU R128, and camera shake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.analysis.footage import Clip, Shot, write
from tests.analysis.helpers import codes, run
from tests.videos import make_video

FRAME = {"width": 160, "height": 90}


def _cues(result: dict[str, Any], kind: str) -> list[tuple[float, float]]:
    return [(c["start_s"], c["end_s"]) for c in result["cues"] if c["kind"] == kind]


def test_black_and_frozen_stretches_are_reported_with_their_times(tmp_path: Path) -> None:
    clip = Clip("qc", [Shot(5.0, "pan", 0.3)], black=(1.0, 2.0), frozen=(3.0, 4.5), fps=30, **FRAME)

    result, _ = run(write(clip, tmp_path / "qc.mp4"))

    [(black_start, black_end)] = _cues(result, "black")
    assert black_start == pytest.approx(1.0, abs=0.05)
    assert black_end == pytest.approx(2.0, abs=0.05)
    [(frozen_start, frozen_end)] = _cues(result, "freeze")
    # The picture that then stays is the frame before the stretch.
    assert frozen_start == pytest.approx(3.0, abs=0.1)
    assert frozen_end == pytest.approx(4.5, abs=0.05)
    assert _cues(result, "silence") == []  # no sound track, nothing to be silent


def test_a_moving_noisy_clip_has_no_cues(tmp_path: Path) -> None:
    clip = Clip("busy", [Shot(3.0, "shake"), Shot(2.0, "pan", 0.3)], noise=3.0, **FRAME)

    result, _ = run(write(clip, tmp_path / "busy.mp4", audio="tone"))

    assert result["cues"] == []


def test_a_small_subject_crossing_a_still_background_is_not_a_frozen_picture(
    tmp_path: Path,
) -> None:
    # A square a sixth of the frame high on still backgrounds: in the later scenes its
    # brightness nears the background's (the mean luma barely moves) and then matches it (only
    # its colour tells it apart). The app showed "Frozen picture" beside the motion chart here.
    clip = make_video(
        tmp_path / "square.mp4",
        seconds=10,
        fps=15,
        width=192,
        height=108,
        cuts=[2, 4, 6, 8],
        noise=0.2,
        preset="ultrafast",
    )

    result, _ = run(clip)

    assert _cues(result, "freeze") == []


def test_silence_in_the_sound_track_is_a_cue(tmp_path: Path) -> None:
    def tone_with_a_gap(t: np.ndarray) -> np.ndarray:
        wave = 0.25 * np.sin(2 * np.pi * 440.0 * t)
        return np.where((t >= 1.5) & (t < 3.0), 0.0, wave)

    result, _ = run(make_video(tmp_path / "gap.mp4", seconds=4.0, audio=tone_with_a_gap))

    [(start, end)] = _cues(result, "silence")
    assert start == pytest.approx(1.5, abs=0.1)
    assert end == pytest.approx(3.0, abs=0.1)
    assert "silent_audio" not in codes(result)


def test_loudness_of_a_steady_tone(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "tone.mp4", seconds=3.0, audio="tone"))

    loudness = result["audio"]["loudness"]
    # A 440 Hz sine of amplitude 0.25, mono: -0.691 + 10 log10(0.25^2 / 2) = -15.7 LUFS.
    assert loudness["integrated_lufs"] == pytest.approx(-15.7, abs=0.5)
    assert loudness["range_lu"] >= 0.0
    assert -13.0 <= loudness["true_peak_dbtp"] <= -9.0  # 0.25 is -12 dBFS, AAC adds ripple
    assert loudness["clipped_samples"] == 0
    assert not {"too_quiet", "clipping"} & set(codes(result))


def test_a_whisper_quiet_track_is_too_quiet(tmp_path: Path) -> None:
    def whisper(t: np.ndarray) -> np.ndarray:
        return 0.004 * np.sin(2 * np.pi * 440.0 * t)

    result, _ = run(make_video(tmp_path / "quiet.mp4", seconds=3.0, audio=whisper))

    assert result["audio"]["loudness"]["integrated_lufs"] == pytest.approx(-51.6, abs=1.0)
    assert "too_quiet" in codes(result)
    assert "silent_audio" not in codes(result)


def test_a_track_recorded_too_loud_is_clipping(tmp_path: Path) -> None:
    def overdriven(t: np.ndarray) -> np.ndarray:
        return np.clip(1.6 * np.sin(2 * np.pi * 220.0 * t), -1.0, 1.0)

    result, _ = run(make_video(tmp_path / "loud.mp4", seconds=2.0, audio=overdriven))

    assert result["audio"]["loudness"]["clipped_samples"] > 100
    assert result["audio"]["loudness"]["true_peak_dbtp"] > -0.5
    assert "clipping" in codes(result)
    message = next(w["message"] for w in result["quality"]["warnings"] if w["code"] == "clipping")
    assert message.endswith(".")


def test_a_silent_track_reads_the_meter_floor(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "silence.mp4", seconds=2.0, audio="silence"))

    loudness = result["audio"]["loudness"]
    assert loudness["integrated_lufs"] == -70.0
    assert loudness["clipped_samples"] == 0
    assert _cues(result, "silence") == [(0.0, pytest.approx(2.0, abs=0.1))]
    assert "too_quiet" not in codes(result)  # silent, said once as silent_audio


@pytest.mark.parametrize("fps", [30, 60])
def test_a_handheld_shaky_clip_is_shaky_and_a_smooth_pan_is_not(tmp_path: Path, fps: int) -> None:
    shaky, _ = run(write(Clip("s", [Shot(4.0, "shake")], fps=fps, **FRAME), tmp_path / "s.mp4"))
    pan, _ = run(write(Clip("p", [Shot(4.0, "pan", 1.0)], fps=fps, **FRAME), tmp_path / "p.mp4"))
    whip, _ = run(write(Clip("w", [Shot(4.0, "whip", 3.0)], fps=fps, **FRAME), tmp_path / "w.mp4"))

    assert shaky["stability"]["interval_s"] == 1.0
    assert len(shaky["stability"]["shake"]) == 4
    assert min(shaky["stability"]["shake"]) > 0.5
    assert "shaky" in codes(shaky)
    assert max(pan["stability"]["shake"]) < 0.35  # whole-pixel steps of the test camera
    assert max(whip["stability"]["shake"]) < 0.5
    assert "shaky" not in codes(pan) and "shaky" not in codes(whip)
