"""A long phone-like video, made fast: encode a short clip once, then repeat it by remuxing."""

from __future__ import annotations

from pathlib import Path

import av
from av.packet import Packet

from tests.videos import make_video

# Noise makes the bit rate what a phone writes (about 15 Mbit/s at 720p), so decoding costs
# what it costs on real footage; flat synthetic frames would decode almost for free.
CLIP_S = 3.0
NOISE = 10.0


def make_long_video(path: Path, seconds: float, width: int = 1280, height: int = 720) -> Path:
    """A 30 fps H.264 + AAC MP4 (720p unless told) of about `seconds`, a cut in every clip."""
    clip = make_video(
        path.with_name("clip.mp4"),
        seconds=CLIP_S,
        fps=30,
        width=width,
        height=height,
        cuts=(CLIP_S / 2,),
        noise=NOISE,
        audio="tone",
    )
    repeats = max(1, round(seconds / CLIP_S))
    with av.open(str(clip)) as source, av.open(str(path), "w", format="mp4") as out:
        streams = list(source.streams.video) + list(source.streams.audio)
        outputs = {s.index: out.add_stream_from_template(s) for s in streams}
        spans = {s.index: _span(clip, s.index) for s in streams}
        for n in range(repeats):
            source.seek(0)
            for packet in source.demux(streams):
                if packet.dts is None:
                    continue  # the demuxer's end-of-stream marker
                _shift(packet, n * spans[packet.stream.index])
                packet.stream = outputs[packet.stream.index]
                out.mux(packet)
    clip.unlink()
    return path


def _span(clip: Path, index: int) -> int:
    """How far each copy is shifted, in the stream's time base.

    Measured on decode timestamps, which start below zero (B-frame delay, AAC priming): the
    muxer needs them to keep rising across the seam between two copies.
    """
    dts = []
    with av.open(str(clip)) as source:
        for packet in source.demux(source.streams[index]):
            if packet.dts is not None:
                dts.append((packet.dts, packet.duration or 0))
    return max(d + duration for d, duration in dts) - min(d for d, _ in dts)


def _shift(packet: Packet, offset: int) -> None:
    assert packet.pts is not None and packet.dts is not None
    packet.pts += offset
    packet.dts += offset
