"""Audio loudness: RMS in dBFS overall and per second, and whether the track is silent."""

from __future__ import annotations

import math

import av
import numpy as np
from av.audio.frame import AudioFrame

# dBFS here is 20*log10(RMS) with full scale = 1.0 (a full-scale sine reads -3 dBFS).
FLOOR_DBFS = -120.0
# A track whose loudest ~20 ms never reaches this is silent: a quiet room reads about -50.
SILENCE_DBFS = -60.0
# Levels are also kept per 50 ms, for silent stretches (cues.py); an hour is 72 000 floats.
FINE_S = 0.05
# Decoded float samples at or beyond full scale were clipped on the way in (or will be).
CLIP_LEVEL = 0.999


def dbfs(mean_square: float) -> float:
    if mean_square <= 0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 10.0 * math.log10(mean_square))


class AudioMeter:
    """Accumulates squared samples per second of audio, without keeping the samples."""

    def __init__(self, origin_s: float) -> None:
        self._origin = origin_s
        # One reused resampler: planar float is what the RMS maths wants, whatever the codec.
        self._resampler = av.AudioResampler(format="fltp")
        self._sum = 0.0
        self._count = 0
        self._bucket_sum: list[float] = []
        self._bucket_count: list[int] = []
        self._loudest = 0.0
        self._fine_sum: list[float] = []
        self._fine_count: list[int] = []
        self._next_t: float | None = None
        self.clipped_samples = 0
        self.samples = 0
        self.errors = 0

    def add(self, frame: AudioFrame) -> None:
        # AAC and Opus decode to planar float already; other formats are converted first.
        if frame.format.name == "fltp":
            self._measure(frame)
            return
        for converted in self._resampler.resample(frame):
            self._measure(converted)

    def flush(self) -> None:
        for converted in self._resampler.resample(None):
            self._measure(converted)

    def _measure(self, frame: AudioFrame) -> None:
        count = frame.samples
        if count == 0 or not frame.planes:
            return
        start = frame.time if frame.time is not None else self._next_t
        start = self._origin if start is None else start
        self._next_t = start + count / (frame.sample_rate or 1)
        # Sum of squares per channel straight from the planes: one BLAS call each.
        total = 0.0
        for plane in frame.planes:
            samples = np.frombuffer(memoryview(plane), dtype=np.float32, count=count)
            total += float(np.dot(samples, samples))
            self.clipped_samples += int(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL))
        total /= len(frame.planes)  # the mean over channels of each sample's square
        self._sum += total
        self._count += count
        self.samples += count * len(frame.planes)
        fine = max(0, int((start - self._origin) / FINE_S))
        while len(self._fine_sum) <= fine:
            self._fine_sum.append(0.0)
            self._fine_count.append(0)
        self._fine_sum[fine] += total
        self._fine_count[fine] += count
        self._loudest = max(self._loudest, total / count)
        # A frame is ~20 ms: splitting it at a second boundary would not change the figures.
        second = max(0, int(start - self._origin))
        while len(self._bucket_sum) <= second:
            self._bucket_sum.append(0.0)
            self._bucket_count.append(0)
        self._bucket_sum[second] += total
        self._bucket_count[second] += count

    @property
    def has_samples(self) -> bool:
        return self._count > 0

    def rms_dbfs(self) -> float:
        return dbfs(self._sum / self._count) if self._count else FLOOR_DBFS

    def per_second_dbfs(self) -> list[float]:
        return [
            dbfs(total / count) if count else FLOOR_DBFS
            for total, count in zip(self._bucket_sum, self._bucket_count, strict=True)
        ]

    def fine_dbfs(self) -> list[float]:
        """RMS level of each 50 ms of audio, dBFS."""
        return [
            dbfs(total / count) if count else FLOOR_DBFS
            for total, count in zip(self._fine_sum, self._fine_count, strict=True)
        ]

    def silent(self) -> bool:
        return dbfs(self._loudest) < SILENCE_DBFS
