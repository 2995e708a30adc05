"""The push detector on shift profiles: a slide by one frame is a push, camera motion is not."""

from __future__ import annotations

import math

import pytest

from backend.analysis.gradual import Transition
from backend.analysis.push import PushDetector

FPS = 30.0
ASPECT = 9 / 16


def pushes(dx: list[float], dy: list[float] | None = None) -> list[Transition]:
    """Feed per-frame shifts (shares of the width) with still frames around them."""
    found: list[Transition] = []
    detector = PushDetector(FPS, found.append)
    dy = dy or [0.0] * len(dx)
    still = [0.0] * 10
    for x, y in zip(still + dx + still, still + dy + still, strict=True):
        detector.push(x, y, ASPECT)
    detector.finish()
    return found


def slide(seconds: float, distance: float = 1.0) -> list[float]:
    frames = round(seconds * FPS)
    return [distance / frames] * frames


@pytest.mark.parametrize("seconds", [0.3, 0.5, 1.0, 1.8])
@pytest.mark.parametrize("sign", [1, -1])
def test_a_slide_by_one_width_is_a_push_over_its_frames(seconds: float, sign: int) -> None:
    found = pushes([sign * v for v in slide(seconds)])

    assert len(found) == 1
    frames = round(seconds * FPS)
    assert (found[0].start, found[0].end) == (10, 10 + frames - 1)
    assert found[0].kind == "wipe" and found[0].alone


def test_a_slide_by_one_height_is_a_push() -> None:
    frames = 20
    assert len(pushes([0.0] * frames, [ASPECT / frames] * frames)) == 1


def test_a_slide_carrying_the_old_shots_pan_is_a_push() -> None:
    # Half the slide moves with the old shot's own pan added, as in a push out of a pan.
    assert len(pushes([1.3 / 30] * 15 + [1.0 / 30] * 15)) == 1


@pytest.mark.parametrize(
    ("name", "dx"),
    [
        ("two widths", slide(1.0, 2.0)),
        ("half a width", slide(0.5, 0.5)),
        ("longer than a push", slide(3.0, 1.0)),
        # A pan easing in over half a second before covering the same distance.
        ("eased in", [k / 15 * (1.0 / 30) for k in range(1, 15)] + slide(0.55, 0.77)),
        # A whip pan: its speed a wave, one way by 1.1 widths in 0.6 s, then back.
        (
            "whip",
            [0.03 * math.pi * math.sin(math.pi * k / 18) for k in range(18)]
            + [-0.03 * math.pi * math.sin(math.pi * k / 18) for k in range(18)],
        ),
        # A shaking hand: back and forth by a few per cent every frame.
        ("shake", [0.03 * (-1) ** k for k in range(30)]),
    ],
)
def test_camera_motion_is_no_push(name: str, dx: list[float]) -> None:
    assert pushes(dx) == []


def test_a_slide_still_going_when_the_clip_ends_is_no_push() -> None:
    found: list[Transition] = []
    detector = PushDetector(FPS, found.append)
    for v in [0.0] * 10 + slide(0.5):
        detector.push(v, 0.0, ASPECT)
    detector.finish()
    assert found == []
