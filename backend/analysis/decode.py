"""The single pass over the file: demux, decode, hand frames on, report, stop on request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import av
from av.audio.frame import AudioFrame
from av.container import InputContainer
from av.stream import Stream
from av.video.frame import VideoFrame

from .probe import Probe
from .progress import Progress

VideoSink = Callable[[VideoFrame, float], None]
AudioSink = Callable[[AudioFrame], None]
# A file that still decodes after a few bad packets is damaged, not unreadable; one that keeps
# failing would only waste time.
_MAX_BAD_PACKETS = 50


@dataclass
class DecodeOutcome:
    frames: int = 0
    rotation_ccw: int = 0
    first_time_s: float = 0.0
    bad_packets: int = 0
    stopped_early: str | None = None  # what made the demuxer give up before the end
    first_error: str | None = None


def decode(
    container: InputContainer,
    probe: Probe,
    on_video: VideoSink,
    on_audio: AudioSink | None,
    progress: Progress,
) -> DecodeOutcome:
    """Decode every video frame (and audio frame) once, in file order."""
    video_stream = probe.video_stream
    # PyAV's default, SLICE, runs one thread on ordinary single-slice phone footage.
    video_stream.codec_context.thread_type = "AUTO"
    streams: list[Stream] = [video_stream]
    audio_stream = probe.audio_stream if on_audio is not None else None
    if audio_stream is not None:
        streams.append(audio_stream)
    outcome = DecodeOutcome()
    position = _Position(probe, progress)
    step = 1.0 / probe.video.average_rate if probe.video.average_rate else 1.0 / 30.0
    previous_t: float | None = None
    try:
        for packet in container.demux(streams):
            progress.check_stop()
            try:
                frames = packet.decode()
            except av.error.FFmpegError as error:
                outcome.bad_packets += 1
                outcome.first_error = outcome.first_error or _describe(error)
                if outcome.bad_packets > _MAX_BAD_PACKETS:
                    outcome.stopped_early = outcome.first_error
                    break
                continue
            for frame in frames:
                if isinstance(frame, VideoFrame):
                    t = frame.time
                    if t is None:  # raw streams without timestamps: assume the nominal rate
                        t = previous_t + step if previous_t is not None else 0.0
                    if outcome.frames == 0:
                        outcome.rotation_ccw = frame.rotation
                        outcome.first_time_s = t
                    t = max(t, previous_t) if previous_t is not None else t
                    previous_t = t
                    outcome.frames += 1
                    on_video(frame, t - outcome.first_time_s)
                    position.video_at(t - outcome.first_time_s)
                elif on_audio is not None and isinstance(frame, AudioFrame):
                    on_audio(frame)
            if packet.pos is not None and packet.pos >= 0:
                position.bytes_at(packet.pos)
    except av.error.FFmpegError as error:
        # The demuxer hit a damaged or missing part of the file; what came before stands.
        outcome.stopped_early = _describe(error)
    return outcome


class _Position:
    """Progress follows the decoded frame's time over the duration, since frame counts lie."""

    def __init__(self, probe: Probe, progress: Progress) -> None:
        self._duration = probe.video.duration_s
        self._size = probe.size_bytes
        self._progress = progress

    def video_at(self, t: float) -> None:
        if self._duration:
            duration = self._duration
            self._progress.update(
                "analyzing",
                t / duration,
                lambda: f"Analyzing {_clock(t)} of {_clock(duration)}",
            )

    def bytes_at(self, pos: int) -> None:
        # Without a duration (live recordings, some WebM), the byte position is all there is.
        if not self._duration and self._size:
            fraction = pos / self._size
            self._progress.update("analyzing", fraction, f"Analyzing ({round(fraction * 100)}%)")


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _describe(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return str(text).rstrip(".")
