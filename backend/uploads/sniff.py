"""Recognise a video container from its first bytes, never from a name or a claimed type."""

from __future__ import annotations

from dataclasses import dataclass

from backend.errors import UnsupportedMediaType

# Enough for every signature below, including three MPEG-TS sync bytes.
SNIFF_BYTES = 4096


@dataclass(frozen=True)
class Container:
    name: str
    content_type: str
    extension: str


MP4 = Container("mp4", "video/mp4", ".mp4")
MOV = Container("mov", "video/quicktime", ".mov")
THREE_GP = Container("3gp", "video/3gpp", ".3gp")
WEBM = Container("webm", "video/webm", ".webm")
MKV = Container("matroska", "video/x-matroska", ".mkv")
AVI = Container("avi", "video/x-msvideo", ".avi")
MPEG_TS = Container("mpegts", "video/mp2t", ".ts")
MPEG_PS = Container("mpeg", "video/mpeg", ".mpg")
FLV = Container("flv", "video/x-flv", ".flv")
OGG = Container("ogg", "video/ogg", ".ogv")

# QuickTime files may start with any of these atoms before (or instead of) ftyp.
_QT_ATOMS = {b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot"}


def sniff(head: bytes) -> Container | None:
    """The container `head` (the file's first bytes) starts, or None if not a video."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return MOV
        if brand.startswith(b"3g"):
            return THREE_GP
        return MP4
    if len(head) >= 8 and head[4:8] in _QT_ATOMS:
        return MOV
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in head[:64] else MKV
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return AVI
    if len(head) >= 377 and head[0] == head[188] == head[376] == 0x47:
        return MPEG_TS
    if head.startswith(b"\x00\x00\x01\xba"):
        return MPEG_PS
    if head.startswith(b"FLV\x01"):
        return FLV
    if head.startswith(b"OggS"):
        return OGG
    return None


def require_video(head: bytes) -> Container:
    """The container `head` starts, or the refusal every upload path gives for a non-video."""
    container = sniff(head)
    if container is None:
        raise UnsupportedMediaType(
            "This file is not a video we can read (MP4, MOV, WebM, MKV, AVI, MPEG-TS, ...)."
        )
    return container
