"""The measures on their own, on synthetic numbers and pictures."""

from __future__ import annotations

import numpy as np
import pytest

from backend.analysis.audio import FLOOR_DBFS, dbfs
from backend.analysis.camera import _median
from backend.analysis.motion import highlights, per_second
from backend.analysis.quality import laplacian_variance, reblur_ratio
from backend.analysis.scenes import CutDetector
from backend.analysis.timing import average_fps, is_variable

RNG = np.random.default_rng(5)


def picture(seed: int, gain: float = 1.0, noise: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    coarse = rng.random((9, 16)).astype(np.float32) * 200 + 20
    luma = np.kron(coarse, np.ones((8, 8), dtype=np.float32))
    luma = luma * gain + RNG.normal(0, noise, size=luma.shape).astype(np.float32)
    return np.asarray(np.clip(luma, 0, 255), dtype=np.float32)


def detect(frames: list[np.ndarray], fps: float = 30.0) -> list[int]:
    detector = CutDetector(fps)
    cuts: list[int] = []
    for frame in frames:
        cuts += [t for t, cut in detector.push(frame) if cut]
    cuts += [t for t, cut in detector.finish() if cut]
    return cuts


def panning(seed: int, frames: int, speed: int) -> list[np.ndarray]:
    wide = np.concatenate([picture(seed), picture(seed + 100), picture(seed + 200)], axis=1)
    return [np.ascontiguousarray(wide[:, i * speed : i * speed + 128]) for i in range(frames)]


def test_cuts_between_still_scenes() -> None:
    frames = [picture(1)] * 20 + [picture(2)] * 20 + [picture(3)] * 20

    assert detect(frames) == [20, 40]


def test_a_fast_pan_is_not_a_cut() -> None:
    assert detect(panning(7, 60, 4)) == []


def test_a_cut_between_two_pans() -> None:
    assert detect(panning(7, 30, 3) + panning(8, 30, 3)) == [30]


def test_a_fade_is_not_a_cut_and_a_dip_to_black_between_scenes_is() -> None:
    fade_out = [picture(1, gain=g) for g in np.linspace(1, 0, 15)]
    fade_in = [picture(2, gain=g) for g in np.linspace(0, 1, 15)]
    same_back = [picture(1, gain=g) for g in np.linspace(0, 1, 15)]

    assert detect([picture(1)] * 20 + fade_out + same_back + [picture(1)] * 20) == []
    cuts = detect([picture(1)] * 20 + fade_out + fade_in + [picture(2)] * 20)
    assert len(cuts) == 1
    assert abs(cuts[0] - 35) <= 2


def test_cuts_between_dark_noisy_scenes() -> None:
    frames = [picture(s, gain=0.12, noise=3.0) for s in (1,) * 25 + (2,) * 25 + (3,) * 25]

    assert detect(frames) == [25, 50]


def test_a_flash_is_not_a_cut() -> None:
    white = np.full_like(picture(1), 250)
    frames = [picture(1)] * 20 + [white] + [picture(1)] * 20 + [white] * 2 + [picture(1)] * 20

    assert detect(frames) == []


def test_scenes_shorter_than_a_fifth_of_a_second_are_merged() -> None:
    frames = [picture(1)] * 20 + [picture(2)] * 3 + [picture(3)] * 20

    assert detect(frames) == [20]


def test_motion_is_change_per_second_and_ignores_cuts() -> None:
    times = [i / 10 for i in range(30)]
    changes = [0.0] * 10 + [0.05] * 10 + [0.0] * 10
    changes[25] = 0.9  # a cut

    values = per_second(times, changes, {25}, duration_s=3.0)

    assert values[0] == 0.0
    assert values[1] == pytest.approx(1 - np.exp(-0.5 / 0.6), abs=0.01)
    assert values[2] == 0.0


def test_motion_does_not_depend_on_the_frame_rate() -> None:
    at_30 = per_second([i / 30 for i in range(60)], [0.01] * 60, set(), 2.0)
    at_15 = per_second([i / 15 for i in range(30)], [0.02] * 30, set(), 2.0)

    assert at_30 == pytest.approx(at_15, abs=0.02)


def test_highlights_are_the_three_busiest_separate_segments_best_first() -> None:
    values = [0.1] * 3 + [0.9] * 3 + [0.1] * 3 + [0.5] * 3 + [0.0] * 3 + [0.7] * 3

    found = highlights(values, 1.0, 18.0)

    assert [(h.start_s, h.end_s) for h in found] == [(3, 6), (15, 18), (9, 12)]
    assert [h.score for h in found] == sorted((h.score for h in found), reverse=True)


def test_highlights_of_a_short_clip() -> None:
    found = highlights([0.2, 0.4], 1.0, 1.5)

    assert [(h.start_s, h.end_s) for h in found] == [(1.0, 1.5), (0.0, 1.0)]


def test_variable_frame_rate() -> None:
    constant = [i / 30 for i in range(90)]
    matroska = [round(i / 30, 3) for i in range(90)]  # 33/34 ms steps
    dropping = [i / 30 for i in range(45)] + [1.5 + i / 15 for i in range(1, 30)]

    assert not is_variable(constant)
    assert not is_variable(matroska)
    assert is_variable(dropping)
    assert average_fps(constant, None) == pytest.approx(30.0)
    assert average_fps([0.0], 25.0) == 25.0


def test_dbfs() -> None:
    assert dbfs(1.0) == 0.0
    assert dbfs(0.5 * 0.25**2) == pytest.approx(-15.05, abs=0.01)
    assert dbfs(0.0) == FLOOR_DBFS


def test_blur_measures() -> None:
    sharp = picture(4)
    blurred = sharp.copy()
    for _ in range(6):  # a wide, soft blur
        blurred = (blurred + np.roll(blurred, 1, 0) + np.roll(blurred, 1, 1)) / 3
    flat = np.full_like(sharp, 128)

    sharp_ratio, blurred_ratio = reblur_ratio(sharp), reblur_ratio(blurred)

    assert sharp_ratio is not None and blurred_ratio is not None
    assert sharp_ratio < 0.4 < blurred_ratio
    assert reblur_ratio(flat) is None
    assert laplacian_variance(sharp) > laplacian_variance(blurred) > laplacian_variance(flat)


@pytest.mark.parametrize("frames", [3, 6, 10])
def test_a_quick_dip_to_black_within_a_scene_is_not_a_cut(frames: int) -> None:
    dip = [picture(1, gain=g) for g in np.abs(np.linspace(-1, 1, frames))]

    assert detect([picture(1)] * 20 + dip + [picture(1)] * 20) == []


def test_a_light_switched_on_is_not_a_cut() -> None:
    assert detect([picture(1, gain=0.5)] * 20 + [picture(1)] * 20) == []


def test_a_dip_to_black_during_a_pan_is_not_a_cut_but_between_pans_is() -> None:
    def dipped(frames: list[np.ndarray], start: int, length: int) -> list[np.ndarray]:
        gains = np.abs(np.linspace(-1, 1, length))
        return [
            f * np.float32(gains[i - start]) if start <= i < start + length else f
            for i, f in enumerate(frames)
        ]

    same = dipped(panning(3, 60, 2), 20, 16)
    across = dipped(panning(3, 28, 2), 20, 8) + dipped(panning(9, 32, 2), 0, 8)

    assert detect(same) == []
    cuts = detect(across)
    assert len(cuts) == 1
    assert abs(cuts[0] - 28) <= 2


@pytest.mark.parametrize("size", [1, 2, 5, 9216, 9215])
def test_the_camera_trackers_median_is_numpys(size: int) -> None:
    # camera._median picks the middle values itself (NumPy's np.median is slow at it); the
    # shake and the still-camera checks must not move by a bit.
    rng = np.random.default_rng(size)
    for values in (
        rng.normal(scale=30, size=size).astype(np.float32),
        np.round(rng.normal(scale=3, size=size)).astype(np.float32),  # ties in the middle
        np.abs(rng.normal(size=(size, 1))),  # float64, 2-D
    ):
        assert _median(values) == float(np.median(values))
