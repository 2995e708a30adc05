"""One small real video per container we accept, written with PyAV, and what sniffing must say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.videos import make_video


@dataclass(frozen=True)
class ContainerCase:
    """A container: how PyAV writes it and how the upload must recognise it."""

    name: str  # what the sniffer reports
    content_type: str  # what the job document says
    suffix: str
    muxer: str  # PyAV/FFmpeg format name
    codec: str

    def write(self, directory: Path, *, seconds: float = 1.0, seed: int = 0) -> Path:
        """A `seconds`-long 160x120 clip at 24 fps in this container."""
        path = directory / f"{self.name}-{seed}{self.suffix}"
        return make_video(path, seconds=seconds, container=self.muxer, codec=self.codec, seed=seed)


CONTAINERS = (
    ContainerCase("mp4", "video/mp4", ".mp4", "mp4", "libx264"),
    ContainerCase("mov", "video/quicktime", ".mov", "mov", "libx264"),
    ContainerCase("3gp", "video/3gpp", ".3gp", "3gp", "libx264"),
    ContainerCase("webm", "video/webm", ".webm", "webm", "libvpx"),
    ContainerCase("matroska", "video/x-matroska", ".mkv", "matroska", "libx264"),
    ContainerCase("avi", "video/x-msvideo", ".avi", "avi", "libx264"),
    ContainerCase("mpegts", "video/mp2t", ".ts", "mpegts", "libx264"),
    ContainerCase("flv", "video/x-flv", ".flv", "flv", "libx264"),
    # This FFmpeg build has no Theora encoder; VP8 in Ogg is a real, decodable Ogg video.
    ContainerCase("ogg", "video/ogg", ".ogv", "ogg", "libvpx"),
)
