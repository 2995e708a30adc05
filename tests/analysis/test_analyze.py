"""analyze() on generated videos whose truth is known."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from backend.analysis import ANALYZER_VERSION
from tests.analysis.helpers import codes, run, scene_starts
from tests.videos import cut_frame_times, make_video

FPS = 24
TWO_FRAMES = 2 / FPS


def assert_cuts(found: list[float], truth: list[float]) -> None:
    assert len(found) == len(truth), (found, truth)
    for got, want in zip(found, truth, strict=True):
        assert abs(got - want) <= TWO_FRAMES, (found, truth)


def test_default_clip_reports_the_basics(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "clip.mp4"))

    assert result["analyzer_version"] == ANALYZER_VERSION
    assert result["frames_analyzed"] == 48
    video = result["video"]
    assert video["duration_s"] == pytest.approx(2.0, abs=0.05)
    assert video["fps"] == pytest.approx(24.0, abs=0.01)
    assert video["variable_frame_rate"] is False
    assert video["frame_count"] == 48
    assert (video["width"], video["height"]) == (160, 120)
    assert (video["display_width"], video["display_height"]) == (160, 120)
    assert video["rotation"] == 0
    assert video["codec"] == "h264"
    assert video["profile"] == "High"
    assert video["bit_rate"] > 0
    assert "mp4" in video["container"]
    assert result["scenes"] == [{"index": 0, "start_s": 0.0, "end_s": 2.0, "kind": "cut"}]
    assert result["motion"]["interval_s"] == 1.0
    assert len(result["motion"]["values"]) == 2
    assert "low_resolution" in codes(result)


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("plain", {}),
        ("dark_noisy", {"dark": True, "noise": 6.0}),
        ("fades", {"fades": [(0.3, 1.1), (1.7, 2.4)]}),
    ],
)
def test_cuts_are_found_at_the_right_times(
    tmp_path: Path, name: str, options: dict[str, Any]
) -> None:
    cuts = [0.75, 1.5, 2.25, 2.7]
    path = make_video(tmp_path / f"{name}.mp4", seconds=3.2, cuts=cuts, **options)

    result, _ = run(path)

    assert scene_starts(result)[0] == 0.0
    assert_cuts(scene_starts(result)[1:], cut_frame_times(cuts, FPS))
    ends = [s["end_s"] for s in result["scenes"]]
    assert ends[:-1] == scene_starts(result)[1:]
    assert ends[-1] == pytest.approx(3.2, abs=TWO_FRAMES)


def test_a_fade_to_black_inside_a_scene_is_not_a_cut(tmp_path: Path) -> None:
    path = make_video(tmp_path / "fade.mp4", seconds=3.0, fades=[(0.5, 2.0)])

    result, _ = run(path)

    assert len(result["scenes"]) == 1


def test_a_single_flash_frame_is_not_a_cut(tmp_path: Path) -> None:
    gradient = np.linspace(20, 200, 160, dtype=np.float32)[None, :, None].repeat(120, 0)
    still = np.repeat(gradient, 3, axis=2).astype(np.uint8)

    def pixels(index: int, t: float, scene: int, in_scene: int) -> np.ndarray:
        frame = np.roll(still, index * 2, axis=1)
        return np.full_like(frame, 255) if index == 20 else frame

    result, _ = run(make_video(tmp_path / "flash.mp4", pixel_fn=pixels))

    assert len(result["scenes"]) == 1


def test_portrait_phone_clip_is_reported_portrait_with_portrait_thumbnails(
    tmp_path: Path,
) -> None:
    path = make_video(tmp_path / "portrait.mp4", width=192, height=108, rotation=90, cuts=[1.0])

    result, _ = run(path, thumbnails=tmp_path / "thumbs")

    video = result["video"]
    assert (video["width"], video["height"]) == (192, 108)
    assert video["rotation"] == 90
    assert (video["display_width"], video["display_height"]) == (108, 192)
    for scene in result["scenes"]:
        with Image.open(tmp_path / "thumbs" / f"{scene['index']}.jpg") as image:
            assert image.height > image.width


def test_one_representative_thumbnail_per_scene(tmp_path: Path) -> None:
    # Scene 1 opens with a fade from black: its thumbnail must not be that black frame.
    path = make_video(
        tmp_path / "scenes.mp4",
        width=640,
        height=360,
        seconds=3.0,
        cuts=[1.0, 2.0],
        fades=[(0.6, 1.4)],
    )
    thumbs = tmp_path / "thumbs"

    result, _ = run(path, thumbnails=thumbs)

    assert sorted(p.name for p in thumbs.iterdir()) == ["0.jpg", "1.jpg", "2.jpg"]
    for scene in result["scenes"]:
        with Image.open(thumbs / f"{scene['index']}.jpg") as image:
            assert max(image.size) <= 320
            assert image.size == (320, 180)
            assert np.asarray(image.convert("L")).mean() > 40


def test_variable_frame_rate_is_detected(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "vfr.mp4", seconds=2.0, vfr=True))

    assert result["video"]["variable_frame_rate"] is True
    assert 30 < result["frames_analyzed"] < 48


def test_constant_frame_rate_in_matroska_is_not_variable(tmp_path: Path) -> None:
    # Matroska stores milliseconds: 30 fps reads as 33/34 ms steps, still constant.
    result, _ = run(make_video(tmp_path / "cfr.mkv", fps=30))

    assert result["video"]["variable_frame_rate"] is False
    assert result["video"]["fps"] == pytest.approx(30.0, abs=0.1)


def test_no_audio_stream(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "mute.mp4"))

    assert result["audio"] is None
    assert "no_audio" in codes(result)
    assert "silent_audio" not in codes(result)


def test_silent_audio_track(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "silence.mp4", audio="silence"))

    audio = result["audio"]
    assert audio["silent"] is True
    assert audio["rms_dbfs"] <= -60
    assert "silent_audio" in codes(result)
    assert "no_audio" not in codes(result)


def test_audible_track_levels(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "tone.mp4", audio="tone"))

    audio = result["audio"]
    assert (audio["codec"], audio["channels"], audio["sample_rate"]) == ("aac", 1, 48000)
    # A sine of amplitude 0.25 has an RMS of 0.177: -15 dBFS.
    assert audio["rms_dbfs"] == pytest.approx(-15.05, abs=0.5)
    assert len(audio["per_second_dbfs"]) == 2
    assert all(v == pytest.approx(-15.05, abs=1.0) for v in audio["per_second_dbfs"])
    assert audio["silent"] is False
    assert not {"no_audio", "silent_audio"} & set(codes(result))


def test_dark_clip_is_too_dark(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "dark.mp4", dark=True, noise=4.0))

    assert result["quality"]["brightness_mean"] < 0.15
    assert "too_dark" in codes(result)


def test_normal_clip_is_neither_dark_nor_overexposed_nor_blurry(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "fine.mp4", width=640, height=480, audio="tone"))

    assert result["quality"]["warnings"] == []
    assert 0.2 < result["quality"]["brightness_mean"] < 0.8
    assert result["quality"]["sharpness"] > 0


def test_overexposed_clip(tmp_path: Path) -> None:
    def white(index: int, t: float, scene: int, in_scene: int) -> np.ndarray:
        frame = np.full((120, 160, 3), 252, dtype=np.uint8)
        frame[40:80, (index % 100) : (index % 100) + 20] = 180
        return frame

    result, _ = run(make_video(tmp_path / "white.mp4", pixel_fn=white))

    assert "overexposed" in codes(result)


def test_blur_is_judged_relative_to_the_picture(tmp_path: Path) -> None:
    blurry, _ = run(make_video(tmp_path / "blurry.mp4", width=320, height=240, blur=True))
    sharp, _ = run(make_video(tmp_path / "sharp.mp4", width=320, height=240))
    ramp = np.linspace(40, 200, 320, dtype=np.float32)[None, :].repeat(240, 0)
    smooth_rgb = np.stack([ramp, ramp * 0.9, ramp * 0.8], axis=2).astype(np.uint8)

    def smooth(index: int, t: float, scene: int, in_scene: int) -> np.ndarray:
        return np.roll(smooth_rgb, index, axis=1)

    smooth_scene, _ = run(
        make_video(tmp_path / "smooth.mp4", width=320, height=240, pixel_fn=smooth)
    )

    assert "blurry" in codes(blurry)
    assert "blurry" not in codes(sharp)
    assert "blurry" not in codes(smooth_scene)  # nothing to be sharp is not blur
    assert sharp["quality"]["sharpness"] > blurry["quality"]["sharpness"]


def test_motion_scores_and_highlights(tmp_path: Path) -> None:
    still = np.full((120, 160, 3), 90, dtype=np.uint8)
    still[30:90, 40:120] = 200
    noise = np.random.default_rng(1)

    def calm_then_busy(index: int, t: float, scene: int, in_scene: int) -> np.ndarray:
        if t < 3.0:
            return still
        return noise.integers(0, 255, size=(120, 160, 3), dtype=np.uint8)

    result, _ = run(make_video(tmp_path / "busy.mp4", seconds=6.0, pixel_fn=calm_then_busy))

    values = result["motion"]["values"]
    assert len(values) == 6
    assert all(0.0 <= v <= 1.0 for v in values)
    assert max(values[:3]) < 0.05
    assert min(values[3:]) > 0.5
    highlights = result["highlights"]
    assert 1 <= len(highlights) <= 3
    assert [h["score"] for h in highlights] == sorted(
        (h["score"] for h in highlights), reverse=True
    )
    assert highlights[0]["start_s"] >= 3.0


def test_hevc_in_mov(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "clip.mov", codec="libx265", cuts=[1.0]))

    assert result["video"]["codec"] == "hevc"
    assert "mov" in result["video"]["container"]
    assert_cuts(scene_starts(result)[1:], [1.0])


def test_ten_bit_hdr_frames_read_like_eight_bit(tmp_path: Path) -> None:
    eight, _ = run(make_video(tmp_path / "sdr.mov", codec="libx265"))
    ten, _ = run(make_video(tmp_path / "hdr.mov", codec="libx265", pix_fmt="yuv420p10le"))

    assert ten["video"]["profile"] == "Main 10"
    assert ten["quality"]["brightness_mean"] == pytest.approx(
        eight["quality"]["brightness_mean"], abs=0.02
    )


def test_vp9_in_webm(tmp_path: Path) -> None:
    path = make_video(tmp_path / "clip.webm", codec="libvpx-vp9", audio="tone", cuts=[1.0])

    result, _ = run(path)

    assert result["video"]["codec"] == "vp9"
    assert "webm" in result["video"]["container"]
    assert result["audio"]["codec"] == "opus"
    assert_cuts(scene_starts(result)[1:], [1.0])


def test_creation_time_is_reported_in_utc(tmp_path: Path) -> None:
    path = make_video(tmp_path / "dated.mov", creation_time="2024-05-01T10:00:00.000000Z")

    result, _ = run(path)

    assert result["video"]["created_at"] == "2024-05-01T10:00:00Z"


@pytest.mark.parametrize(
    ("rotation", "corner"),
    [(0, "top_left"), (90, "top_right"), (180, "bottom_right"), (270, "bottom_left")],
)
def test_thumbnails_are_turned_the_way_a_viewer_shows_the_video(
    tmp_path: Path, rotation: int, corner: str
) -> None:
    def marked(index: int, t: float, scene: int, in_scene: int) -> np.ndarray:
        frame = np.full((120, 160, 3), 60, dtype=np.uint8)
        frame[:30, :40] = (250, 40, 40)  # red block at the coded picture's top left
        frame[60:100, 60:120] = 150 + index % 50
        return frame

    path = make_video(tmp_path / "marked.mp4", rotation=rotation, pixel_fn=marked)

    result, _ = run(path, thumbnails=tmp_path / "thumbs")

    assert result["video"]["rotation"] == rotation
    with Image.open(tmp_path / "thumbs" / "0.jpg") as image:
        rgb = np.asarray(image.convert("RGB")).astype(int)
    h, w = rgb.shape[:2]
    corners = {
        "top_left": rgb[: h // 8, : w // 8],
        "top_right": rgb[: h // 8, -w // 8 :],
        "bottom_left": rgb[-h // 8 :, : w // 8],
        "bottom_right": rgb[-h // 8 :, -w // 8 :],
    }
    red = {name: float((px[..., 0] - px[..., 2]).mean()) for name, px in corners.items()}
    assert max(red, key=lambda name: red[name]) == corner


def test_a_single_frame_video(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "one.mp4", seconds=1 / 24), thumbnails=tmp_path / "t")

    assert result["frames_analyzed"] == 1
    assert len(result["scenes"]) == 1
    assert (tmp_path / "t" / "0.jpg").exists()


def test_thumbnails_of_an_earlier_attempt_are_replaced(tmp_path: Path) -> None:
    thumbs = tmp_path / "thumbs"
    thumbs.mkdir()
    for n in range(5):
        (thumbs / f"{n}.jpg").write_bytes(b"old")
    (thumbs / "notes.txt").write_text("not ours")

    result, _ = run(make_video(tmp_path / "clip.mp4", cuts=[1.0]), thumbnails=thumbs)

    assert len(result["scenes"]) == 2
    assert sorted(p.name for p in thumbs.iterdir()) == ["0.jpg", "1.jpg", "notes.txt"]
    assert (thumbs / "0.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_sensor_noise_on_a_still_shot_is_not_motion(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    scene = rng.uniform(10, 60, size=(15, 20, 3)).repeat(8, 0).repeat(8, 1)

    def grainy(index: int, t: float, scene_index: int, in_scene: int) -> np.ndarray:
        grain = rng.normal(0, 4, size=scene.shape)
        return np.asarray(np.clip(scene + grain, 0, 255), dtype=np.uint8)

    result, _ = run(make_video(tmp_path / "night.mp4", pixel_fn=grainy, crf=10))

    assert max(result["motion"]["values"]) < 0.1
    assert "too_dark" in codes(result)
