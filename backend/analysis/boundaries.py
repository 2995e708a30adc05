"""Scene boundaries: hard cuts and gradual transitions merged into one change each, in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .gradual import Transition

# A cut this close to a dissolve or wipe is one change, not two: the cut (a hard cut between
# moving pictures can pass for a short mix of the two).
MERGE_S = 0.25
# Fades: contrast sags towards the black (or white) frames; a cut is a fade when the contrast
# next to it is at most this share of the contrast where the sag began or ends.
FADE_DEPTH = 0.5
_RECOVERED = 0.9  # a fade ends where contrast is back to this share of the shot's
_FADE_MAX_S = 2.5


@dataclass(frozen=True)
class Boundary:
    frame: int  # first frame of the new scene
    kind: str  # cut, dissolve, fade or wipe
    span: tuple[int, int] | None = None  # first and last frame of a gradual transition


class SceneBoundaries:
    """Collects cut decisions and gradual transitions; releases frames once both are final.

    `release(upto)` yields (frame, starts a scene, inside a transition) for every frame before
    `upto`, which the caller advances only as far as both detectors have decided.
    """

    def __init__(self, fps: float) -> None:
        self.margin = max(1, round(fps * MERGE_S))
        self.found: list[Boundary] = []  # released, in order
        self._cuts: dict[int, str] = {}  # frame -> cut (not yet released)
        self._gradual: list[Transition] = []
        self._next = 0

    def cut(self, frame: int) -> None:
        self._cuts[frame] = "cut"

    def transition(self, found: Transition) -> None:
        if found.kind == "fade":
            return  # one end is nearly flat: the cut detector and the fade check handle those
        if any(found.start - self.margin <= f <= found.end + self.margin for f in self._cuts):
            return  # the cut detector saw one sharp change here: a cut, placed to the frame
        self._gradual.append(found)

    def release(self, upto: int) -> list[tuple[int, bool, bool]]:
        out: list[tuple[int, bool, bool]] = []
        gradual = sorted(self._gradual, key=lambda g: g.middle)
        for frame in range(self._next, upto):
            starts = False
            inside = False
            for g in gradual:
                if g.start <= frame <= g.end:
                    inside = True
                if g.middle == frame and frame > 0:
                    starts = True
                    self.found.append(Boundary(frame, g.kind, (g.start, g.end)))
            if not starts and self._cuts.pop(frame, None) is not None and frame > 0:
                starts = True
                self.found.append(Boundary(frame, "cut"))
            out.append((frame, starts, inside))
        self._next = max(self._next, upto)
        self._gradual = [g for g in self._gradual if g.end >= self._next]
        return out


def with_fades(found: Sequence[Boundary], contrast: Sequence[float], fps: float) -> list[Boundary]:
    """Cuts at the bottom of a sag in contrast (a fade out, black or white, a fade in) become
    fades spanning the sag: from where the old shot's contrast starts to fall to where the new
    one's has come back."""
    out: list[Boundary] = []
    reach = max(2, round(fps * _FADE_MAX_S))
    n = len(contrast)
    for boundary in found:
        b = boundary.frame
        if boundary.kind != "cut" or not 0 < b < n:
            out.append(boundary)
            continue
        before = max(contrast[max(0, b - reach) : b])
        after = max(contrast[b : min(n, b + reach)])
        first = b - 1
        while first > max(0, b - reach) and contrast[first] < _RECOVERED * before:
            first -= 1
        last = b
        while last < min(n - 1, b + reach) and contrast[last] < _RECOVERED * after:
            last += 1
        bottom = min(contrast[b - 1], contrast[b])
        faded_out = bottom <= FADE_DEPTH * before and first < b - 1
        faded_in = bottom <= FADE_DEPTH * after and last > b
        if faded_out or faded_in:
            out.append(
                Boundary(
                    b, "fade", (first + 1 if faded_out else b - 1, last - 1 if faded_in else b)
                )
            )
        else:
            out.append(boundary)
    return out
