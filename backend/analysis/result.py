"""Assembling the result document: plain JSON types, rounded, never NaN."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from . import motion
from .audio import FINE_S, FLOOR_DBFS, AudioMeter
from .boundaries import Boundary, with_fades
from .camera import shake_per_second
from .cues import MIN_SILENCE_S, SILENCE_DBFS, Cue, stretches, video_cues
from .decode import DecodeOutcome
from .frames import FrameAnalyzer
from .loudness import FLOOR_LUFS, LoudnessMeter
from .probe import Probe
from .quality import QualityFacts, median, warnings
from .timing import average_fps, is_variable, typical_step

ANALYZER_VERSION = "3.6"
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
    loudness: LoudnessMeter | None,
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
    video = _video(probe, outcome, analyzer, frame_size, duration)
    fps = video["fps"] or 30.0
    found = with_fades(analyzer.boundaries.found, analyzer.contrast, fps)
    audio = _audio(probe, meter, loudness)
    # Across a cut or inside a transition the "shift" between frames is no camera move.
    breaks = set(analyzer.cut_frames)
    for boundary in found:
        if boundary.span is not None:
            breaks.update(range(boundary.span[0], boundary.span[1] + 2))
    shake = shake_per_second(
        analyzer.times, analyzer.camera.dx, analyzer.camera.dy, breaks, fps, span.readable_s
    )
    black = [bool(b) for b in analyzer.black]
    cues = video_cues(analyzer.times, black, analyzer.still, analyzer.moved, span.readable_s)
    if meter is not None and meter.has_samples:
        levels = meter.fine_dbfs()
        times = [i * FINE_S for i in range(len(levels))]
        quiet = [level < SILENCE_DBFS for level in levels]
        cues += stretches("silence", quiet, times, len(levels) * FINE_S, MIN_SILENCE_S)
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
        loudness_lufs=audio["loudness"]["integrated_lufs"] if audio else None,
        clipped_samples=audio["loudness"]["clipped_samples"] if audio else 0,
        audio_samples=meter.samples if meter else 0,
        shake=shake,
    )
    brightness = sum(analyzer.brightness) / analyzer.count if analyzer.count else 0.0
    return {
        "analyzer_version": ANALYZER_VERSION,
        "frames_analyzed": outcome.frames,
        "analysis_seconds": _num(elapsed_s, 2),
        "video": video,
        "audio": audio,
        "scenes": _scenes(analyzer, found, span.readable_s),
        "cues": _cues(cues),
        "motion": {"interval_s": MOTION_INTERVAL_S, "values": [_num(v, 3) for v in values]},
        "highlights": [
            {"start_s": _num(h.start_s, 3), "end_s": _num(h.end_s, 3), "score": _num(h.score, 3)}
            for h in motion.highlights(values, MOTION_INTERVAL_S, span.readable_s)
        ],
        "stability": {"interval_s": MOTION_INTERVAL_S, "shake": [_num(v, 3) for v in shake]},
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


def _audio(
    probe: Probe, meter: AudioMeter | None, loudness: LoudnessMeter | None
) -> dict[str, Any] | None:
    if probe.audio is None:
        return None
    has_samples = meter is not None and meter.has_samples
    integrated, lra, peak = loudness.figures() if loudness else (FLOOR_LUFS, 0.0, FLOOR_DBFS)
    return {
        "codec": probe.audio.codec,
        "channels": probe.audio.channels,
        "sample_rate": probe.audio.sample_rate,
        "rms_dbfs": _num(meter.rms_dbfs(), 1) if meter else FLOOR_DBFS,
        "per_second_dbfs": [_num(v, 1) for v in meter.per_second_dbfs()] if meter else [],
        "silent": meter.silent() if meter and has_samples else True,
        "loudness": {
            "integrated_lufs": _num(integrated, 1),
            "range_lu": _num(lra, 1),
            "true_peak_dbtp": _num(peak, 1),
            "clipped_samples": meter.clipped_samples if meter else 0,
        },
    }


def _scenes(analyzer: FrameAnalyzer, found: list[Boundary], end_s: float) -> list[dict[str, Any]]:
    """Scenes in order; each after the first says how it began, gradual ones with the span."""
    times = analyzer.times
    last = len(times) - 1
    scenes: list[dict[str, Any]] = [{"index": 0, "start_s": 0.0, "end_s": 0.0, "kind": "cut"}]
    for boundary in found:
        scene: dict[str, Any] = {
            "index": len(scenes),
            "start_s": _num(times[boundary.frame], 3),
            "end_s": 0.0,
            "kind": boundary.kind,
        }
        if boundary.span is not None:
            first, final = boundary.span
            scene["transition_start_s"] = _num(times[max(0, first)], 3)
            # The transition ends when its last mixed frame does: where the next one begins.
            scene["transition_end_s"] = _num(times[final + 1] if final + 1 <= last else end_s, 3)
        scenes.append(scene)
    for scene, following in zip(scenes, [*scenes[1:], None], strict=True):
        scene["end_s"] = following["start_s"] if following else _num(end_s, 3)
    return scenes


def _cues(cues: list[Cue]) -> list[dict[str, Any]]:
    ordered = sorted(cues, key=lambda c: (c.start_s, c.kind))
    return [
        {"kind": c.kind, "start_s": _num(c.start_s, 3), "end_s": _num(c.end_s, 3)} for c in ordered
    ]


def _num(value: float, digits: int) -> float:
    """A rounded plain float; JSON has no NaN or infinity, so those become 0."""
    number = float(value)
    return round(number, digits) if math.isfinite(number) else 0.0
