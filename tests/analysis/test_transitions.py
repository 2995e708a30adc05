"""Scene changes on footage built by construction: motion is no change, a transition is one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.analysis.footage import BLACK, Camera, Clip, Join, Shot, frames, write
from tests.analysis.helpers import run
from tests.videos import write_yuv_video

TOLERANCE_S = 0.25
LANDSCAPE = {"width": 160, "height": 90}
PORTRAIT = {"width": 90, "height": 160}


@pytest.mark.parametrize(
    ("camera", "fps", "frame"),
    [
        ("pan", 30, LANDSCAPE),
        ("whip", 30, LANDSCAPE),
        ("shake", 30, LANDSCAPE),
        ("zoom", 30, LANDSCAPE),
        ("walk", 30, LANDSCAPE),
        ("whip", 30, PORTRAIT),
        ("pan", 60, PORTRAIT),
        ("whip", 60, PORTRAIT),
        ("shake", 60, PORTRAIT),
        ("zoom", 60, PORTRAIT),
        ("walk", 60, PORTRAIT),
    ],
)
def test_camera_motion_is_not_a_scene_change(
    tmp_path: Path, camera: str, fps: int, frame: dict[str, int]
) -> None:
    # Whip pans sweep 3 screen widths a second at their fastest, back and forth.
    shot = Shot(3.0, camera, 3.0 if camera == "whip" else 1.0)  # type: ignore[arg-type]
    clip = Clip(camera, [shot], fps=fps, seed=fps, **frame)

    result, _ = run(write(clip, tmp_path / f"{camera}.mp4"))

    assert [s["start_s"] for s in result["scenes"]] == [0.0]


def test_flashes_and_one_frame_glitches_during_a_pan_are_not_changes(tmp_path: Path) -> None:
    clip = Clip("flash", [Shot(4.0, "pan", 0.5)], flashes=[1.0, 3.0], glitches=[2.0], **LANDSCAPE)

    result, _ = run(write(clip, tmp_path / "flash.mp4"))

    assert len(result["scenes"]) == 1


@pytest.mark.parametrize(
    ("join", "seconds", "kind", "fps", "frame"),
    [
        ("dissolve", 0.3, "dissolve", 30, LANDSCAPE),
        ("dissolve", 1.0, "dissolve", 30, PORTRAIT),
        ("dissolve", 2.0, "dissolve", 60, LANDSCAPE),
        ("fade_black", 1.0, "fade", 30, LANDSCAPE),
        ("fade_white", 0.6, "fade", 60, PORTRAIT),
        ("fade_black", 0.4, "fade", 60, LANDSCAPE),
        ("wipe", 0.5, "wipe", 30, LANDSCAPE),
        ("wipe", 0.6, "wipe", 30, PORTRAIT),
        ("wipe", 1.0, "wipe", 60, PORTRAIT),
        # A push (slide) is a wipe to the viewer: the model and the mixture test miss it.
        ("push", 0.5, "wipe", 30, LANDSCAPE),
        ("push", 0.8, "wipe", 30, PORTRAIT),
        ("push", 1.2, "wipe", 60, LANDSCAPE),
    ],
)
def test_a_gradual_transition_is_one_change_with_its_kind_and_span(
    tmp_path: Path, join: Join, seconds: float, kind: str, fps: int, frame: dict[str, int]
) -> None:
    clip = Clip("t", [Shot(2.5), Shot(2.5)], joins=[(join, seconds)], fps=fps, **frame)
    truth = clip.truth()[0]
    thumbs = tmp_path / "thumbs"

    result, _ = run(write(clip, tmp_path / "t.mp4"), thumbnails=thumbs)

    scenes = result["scenes"]
    assert len(scenes) == 2, scenes
    new = scenes[1]
    assert new["kind"] == kind
    assert truth.start_s - TOLERANCE_S <= new["start_s"] <= truth.end_s + TOLERANCE_S
    assert new["transition_start_s"] == pytest.approx(truth.start_s, abs=TOLERANCE_S)
    assert new["transition_end_s"] == pytest.approx(truth.end_s, abs=TOLERANCE_S)
    assert scenes[0]["end_s"] == new["start_s"]
    # The new scene's thumbnail shows the new shot, not a mix of the two.
    last = _luma(thumbs / "1.jpg")
    first = _luma(thumbs / "0.jpg")
    assert _correlation(last, first) < 0.5


def _luma(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.float64)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_cuts_between_moving_shots_are_found_to_the_frame(tmp_path: Path) -> None:
    shots = [Shot(1.5, "pan", 0.5), Shot(1.5, "shake"), Shot(1.2, "whip", 2.0), Shot(1.5)]
    clip = Clip("cuts", shots, fps=30, **LANDSCAPE)

    result, _ = run(write(clip, tmp_path / "cuts.mp4"))

    found = [s["start_s"] for s in result["scenes"][1:]]
    assert found == pytest.approx([c.start_s for c in clip.truth()], abs=1.5 / 30)
    assert {s["kind"] for s in result["scenes"]} == {"cut"}
    assert all("transition_start_s" not in s for s in result["scenes"])


def test_dark_noisy_scenes_are_still_cut_and_dissolved(tmp_path: Path) -> None:
    clip = Clip(
        "dark",
        [Shot(1.5, "shake"), Shot(1.5), Shot(2.0)],
        joins=[("cut", 0.0), ("dissolve", 1.0)],
        dark=True,
        noise=4.0,
        **LANDSCAPE,
    )

    result, _ = run(write(clip, tmp_path / "dark.mp4"))

    assert [s["kind"] for s in result["scenes"][1:]] == ["cut", "dissolve"]
    starts = [s["start_s"] for s in result["scenes"][1:]]
    truth = clip.truth()
    assert starts[0] == pytest.approx(truth[0].start_s, abs=1.5 / 30)
    assert truth[1].start_s <= starts[1] <= truth[1].end_s


@pytest.mark.parametrize(
    ("join", "seconds", "before"), [("dissolve", 0.5, "shake"), ("wipe", 0.5, "still")]
)
def test_a_transition_into_a_panning_shot_is_found(
    tmp_path: Path, join: Join, seconds: float, before: Camera
) -> None:
    clip = Clip("m", [Shot(2.5, before), Shot(2.5, "pan", 0.3)], joins=[(join, seconds)])
    truth = clip.truth()[0]

    result, _ = run(write(clip, tmp_path / "m.mp4"))

    [scene] = result["scenes"][1:]
    assert scene["kind"] == truth.kind
    assert truth.start_s - TOLERANCE_S <= scene["start_s"] <= truth.end_s + TOLERANCE_S


def test_a_whip_pan_at_its_fastest_is_not_a_cut(tmp_path: Path) -> None:
    # Back and forth at up to 3 screen widths a second: without undoing the camera's move,
    # each fastest moment stood out from its neighbours like a cut (6 false ones here).
    clip = Clip("whip", [Shot(4.8, "whip", 3.0)], fps=30, width=108, height=192, seed=31)

    result, _ = run(write(clip, tmp_path / "whip.mp4"))

    assert len(result["scenes"]) == 1


@pytest.mark.parametrize("end", ["opening", "closing"])
def test_a_clip_that_fades_in_or_out_at_its_end_has_no_change_there(
    tmp_path: Path, end: str
) -> None:
    # A film's opening: black, then the first shot comes up out of it; its close: the last
    # shot goes down to black. There is no scene before the first shot or after the last, so
    # the fade is no change (the cut between the two shots is one).
    clip = Clip(end, [Shot(2.5, "pan", 0.2), Shot(2.5)], fps=24, **LANDSCAPE)
    fade, height = 24, clip.height  # frames; rows of luma

    def faded() -> Iterator[np.ndarray]:
        for index, yuv in enumerate(frames(clip)):
            # Three black frames, then a second of fade (or the mirror of that at the end).
            at = index if end == "opening" else clip.frames - 1 - index
            gain = min(1.0, max(0, at - 2) / fade)
            out = yuv.astype(np.float32)
            out[:height] = BLACK + (out[:height] - BLACK) * gain
            out[height:] = 128 + (out[height:] - 128) * gain
            yield out.round().astype(np.uint8)

    path = write_yuv_video(
        tmp_path / f"{end}.mp4", faded(), fps=clip.fps, width=clip.width, height=height
    )

    result, _ = run(path)

    [cut] = clip.truth()
    assert [s["start_s"] for s in result["scenes"]] == pytest.approx([0.0, cut.start_s], abs=0.05)
