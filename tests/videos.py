"""Small real videos with known truth, generated with PyAV for the tests and the bench."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
from av.audio.stream import AudioStream
from av.video.stream import VideoStream

# (frame index, time in s, scene index, frame index inside the scene) -> RGB uint8 (h, w, 3)
PixelFn = Callable[[int, float, int, int], np.ndarray]
# A callable gives the samples (-1..1) for an array of times in seconds.
AudioKind = Literal["tone", "silence"] | Callable[[np.ndarray], np.ndarray] | None

_CONTAINER_BY_SUFFIX = {
    ".mp4": "mp4",
    ".m4v": "mp4",
    ".mov": "mov",
    ".mkv": "matroska",
    ".webm": "webm",
    ".ts": "mpegts",
    ".m4a": "ipod",
}
_AUDIO_CODEC_BY_CONTAINER = {"webm": "libopus", "matroska": "aac", "mpegts": "aac"}
_AUDIO_RATE = 48000
_TONE_AMPLITUDE = 0.25  # about -15 dBFS RMS: clearly audible, far from clipping


def make_video(
    path: str | os.PathLike[str],
    *,
    seconds: float = 2.0,
    fps: float = 24,
    width: int = 160,
    height: int = 120,
    codec: str = "libx264",
    container: str | None = None,
    cuts: Sequence[float] = (),
    pixel_fn: PixelFn | None = None,
    rotation: int = 0,
    audio: AudioKind = None,
    vfr: bool = False,
    dark: bool = False,
    noise: float = 0.0,
    fades: Sequence[tuple[float, float]] = (),
    blur: bool = False,
    pix_fmt: str | None = None,
    crf: int = 23,
    preset: str = "veryfast",
    faststart: bool = False,
    creation_time: str | None = None,
    seed: int = 0,
) -> Path:
    """Write a video whose scenes change exactly at `cuts` (seconds) and return its path.

    Each scene has its own gradient, blocks and a moving square, so hard cuts are obvious and
    motion is never zero. `rotation` is the clockwise display rotation in degrees (what a phone
    writes for a portrait clip: 90). `fades` are (start_s, end_s) spans whose brightness ramps
    linearly to black and back. `vfr` halves the frame rate for the second half of the clip.
    """
    out = Path(path)
    fmt = container or _CONTAINER_BY_SUFFIX.get(out.suffix.lower(), "mp4")
    times = _frame_times(seconds, fps, vfr)
    painter = _ScenePainter(width, height, dark=dark, noise=noise, blur=blur, seed=seed)
    options: dict[str, str] = {}
    if faststart and fmt in ("mp4", "mov"):
        options["movflags"] = "+faststart"
    with av.open(str(out), "w", format=fmt, options=options or None) as output:
        if creation_time is not None:
            output.metadata["creation_time"] = creation_time
        vstream = _add_video_stream(output, codec, fps, width, height, pix_fmt, crf, preset)
        if rotation % 360:
            # PyAV takes the counter-clockwise angle of the display matrix.
            vstream.set_display_rotation(-float(rotation % 360))
        astream = _add_audio_stream(output, fmt) if audio is not None else None
        audio_writer = _AudioWriter(astream, audio) if astream is not None else None
        for index, t in enumerate(times):
            if audio_writer is not None:
                audio_writer.write_until(output, t)
            scene = sum(1 for cut in cuts if cut <= t + 1e-9)
            scene_start = _scene_start_index(times, cuts, scene)
            if pixel_fn is not None:
                rgb = pixel_fn(index, t, scene, index - scene_start)
            else:
                rgb = painter.frame(scene, index - scene_start, _fade_gain(t, fades))
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = round(t / vstream.codec_context.time_base)
            frame.time_base = vstream.codec_context.time_base
            output.mux(vstream.encode(frame))
        output.mux(vstream.encode(None))
        if audio_writer is not None:
            end = times[-1] + 1.0 / fps if times else 0.0
            audio_writer.write_until(output, end)
            audio_writer.flush(output)
    return out


def write_yuv_video(
    path: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    *,
    fps: int,
    width: int,
    height: int,
    audio: AudioKind = None,
    crf: int = 20,
    preset: str = "veryfast",
) -> Path:
    """Encode ready-made yuv420p frames ((height * 3 // 2, width) uint8) at a constant rate.

    For the bench: painting 1080p in YUV directly is several times faster than RGB.
    """
    out = Path(path)
    fmt = _CONTAINER_BY_SUFFIX.get(out.suffix.lower(), "mp4")
    with av.open(str(out), "w", format=fmt) as output:
        vstream = _add_video_stream(output, "libx264", fps, width, height, None, crf, preset)
        astream = _add_audio_stream(output, fmt) if audio is not None else None
        audio_writer = _AudioWriter(astream, audio) if astream is not None else None
        index = 0
        for index, yuv in enumerate(frames):
            t = index / fps
            if audio_writer is not None:
                audio_writer.write_until(output, t)
            frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
            frame.pts = round(t / vstream.codec_context.time_base)
            frame.time_base = vstream.codec_context.time_base
            output.mux(vstream.encode(frame))
        output.mux(vstream.encode(None))
        if audio_writer is not None:
            audio_writer.write_until(output, (index + 1) / fps)
            audio_writer.flush(output)
    return out


def cut_frame_times(cuts: Sequence[float], fps: float) -> list[float]:
    """The times of the first frame of each new scene, as make_video lays frames on a grid."""
    return [math.ceil(cut * fps - 1e-9) / fps for cut in cuts]


def make_truncated(
    path: str | os.PathLike[str], *, keep: float = 0.5, seconds: float = 4.0, **kwargs: Any
) -> Path:
    """Write a video with its index first, then cut the file to `keep` of its bytes."""
    out = make_video(path, seconds=seconds, faststart=True, **kwargs)
    size = out.stat().st_size
    with out.open("r+b") as handle:
        handle.truncate(int(size * keep))
    return out


def make_audio_only(path: str | os.PathLike[str], *, seconds: float = 1.0) -> Path:
    """Write an audio file with a tone and no video stream (.m4a gives AAC in MP4)."""
    out = Path(path)
    fmt = _CONTAINER_BY_SUFFIX.get(out.suffix.lower(), "ipod")
    with av.open(str(out), "w", format=fmt) as output:
        stream = _add_audio_stream(output, fmt)
        writer = _AudioWriter(stream, "tone")
        writer.write_until(output, seconds)
        writer.flush(output)
    return out


def make_text_file(path: str | os.PathLike[str]) -> Path:
    """Write plain text under a video's name."""
    out = Path(path)
    out.write_text("This is not a video.\n" * 50, encoding="utf-8")
    return out


def _frame_times(seconds: float, fps: float, vfr: bool) -> list[float]:
    times: list[float] = []
    t = 0.0
    step = 1.0 / fps
    while t < seconds - 1e-9:
        times.append(round(t, 9))
        t += 2 * step if vfr and t >= seconds / 2 else step
    return times


def _scene_start_index(times: Sequence[float], cuts: Sequence[float], scene: int) -> int:
    if scene == 0:
        return 0
    boundary = sorted(cuts)[scene - 1]
    return next(i for i, t in enumerate(times) if t >= boundary - 1e-9)


def _fade_gain(t: float, fades: Sequence[tuple[float, float]]) -> float:
    for start, end in fades:
        if start <= t < end:
            middle = (start + end) / 2
            half = max((end - start) / 2, 1e-9)
            return min(1.0, abs(t - middle) / half)
    return 1.0


def _add_video_stream(
    output: av.container.OutputContainer,
    codec: str,
    fps: float,
    width: int,
    height: int,
    pix_fmt: str | None,
    crf: int,
    preset: str,
) -> VideoStream:
    rate = Fraction(fps).limit_denominator(1001)
    options: dict[str, str] = {}
    if codec == "libx264":
        options = {"preset": preset, "crf": str(crf)}
    elif codec == "libx265":
        options = {"preset": "ultrafast", "crf": str(crf), "x265-params": "log-level=error"}
    elif codec in ("libvpx-vp9", "libvpx"):
        options = {"deadline": "realtime", "cpu-used": "8", "crf": str(crf + 10), "b": "0"}
    stream = output.add_stream(codec, rate=rate, options=options)
    assert isinstance(stream, VideoStream)
    stream.width = width
    stream.height = height
    stream.pix_fmt = pix_fmt or "yuv420p"
    # A fine time base lets VFR fixtures carry exact irregular timestamps.
    stream.codec_context.time_base = Fraction(1, 90000)
    stream.time_base = Fraction(1, 90000)
    # SLICE threading (PyAV's default) makes libx264 write several slices per frame, which
    # decodes faster than real single-slice phone footage; FRAME keeps one slice per frame.
    stream.codec_context.thread_type = "FRAME"
    if codec == "libx265" and output.format.name in ("mov", "mp4"):
        stream.codec_context.codec_tag = "hvc1"
    return stream


def _add_audio_stream(output: av.container.OutputContainer, fmt: str) -> AudioStream:
    codec = _AUDIO_CODEC_BY_CONTAINER.get(fmt, "aac")
    stream = output.add_stream(codec, rate=_AUDIO_RATE)
    assert isinstance(stream, AudioStream)
    stream.layout = "mono"
    return stream


class _AudioWriter:
    """Feeds an audio encoder in fixed chunks, interleaved with the video by time."""

    def __init__(self, stream: AudioStream, kind: AudioKind) -> None:
        self.stream = stream
        self.kind = kind
        self.rate = stream.codec_context.sample_rate or _AUDIO_RATE
        self.chunk = stream.codec_context.frame_size or 1024
        self.sample = 0

    def write_until(self, output: av.container.OutputContainer, t: float) -> None:
        while self.sample < t * self.rate:
            index = np.arange(self.sample, self.sample + self.chunk)
            if callable(self.kind):
                wave = self.kind(index / self.rate)
            elif self.kind == "tone":
                wave = _TONE_AMPLITUDE * np.sin(2 * np.pi * 440.0 * index / self.rate)
            else:
                wave = np.zeros(self.chunk)
            frame = av.AudioFrame.from_ndarray(
                wave.astype(np.float32).reshape(1, -1), format="fltp", layout="mono"
            )
            frame.sample_rate = self.rate
            frame.pts = self.sample
            frame.time_base = Fraction(1, self.rate)
            output.mux(self.stream.encode(frame))
            self.sample += self.chunk

    def flush(self, output: av.container.OutputContainer) -> None:
        output.mux(self.stream.encode(None))


class _ScenePainter:
    """Paints deterministic, distinct scenes; backgrounds are cached so frames stay cheap."""

    def __init__(
        self, width: int, height: int, *, dark: bool, noise: float, blur: bool, seed: int
    ) -> None:
        self.width = width
        self.height = height
        self.dark = dark
        self.noise = noise
        self.blur = blur
        self.seed = seed
        self._backgrounds: dict[int, list[np.ndarray]] = {}

    def frame(self, scene: int, index: int, gain: float) -> np.ndarray:
        bank = self._backgrounds.get(scene)
        if bank is None:
            bank = self._background_bank(scene)
            self._backgrounds = {scene: bank}  # one scene at a time keeps memory flat
        rgb = bank[index % len(bank)].copy()
        self._draw_square(rgb, scene, index)
        if self.blur:
            rgb = _box_blur(rgb.astype(np.float32), max(2, self.width // 40)).astype(np.uint8)
        if gain < 1.0:
            rgb = (rgb.astype(np.float32) * gain).astype(np.uint8)
        return rgb

    def _background_bank(self, scene: int) -> list[np.ndarray]:
        rng = np.random.default_rng(self.seed * 1000 + scene)
        h, w = self.height, self.width
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h + 1.5) / 3.0
        low, high = (4.0, 60.0) if self.dark else (30.0, 225.0)
        colour = rng.uniform(0.3, 1.0, size=3).astype(np.float32)
        base = low + (high - low) * ramp[..., None] * colour
        for _ in range(4):
            x0, y0 = int(rng.integers(0, w * 3 // 4)), int(rng.integers(0, h * 3 // 4))
            bw, bh = int(rng.integers(w // 8, w // 3)), int(rng.integers(h // 8, h // 3))
            base[y0 : y0 + bh, x0 : x0 + bw] = rng.uniform(low, high, size=3)
        if self.noise <= 0:
            return [base.clip(0, 255).astype(np.uint8)]
        return [
            (base + rng.normal(0.0, self.noise, size=base.shape).astype(np.float32))
            .clip(0, 255)
            .astype(np.uint8)
            for _ in range(4)
        ]

    def _draw_square(self, rgb: np.ndarray, scene: int, index: int) -> None:
        h, w = self.height, self.width
        size = max(4, min(h, w) // 6)
        span_x, span_y = max(1, w - size), max(1, h - size)
        x = (scene * 37 + index * max(1, w // 48)) % (2 * span_x)
        y = (scene * 23 + index * max(1, h // 64)) % (2 * span_y)
        x = x if x < span_x else 2 * span_x - x
        y = y if y < span_y else 2 * span_y - y
        level = 36 if self.dark else 240
        rgb[y : y + size, x : x + size] = (level, level - (scene * 40) % level, level // 2)


def _box_blur(image: np.ndarray, radius: int) -> np.ndarray:
    out = image
    for axis in (0, 1):
        padded = np.concatenate(
            [
                np.repeat(out.take([0], axis), radius, axis),
                out,
                np.repeat(out.take([-1], axis), radius, axis),
            ],
            axis=axis,
        )
        csum = np.cumsum(padded, axis=axis, dtype=np.float64)
        zero = np.zeros_like(csum.take([0], axis))
        csum = np.concatenate([zero, csum], axis=axis)
        n = out.shape[axis]
        width = 2 * radius + 1
        out = (csum.take(range(width, n + width), axis) - csum.take(range(0, n), axis)) / width
    return out.astype(np.float32)
