"""Fades told by contrast: it sags towards the black (or white) frames of a fade out or in."""

from __future__ import annotations

from collections.abc import Sequence

# A cut is a fade when the contrast next to it is at most this share of the contrast where the
# sag began or ends...
FADE_DEPTH = 0.5
# ...and the picture at the bottom is nearly plain (black or white), not a darker shot.
FADE_FLOOR = 8.0  # standard deviation of the 8-bit luma
_RECOVERED = 0.9  # a fade ends where contrast is back to this share of the shot's
_FADE_MAX_S = 2.5


def fade_span(contrast: Sequence[float], b: int, fps: float) -> tuple[int, int] | None:
    """The first and last frame of the fade a cut at frame b sits at the bottom of (from where
    the old shot's contrast starts to fall to where the new one's has come back), or None when
    it is a plain cut. `contrast[frame]` is the standard deviation of its luma."""
    n = len(contrast)
    if not 0 < b < n:
        return None
    reach = max(2, round(fps * _FADE_MAX_S))
    before = max(contrast[max(0, b - reach) : b])
    after = max(contrast[b : min(n, b + reach)])
    first = b - 1
    while first > max(0, b - reach) and contrast[first] < _RECOVERED * before:
        first -= 1
    last = b
    while last < min(n - 1, b + reach) and contrast[last] < _RECOVERED * after:
        last += 1
    bottom = min(contrast[b - 1], contrast[b])
    plain = bottom <= FADE_FLOOR
    faded_out = plain and bottom <= FADE_DEPTH * before and first < b - 1
    faded_in = plain and bottom <= FADE_DEPTH * after and last > b
    if not (faded_out or faded_in):
        return None
    return (first + 1 if faded_out else b - 1, last - 1 if faded_in else b)
