"""Loudness per EBU R128 (integrated, range, true peak) through FFmpeg's ebur128 filter."""

from __future__ import annotations

import math

import av
from av.audio.frame import AudioFrame
from av.audio.stream import AudioStream
from av.filter import Graph

from .audio import FLOOR_DBFS

# FFmpeg's own meter is exact to the standard and costs ~2 ms a minute of audio (measured,
# docs/analysis.md); a numpy K-weighting filter would need a per-sample loop.
_OPTIONS = "peak=true:metadata=1"
# Streaming platforms aim at -14 to -16 LUFS and broadcast at -23; below this, people turn the
# volume all the way up and still strain to hear.
TOO_QUIET_LUFS = -35.0
# Clipped samples beyond this share of all samples (and a handful at least) are audible.
CLIPPED_SAMPLES_SHARE = 1e-4
MIN_CLIPPED = 10
FLOOR_LUFS = -70.0


class LoudnessMeter:
    """Feeds decoded audio frames to ebur128 and keeps its latest running figures."""

    def __init__(self, stream: AudioStream) -> None:
        self._graph = Graph()
        source = self._graph.add_abuffer(template=stream)
        meter = self._graph.add("ebur128", _OPTIONS)
        sink = self._graph.add("abuffersink")
        source.link_to(meter)
        meter.link_to(sink)
        self._graph.configure()
        self._latest: dict[str, str] = {}
        self.failed = False

    def add(self, frame: AudioFrame) -> None:
        if self.failed:
            return
        try:
            self._graph.push(frame)
            self._drain()
        except (av.error.FFmpegError, ValueError):
            # A frame the filter refuses (a format change mid-stream) ends the measurement;
            # the RMS figures still stand.
            self.failed = True

    def flush(self) -> None:
        if self.failed:
            return
        try:
            self._graph.push(None)
            self._drain()
        except (av.error.FFmpegError, ValueError):
            self.failed = True

    def _drain(self) -> None:
        while True:
            try:
                out = self._graph.pull()
            except (av.error.BlockingIOError, av.error.EOFError):
                return
            metadata = getattr(out, "metadata", None)
            if metadata:
                self._latest = dict(metadata)

    def figures(self) -> tuple[float, float, float]:
        """(integrated LUFS, loudness range LU, true peak dBTP).

        Silence is gated out entirely: ebur128 then reads its floor, -70 LUFS, and the true
        peak of digital zero is given as -120 dBTP (the floor of the RMS figures).
        """
        integrated = _number(self._latest.get("lavfi.r128.I"))
        lra = _number(self._latest.get("lavfi.r128.LRA"))
        peak = _number(self._latest.get("lavfi.r128.true_peak"))
        true_peak = 20 * math.log10(peak) if peak is not None and peak > 0 else FLOOR_DBFS
        return max(FLOOR_LUFS, integrated or FLOOR_LUFS), lra or 0.0, max(FLOOR_DBFS, true_peak)


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
