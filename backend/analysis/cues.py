"""Technical cues, as in a broadcaster's QC report: black, frozen and silent stretches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# A frame is black when this share of its pixels is at or below BLACK_LEVEL (full range, of
# 255): FFmpeg's blackdetect defaults (pic_th 0.98, pix_th 0.10).
BLACK_SHARE = 0.98
BLACK_LEVEL = 25
# A frame is frozen when it differs from the one before by at most this mean luma (of 255):
# a repeated picture decodes to the same pixels, while a tripod shot still carries sensor
# noise (a mean difference of 1-3 levels).
FREEZE_LEVEL = 0.5
# ... and when no part of it moved: a small subject crossing a still background changes the
# mean by less than FREEZE_LEVEL, but the pixels it covers and uncovers change by tens of
# levels, where a repeated picture's codec flicker stays within a few.
MOVED_LEVEL = 24
MOVED_SHARE = 0.002
# Stretches shorter than these are not reported: a dip to black in a fade or a held frame is
# part of the edit, not a fault.
MIN_BLACK_S = 0.5
MIN_FREEZE_S = 1.0
MIN_SILENCE_S = 1.0
# Below this level (dBFS, RMS over 50 ms) a stretch of audio is silent: room tone reads -50.
SILENCE_DBFS = -55.0


@dataclass(frozen=True)
class Cue:
    kind: str
    start_s: float
    end_s: float


def stretches(
    kind: str,
    flags: Sequence[bool],
    times: Sequence[float],
    end_s: float,
    min_s: float,
) -> list[Cue]:
    """Runs of flagged samples lasting at least min_s; each sample lasts until the next one."""
    out: list[Cue] = []
    start: float | None = None
    for index, flagged in enumerate(flags):
        if flagged and start is None:
            start = times[index]
        elif not flagged and start is not None:
            if times[index] - start >= min_s - 1e-6:
                out.append(Cue(kind, start, times[index]))
            start = None
    if start is not None and end_s - start >= min_s - 1e-6:
        out.append(Cue(kind, start, end_s))
    return out


def video_cues(
    times: Sequence[float],
    black: Sequence[bool],
    still: Sequence[float],
    moved: Sequence[float],
    end_s: float,
) -> list[Cue]:
    """Black and frozen stretches; a frozen frame is one that repeats the frame before it.

    `still`: each frame's mean absolute luma difference from the one before; `moved`: the share
    of its pixels that changed by more than MOVED_LEVEL.
    """
    # Black frames repeat each other too; they are reported as black only.
    frozen = [
        i > 0 and s <= FREEZE_LEVEL and m <= MOVED_SHARE and not black[i]
        for i, (s, m) in enumerate(zip(still, moved, strict=True))
    ]
    # The first frame of a frozen stretch is the picture that then stays.
    starts = [f or (i + 1 < len(frozen) and frozen[i + 1]) for i, f in enumerate(frozen)]
    return stretches("black", black, times, end_s, MIN_BLACK_S) + stretches(
        "freeze", starts, times, end_s, MIN_FREEZE_S
    )
