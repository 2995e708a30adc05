"""Exposure, sharpness and blur of sampled luma, and the warnings a person reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .camera import is_shaky
from .loudness import CLIPPED_SAMPLES_SHARE, MIN_CLIPPED, TOO_QUIET_LUFS

DARK_BRIGHTNESS = 0.2
BRIGHT_BRIGHTNESS = 0.88
CLIPPED_SHARE = 0.3
MOST_OF_THE_CLIP = 0.5
LOW_RESOLUTION_SIDE = 480
# Re-blur ratio above which a frame counts as blurry: blurring a sharp picture again changes
# it a lot, blurring a blurry one hardly at all.
BLURRY = 0.6
# A frame is judged only if it has edges to be sharp or blurred: a share of at least
# _EDGE_SHARE of steps above _EDGE_STEP luma levels, seen at 1/_COARSE scale so that a blurred
# edge still counts as an edge while a smooth scene (sky, a wall, a gradient) does not.
_EDGE_SHARE = 0.003
_EDGE_STEP = 12.0
_COARSE = 4
_REBLUR_RADIUS = 4


@dataclass(frozen=True)
class QualityWarning:
    code: str
    message: str


def laplacian_variance(luma: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: the classic focus measure."""
    lap = (
        luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:] - 4.0 * luma[1:-1, 1:-1]
    )
    return float(lap.var()) if lap.size else 0.0


def reblur_ratio(luma: np.ndarray) -> float | None:
    """How little the picture changes when blurred again (0 sharp .. 1 blurry), or None.

    This is the no-reference blur metric of Crete-Roffet et al.; being a ratio of the picture
    to itself, it does not depend on how much texture the scene has, which a fixed Laplacian
    threshold does. None when the frame has too few edges to judge.
    """
    if not has_edges(luma):
        return None
    ratios: list[float] = []
    for axis in (0, 1):
        diff = np.abs(np.diff(luma, axis=axis))
        blurred = _box_blur(luma, axis)
        diff_blurred = np.abs(np.diff(blurred, axis=axis))
        total = float(diff.sum())
        if total <= 0:
            return None
        kept = float(np.maximum(diff - diff_blurred, 0.0).sum())
        ratios.append((total - kept) / total)
    return max(ratios)


def has_edges(luma: np.ndarray) -> bool:
    h, w = (luma.shape[0] // _COARSE) * _COARSE, (luma.shape[1] // _COARSE) * _COARSE
    if h < 2 * _COARSE or w < 2 * _COARSE:
        return False
    coarse = luma[:h, :w].reshape(h // _COARSE, _COARSE, w // _COARSE, _COARSE).mean(axis=(1, 3))
    steps = sum(
        int(np.count_nonzero(np.abs(np.diff(coarse, axis=axis)) > _EDGE_STEP)) for axis in (0, 1)
    )
    return bool(steps >= _EDGE_SHARE * coarse.size * 2)


def _box_blur(luma: np.ndarray, axis: int) -> np.ndarray:
    """Mean over 2 * radius + 1 neighbours along one axis, edges repeated."""
    r = _REBLUR_RADIUS
    n = luma.shape[axis]
    pad = ((r, r), (0, 0)) if axis == 0 else ((0, 0), (r, r))
    padded = np.pad(luma, pad, mode="edge")
    # Shifted views summed: a few vectorised adds, far cheaper than a cumulative sum.
    total = np.take(padded, range(0, n), axis=axis).copy()
    for shift in range(1, 2 * r + 1):
        if axis == 0:
            total += padded[shift : shift + n]
        else:
            total += padded[:, shift : shift + n]
    total /= np.float32(2 * r + 1)
    return total


@dataclass(frozen=True)
class QualityFacts:
    brightness: Sequence[float]
    clipped: Sequence[float]
    sharpness: Sequence[float]
    blur: Sequence[float]
    display_width: int
    display_height: int
    has_audio: bool
    silent_audio: bool
    truncated_message: str | None
    loudness_lufs: float | None = None
    clipped_samples: int = 0
    audio_samples: int = 0
    shake: Sequence[float] = ()


def warnings(facts: QualityFacts) -> list[QualityWarning]:
    """The warnings, in a fixed order, each with a sentence for the person who filmed it."""
    found: list[QualityWarning] = []
    frames = len(facts.brightness)
    if frames:
        dark = sum(1 for b in facts.brightness if b < DARK_BRIGHTNESS) / frames
        if dark >= MOST_OF_THE_CLIP:
            found.append(QualityWarning("too_dark", "Most of the clip is too dark to see."))
        bright = (
            sum(
                1
                for b, c in zip(facts.brightness, facts.clipped, strict=True)
                if b > BRIGHT_BRIGHTNESS or c > CLIPPED_SHARE
            )
            / frames
        )
        if bright >= MOST_OF_THE_CLIP:
            found.append(
                QualityWarning(
                    "overexposed", "Most of the clip is overexposed: bright areas are blown out."
                )
            )
    judged = sorted(facts.blur)
    if judged and judged[len(judged) // 2] > BLURRY:
        found.append(
            QualityWarning("blurry", "Most of the clip is out of focus or blurred by motion.")
        )
    if is_shaky(facts.shake):
        found.append(
            QualityWarning(
                "shaky", "The camera shakes through much of the clip; a steadier hold would help."
            )
        )
    short_side = min(facts.display_width, facts.display_height)
    if 0 < short_side < LOW_RESOLUTION_SIDE:
        found.append(
            QualityWarning(
                "low_resolution",
                f"The video is only {facts.display_width}x{facts.display_height}; "
                "details will look soft on a large screen.",
            )
        )
    if not facts.has_audio:
        found.append(QualityWarning("no_audio", "The video has no sound track."))
    elif facts.silent_audio:
        found.append(QualityWarning("silent_audio", "The sound track is silent."))
    elif facts.loudness_lufs is not None and facts.loudness_lufs < TOO_QUIET_LUFS:
        found.append(
            QualityWarning(
                "too_quiet",
                f"The sound is very quiet ({facts.loudness_lufs:.0f} LUFS; online video is "
                "usually around -14 to -16); listeners will have to turn it right up.",
            )
        )
    if facts.has_audio and facts.clipped_samples >= max(
        MIN_CLIPPED, CLIPPED_SAMPLES_SHARE * facts.audio_samples
    ):
        found.append(
            QualityWarning(
                "clipping",
                "The sound is clipped: it was recorded too loud and will crackle or distort.",
            )
        )
    if facts.truncated_message:
        found.append(QualityWarning("truncated", facts.truncated_message))
    return found


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
