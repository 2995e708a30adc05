"""Imported by the analysis forkserver: one tiny analysis there, so every child starts warm.

Each analysis child is a fork of the forkserver. Whatever the first analysis in a process sets
up lazily (FFmpeg's decoder and encoder tables, numpy's first calls, the JPEG writer) would
otherwise be set up again in every child; done once here, the children inherit it.
"""

from __future__ import annotations

import contextlib
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from backend.analysis import analyze

FRAMES = 12
SIZE = 64
RATE = 48000


def _tiny_clip(path: Path) -> None:
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=24)
        video.width = video.height = SIZE
        video.pix_fmt = "yuv420p"
        audio = out.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        samples = RATE // 24
        for n in range(FRAMES):
            image = np.full((SIZE, SIZE, 3), 40 + 15 * n, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = n
            out.mux(video.encode(frame))
            sound = np.zeros((1, samples), dtype=np.float32)
            chunk = av.AudioFrame.from_ndarray(sound, format="fltp", layout="mono")
            chunk.sample_rate = RATE
            chunk.pts = n * samples
            chunk.time_base = Fraction(1, RATE)
            out.mux(audio.encode(chunk))
        out.mux(video.encode())
        out.mux(audio.encode())


def warm() -> int:
    """Analyse a tiny clip with sound, thumbnails and all; the frames analysed."""
    with tempfile.TemporaryDirectory(prefix="clipscope-warm-") as tmp:
        clip = Path(tmp) / "warm.mp4"
        _tiny_clip(clip)
        result = analyze(clip, lambda *_: None, lambda: False, thumbnails_dir=Path(tmp) / "thumbs")
    return int(result["frames_analyzed"])


# A failure here costs only speed: the children then warm up by themselves.
with contextlib.suppress(Exception):
    warm()
