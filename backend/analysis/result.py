"""Assembling the result document: plain JSON types, rounded, never NaN."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import motion
from .audio import FLOOR_DBFS, AudioMeter
from .decode import DecodeOutcome
from .frames import FrameAnalyzer
from .probe import Probe
from .quality import QualityFacts, median, warnings
from .timing import average_fps, is_variable, typical_step

ANALYZER_VERSION = "1.0"
MOTION_INTERVAL_S = 1.0


@dataclass(frozen=True)
class Extent:
    """How much of the video was read, and how much the container promised."""

    readable_s: float
    truncated_message: str | None


def extent(probe: Probe, outcome: DecodeOutcome, analyzer: FrameAnalyzer) -> Extent:
    """Where the decoded video ends, and whether that is short of what the file claims."""
    step = typical_step(analyzer.times) or (
        1.0 / probe.video.average_rate if probe.video.average_rate else 1.0 / 30.0
    )
    readable = (analyzer.times[-1] if analyzer.count else 0.0) + step
    expected = probe.video.duration_s
    message = None
    if expected and readable < expected - max(0.5, 2 * step):
        message = (
            f"The file ends early: only the first {readable:.1f} s of {expected:.1f} s "
            "could be read."
        )
    elif outcome.stopped_early:
        message = (
            f"The file is damaged after {readable:.1f} s ({outcome.stopped_early}); "
            "the rest could not be read."
        )
    elif _ends_inside_a_packet(probe):
        message = f"The file stops abruptly after {readable:.1f} s; the rest is missing."
    return Extent(readable, message)


def _ends_inside_a_packet(probe: Probe) -> bool:
    # MPEG-TS has no index to compare with (its duration is guessed from the size), but it is
    # made of 188-byte packets (192 in M2TS): a file that stops inside one was cut short.
    size = probe.size_bytes
    return probe.video.container == "mpegts" and size % 188 != 0 and size % 192 != 0


def build(
    probe: Probe,
    outcome: DecodeOutcome,
    analyzer: FrameAnalyzer,
    meter: AudioMeter | None,
    span: Extent,
    frame_size: tuple[int, int],
    elapsed_s: float,
) -> dict[str, Any]:
    """The result document, without job_id and thumbnail URLs (the web layer adds those)."""
    duration = span.readable_s if span.truncated_message else probe.video.duration_s
    duration = duration or span.readable_s
    values = motion.per_second(
        analyzer.times, analyzer.changes, set(analyzer.cut_frames), span.readable_s
    )
    audio = _audio(probe, meter)
    video = _video(probe, outcome, analyzer, frame_size, duration)
    facts = QualityFacts(
        brightness=analyzer.brightness,
        clipped=analyzer.clipped,
        sharpness=analyzer.sharpness,
        blur=analyzer.blur,
        display_width=video["display_width"],
        display_height=video["display_height"],
        has_audio=audio is not None,
        silent_audio=bool(audio and audio["silent"]),
        truncated_message=span.truncated_message,
    )
    brightness = sum(analyzer.brightness) / analyzer.count if analyzer.count else 0.0
    return {
        "analyzer_version": ANALYZER_VERSION,
        "frames_analyzed": outcome.frames,
        "analysis_seconds": _num(elapsed_s, 2),
        "video": video,
        "audio": audio,
        "scenes": _scenes(analyzer, span.readable_s),
        "motion": {"interval_s": MOTION_INTERVAL_S, "values": [_num(v, 3) for v in values]},
        "highlights": [
            {"start_s": _num(h.start_s, 3), "end_s": _num(h.end_s, 3), "score": _num(h.score, 3)}
            for h in motion.highlights(values, MOTION_INTERVAL_S, span.readable_s)
        ],
        "quality": {
            "brightness_mean": _num(brightness, 3),
            "sharpness": _num(median(analyzer.sharpness) or 0.0, 1),
            "warnings": [{"code": w.code, "message": w.message} for w in warnings(facts)],
        },
    }


def _video(
    probe: Probe,
    outcome: DecodeOutcome,
    analyzer: FrameAnalyzer,
    frame_size: tuple[int, int],
    duration: float,
) -> dict[str, Any]:
    info = probe.video
    width, height = frame_size if frame_size[0] > 0 else (info.width, info.height)
    # FFmpeg's display matrix angle is counter-clockwise; people (and the old `rotate` tag)
    # speak of the clockwise turn a viewer applies: a portrait phone clip is 90.
    rotation = (round(-outcome.rotation_ccw / 90) * 90) % 360
    display_width = max(1, round(width * info.sample_aspect))
    display_height = height
    if rotation in (90, 270):
        display_width, display_height = display_height, display_width
    fps = average_fps(analyzer.times, info.average_rate)
    bit_rate = info.bit_rate
    if not bit_rate and duration > 0:
        bit_rate = round(probe.size_bytes * 8 / duration)
    return {
        "duration_s": _num(duration, 3),
        "fps": _num(fps or 0.0, 3),
        "variable_frame_rate": is_variable(analyzer.times),
        "frame_count": outcome.frames,
        "width": width,
        "height": height,
        "rotation": rotation,
        "display_width": display_width,
        "display_height": display_height,
        "codec": info.codec,
        "profile": info.profile,
        "bit_rate": int(bit_rate) if bit_rate else None,
        "container": info.container,
        "created_at": info.created_at,
    }


def _audio(probe: Probe, meter: AudioMeter | None) -> dict[str, Any] | None:
    if probe.audio is None:
        return None
    has_samples = meter is not None and meter.has_samples
    return {
        "codec": probe.audio.codec,
        "channels": probe.audio.channels,
        "sample_rate": probe.audio.sample_rate,
        "rms_dbfs": _num(meter.rms_dbfs(), 1) if meter else FLOOR_DBFS,
        "per_second_dbfs": [_num(v, 1) for v in meter.per_second_dbfs()] if meter else [],
        "silent": meter.silent() if meter and has_samples else True,
    }


def _scenes(analyzer: FrameAnalyzer, end_s: float) -> list[dict[str, Any]]:
    starts = [0.0] + [analyzer.times[i] for i in analyzer.cut_frames]
    ends = [*starts[1:], end_s]
    return [
        {"index": n, "start_s": _num(start, 3), "end_s": _num(end, 3)}
        for n, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]


def _num(value: float, digits: int) -> float:
    """A rounded plain float; JSON has no NaN or infinity, so those become 0."""
    number = float(value)
    return round(number, digits) if math.isfinite(number) else 0.0
