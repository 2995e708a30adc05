"""Opening a file and reading what its container says about it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

import av
from av.audio.stream import AudioStream
from av.container import InputContainer
from av.stream import Disposition
from av.video.stream import VideoStream

from .errors import INVALID_VIDEO, NO_VIDEO_STREAM, AnalysisError


@dataclass(frozen=True)
class VideoInfo:
    """What the container claims about the video stream, before any frame is decoded."""

    codec: str
    profile: str | None
    bit_rate: int | None
    container: str
    created_at: str | None
    duration_s: float | None
    width: int
    height: int
    sample_aspect: Fraction
    average_rate: float | None
    frames: int
    start_s: float


@dataclass(frozen=True)
class AudioInfo:
    codec: str
    channels: int
    sample_rate: int


@dataclass(frozen=True)
class Probe:
    video_stream: VideoStream
    audio_stream: AudioStream | None
    video: VideoInfo
    audio: AudioInfo | None
    size_bytes: int


def open_container(path: str | os.PathLike[str]) -> InputContainer:
    """Open the file for reading, turning FFmpeg's refusals into invalid_video."""
    try:
        if os.path.getsize(path) == 0:
            raise AnalysisError(INVALID_VIDEO, "The file is empty.")
        return av.open(os.fspath(path), mode="r", metadata_errors="ignore")
    except FileNotFoundError as error:
        raise AnalysisError(INVALID_VIDEO, "The video file is missing.") from error
    except av.error.InvalidDataError as error:
        raise AnalysisError(INVALID_VIDEO, _unreadable(path)) from error
    except (av.error.FFmpegError, OSError) as error:
        raise AnalysisError(
            INVALID_VIDEO, f"The file could not be opened as a video ({_reason(error)})."
        ) from error


def probe(container: InputContainer, path: str | os.PathLike[str]) -> Probe:
    """Pick the streams to analyse and read their metadata."""
    video_stream = _pick_video(container)
    audio_stream = next(iter(container.streams.audio), None)
    if audio_stream is not None and audio_stream.codec_context is None:
        audio_stream = None  # an audio codec FFmpeg cannot decode is reported as no audio
    video = _video_info(container, video_stream)
    audio = None
    if audio_stream is not None:
        ctx = audio_stream.codec_context
        audio = AudioInfo(
            codec=ctx.name,
            channels=ctx.channels or audio_stream.layout.nb_channels,
            sample_rate=ctx.sample_rate,
        )
    return Probe(video_stream, audio_stream, video, audio, os.path.getsize(path))


def _pick_video(container: InputContainer) -> VideoStream:
    # Album art in audio files shows up as a one-picture "video" stream; it is not a video.
    streams = [s for s in container.streams.video if not s.disposition & Disposition.attached_pic]
    if not streams and not container.streams.audio:
        raise AnalysisError(
            INVALID_VIDEO, "The file holds no audio or video at all; it may be cut short."
        )
    if not streams:
        raise AnalysisError(NO_VIDEO_STREAM, "The file has no video stream, only audio.")
    stream = streams[0]
    if stream.codec_context is None or not stream.codec_context.name:
        raise AnalysisError(INVALID_VIDEO, "The video uses a codec that cannot be decoded here.")
    return stream


def _video_info(container: InputContainer, stream: VideoStream) -> VideoInfo:
    ctx = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate
    return VideoInfo(
        codec=ctx.name,
        profile=ctx.profile or None,
        bit_rate=stream.bit_rate or container.bit_rate or None,
        container=container.format.name,
        created_at=_creation_time(container, stream),
        duration_s=_duration(container, stream),
        width=ctx.width,
        height=ctx.height,
        sample_aspect=stream.sample_aspect_ratio or Fraction(1),
        average_rate=float(rate) if rate else None,
        frames=stream.frames,
        start_s=float(stream.start_time * stream.time_base)
        if stream.start_time is not None and stream.time_base is not None
        else 0.0,
    )


def _duration(container: InputContainer, stream: VideoStream) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration and container.duration > 0:
        return container.duration / 1_000_000  # AV_TIME_BASE
    return None


def _creation_time(container: InputContainer, stream: VideoStream) -> str | None:
    raw = container.metadata.get("creation_time") or stream.metadata.get("creation_time")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # QuickTime and Matroska store UTC
    if moment.year < 1971:
        return None  # an unset MP4 field reads as 1904 or 1970, not a real date
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _unreadable(path: str | os.PathLike[str]) -> str:
    """Why FFmpeg refused the file, as far as its first bytes tell."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[4:8] == b"ftyp":
        # MP4 and MOV writers put the index (moov) at the end unless asked not to: a recording
        # or an upload cut short loses it, and with it every frame.
        return (
            "The MP4/MOV file is incomplete: its index is missing, as happens when a recording "
            "or an upload is cut short."
        )
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "The Matroska/WebM file is damaged and cannot be read."
    return "The file is not a video: no known container format was recognised."


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return str(text).rstrip(".").lower() or "unknown error"
