"""Scene boundaries: the learned model decides where a scene changes, the signals say how.

TransNetV2 (shotmodel.py) gives each frame a probability of being a transition's centre. Runs
of frames above THRESHOLD are one change each. The signal detectors, which invent changes on
footage they were not tuned on (slow drifts, camera roll, whip pans), no longer decide alone:
a cut they place to the frame, or a dissolve or wipe they measure, lends the model's change
its exact frame, kind and span, and any other find within the model's change is that change
seen another way (a fade out to black and in again is one change), but for two cuts the signal
placed with a shot between them, which the model can hold to be one transition. A change the
model does not reach THRESHOLD on is kept only where a signal detector saw it clearly and the
model still leans that way (SUPPORT), where the signal placed a cut between two unrelated
pictures (CLEAR_CUT), or where the mixture test (gradual.py) measured a long dissolve, clearly
or with the model holding its frames to be inside a transition, which the model misses. A clip
that opens by fading in has no scene before its first shot, nor one that closes by fading out a
scene after its last: such a fade is no change.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .dips import FLAT
from .fades import FADE_FLOOR, fade_span
from .gradual import Transition, dissimilarity

# TransNetV2's own decision threshold on its single-frame probability.
THRESHOLD = 0.5
# The least model probability, anywhere within a signal find's span, for that find to stand.
SUPPORT = 0.1
# A signal find this close to a model change is the same change.
MERGE_S = 0.25
# Model changes closer than this are one (a transition the model saw as two runs)...
MIN_GAP_S = 0.2
# ...and so are runs between which the model holds that a transition goes on (a fade out to
# black and the fade in after it peak apart, with `many` high all the way through).
JOIN = 0.3
# A picture up to three margins before a change and one up to three margins after it this
# alike (1 - correlation: brightness alone changes nothing) mean the picture came back: a light
# switched on, a flash, someone passing close to the lens, an insert under 0.75 s. No change.
CAME_BACK = 0.3
DIM = 0.6
# A cut the signal placed where the frames either side are this unlike (1 - correlation, the
# camera's move undone: two unrelated pictures) stands without the model, which can be blind to
# one in dark, noisy footage (the narrow model's `single` 0.04 on one in the bench's file).
CLEAR_CUT = 0.8
# A long dissolve the mixture test measured this clearly stands without the model, which
# misses dissolves of a second and more between quiet shots (quality: ends apart less the
# share left unexplained, 0..1)...
LONG_DISSOLVE_S = 1.2
CLEAR_DISSOLVE = 0.8
# ...and so does one, however clear, where the model holds its frames to be inside a
# transition this strongly (`many`) without finding its centre.
INSIDE = 0.25
# A run where only `many` passes THRESHOLD (the model sees frames inside a transition but no
# centre: wipes and pushes, mostly) is a change when it lasts this long and `single` reaches
# SUPPORT.
SOFT_S = 0.1
# A model change without a signal find is a dissolve when this long at probability `many`.
_GRADUAL_S = 0.3


@dataclass(frozen=True)
class Boundary:
    frame: int  # first frame of the new scene
    kind: str  # cut, dissolve, fade or wipe
    span: tuple[int, int] | None = None  # first and last frame of a gradual transition


class SceneBoundaries:
    """Fuses the model's probabilities with the signals' finds; releases frames once final.

    `release(upto)` yields (frame, starts a scene, inside a transition) for every frame that is
    decided, up to `upto`: the caller advances it only as far as the model and both signal
    detectors have seen (plus their look-ahead).
    """

    def __init__(
        self,
        fps: float,
        picture: Callable[[int], np.ndarray | None] = lambda _: None,
        jumps: Sequence[float] = (),
        contrast: Sequence[float] = (),
    ) -> None:
        """`picture(frame)` is a small luma picture of a recent frame (None once forgotten);
        `jumps[frame]` how unlike the frame before it a frame is (the cut detector's score);
        `contrast[frame]` the standard deviation of its luma."""
        fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self._picture = picture
        self._jumps = jumps
        self._contrast = contrast
        self.margin = max(1, round(fps * MERGE_S))
        self._min_gap = max(1, round(fps * MIN_GAP_S))
        self._gradual_frames = max(2, round(fps * _GRADUAL_S))
        self._long_dissolve = round(fps * LONG_DISSOLVE_S)
        self._soft_frames = max(3, round(fps * SOFT_S))
        self.found: list[Boundary] = []  # decided, in order
        self.single = array("f")  # model probabilities per source frame
        self.many = array("f")
        self._cuts: list[int] = []  # signal cuts not yet decided
        self._gradual: list[Transition] = []  # signal transitions not yet decided
        self._scan = 0  # frames before this have been searched for model changes
        self._next = 0  # first frame not yet released
        self._spans: list[tuple[int, int]] = []  # of decided gradual changes, not yet released
        self._taken: list[tuple[int, int]] = []  # frames the model's decided changes look at
        self._end = 1 << 62  # frames in the clip, once known

    def cut(self, frame: int) -> None:
        self._cuts.append(frame)

    def transition(self, found: Transition) -> None:
        if found.kind != "fade":  # fades are told by the contrast sag (with_fades)
            self._gradual.append(found)

    def model(self, single: Sequence[float], many: Sequence[float]) -> None:
        """The model's next probabilities, one per source frame."""
        self.single.extend(single)
        self.many.extend(many)

    def release(self, upto: int, final: bool = False) -> list[tuple[int, bool, bool]]:
        upto = min(upto, len(self.single))
        if final:
            self._end = upto
        self._scan_model(upto, final)
        ready = upto if final else self._scan - self.margin
        self._decide_signals(ready, final)
        if final:
            self._drop_closing()
        else:
            # Signal finds not yet weighed hold their frames back.
            ready = min([ready, *(g.start for g in self._gradual), *self._cuts])
        starts = set()
        for boundary in reversed(self.found):  # sorted: only the tail is not yet released
            if boundary.frame < self._next:
                break
            starts.add(boundary.frame)
        out = []
        for frame in range(self._next, max(self._next, ready)):
            inside = any(a <= frame <= b for a, b in self._spans)
            out.append((frame, frame in starts, inside))
        self._next = max(self._next, ready)
        self._spans = [s for s in self._spans if s[1] >= self._next]
        return out

    def _scan_model(self, upto: int, final: bool) -> None:
        i = self._scan
        while i < upto:
            if not self._hot(i):
                i += 1
                continue
            j = i
            while True:
                while j < upto and self._hot(j):
                    j += 1
                k = j
                while (
                    k < upto and not self._hot(k) and (k - j < self._min_gap or self.many[k] > JOIN)
                ):
                    k += 1
                if k >= upto or not self._hot(k):
                    break
                j = k
            if not final and (k >= upto or j - 1 + self.margin >= upto):
                # The run may go on, or what follows it is not known yet: decide it once all
                # it looks at is in, so that the verdict never depends on the model's pace.
                break
            if self._is_change(i, j - 1):
                self._decide_run(i, j - 1)
            i = j
        self._scan = upto if final else i

    def _hot(self, frame: int) -> bool:
        return self.single[frame] > THRESHOLD or self.many[frame] > THRESHOLD

    def _is_change(self, first: int, last: int) -> bool:
        """A run the model is sure of, or a gradual one (`many` only) it leans towards."""
        peak = max(self.single[first : last + 1])
        soft = last - first + 1 >= self._soft_frames and self._supported(first, last)
        return peak > THRESHOLD or soft

    def _decide_run(self, first: int, last: int) -> None:
        """One model change over frames first..last: placed and named by the signals if they can.

        A cut the signal placed wins over a gradual find, as it always did: a transition the
        cut detector saw as one sharp change is a cut, placed to the frame.
        """
        lo, hi = first - self.margin, last + self.margin
        peak = max(range(first, last + 1), key=lambda k: self.single[k])
        cuts = [c for c in self._cuts if lo <= c <= hi]
        near = [g for g in self._gradual if g.start <= hi and g.end >= lo]
        start, end = self._extent(first, last)
        for g in near:
            start, end = min(start, g.start), max(end, g.end)
        # Signal finds within the model's change, now or later, are that change seen another
        # way (a fade out and in is one change, however the signals split it).
        self._taken.append((min(lo, start), max(hi, end)))
        self._cuts = [c for c in self._cuts if c not in cuts]
        self._gradual = [g for g in self._gradual if g not in near]
        if cuts:
            if not self._came_back(start, end):
                for cut in self._shots_apart(sorted(cuts), peak):
                    self._add(Boundary(cut, "cut"))
            return
        if self._came_back(start, end):
            return
        if near:
            best = max(near, key=lambda g: g.quality)
            self._add(Boundary(best.middle, best.kind, (best.start, best.end)))
        elif end - start + 1 >= self._gradual_frames:
            self._add(Boundary(peak, "dissolve", (start, end)))
        else:
            self._add(Boundary(self._sharpest(first, last, peak), "cut"))

    def _shots_apart(self, cuts: list[int], peak: int) -> list[int]:
        """The cuts within one model change that are changes of their own: the one nearest the
        model's peak, and any two the signal placed with a shot between them (two quick cuts
        the model holds to be one transition all through). Cuts either side of black frames (a
        fade out and in) stay one change."""
        kept = {min(cuts, key=lambda c: abs(c - peak))}
        for a, b in pairwise(cuts):
            if b - a > self._min_gap and self._shot_between(a, b):
                kept |= {a, b}
        return sorted(kept)

    def _shot_between(self, a: int, b: int) -> bool:
        """Whether frames a..b-1 are a shot: two pictures of it clearly more alike than either
        is to the picture beside it across its cut (black frames with noise on them are not,
        nor a fade's frames, which slide from one to the other)."""
        third = (b - a) // 3
        m = min(self.margin, third)
        pictures = [self._picture(k) for k in (a - m, a + third, b - 1 - third, b - 1 + m)]
        if any(p is None for p in pictures):
            return False
        before, one, other, after = (p for p in pictures if p is not None)
        if min(float(one.std()), float(other.std())) < FLAT:
            return False
        across = min(_picture_dissimilarity(one, before), _picture_dissimilarity(other, after))
        return _picture_dissimilarity(one, other) + CAME_BACK <= across

    def _extent(self, first: int, last: int) -> tuple[int, int]:
        """The frames the model holds to be inside the change (`many`), at most a margin out."""
        start, end = first, last
        while start > first - self.margin and start > 0 and self.many[start - 1] > THRESHOLD:
            start -= 1
        top = min(last + self.margin, len(self.many) - 1)
        while end < top and self.many[end + 1] > THRESHOLD:
            end += 1
        return start, end

    def _sharpest(self, first: int, last: int, peak: int) -> int:
        """Where within a model change the picture jumps most: the model's peak is a frame or
        more off now and then, most of all in dark, noisy footage."""
        frames = range(max(1, first - 1), min(len(self._jumps), last + 2))
        if not frames:
            return peak
        return max(frames, key=lambda k: self._jumps[k])

    def _came_back(self, first: int, last: int) -> bool:
        m = self.margin
        # A margin away at least: the frames next to a gradual change are its own mixtures.
        before = [self._picture(first - k) if first >= k else None for k in (m, 2 * m, 3 * m)]
        after = [self._picture(last + k) for k in (m, 2 * m, 3 * m)]
        # Dim pictures (the ends of a fade, a passer-by's shadow) are no shot to compare: only
        # those with most of the contrast seen around here count, and never a plain one.
        stds = [float(p.std()) for p in (*before, *after) if p is not None]
        floor = max([FLAT, *(DIM * s for s in stds)])
        clear_before = [p for p in before if p is not None and float(p.std()) >= floor]
        clear_after = [p for p in after if p is not None and float(p.std()) >= floor]
        return any(
            _picture_dissimilarity(a, b) < CAME_BACK
            for a in clear_before
            for b in clear_after
            if b.shape == a.shape
        )

    def _decide_signals(self, ready: int, final: bool) -> None:
        """Signal finds the model did not take: kept where it leans their way."""
        for g in [g for g in self._gradual if final or g.end + self.margin < ready]:
            self._gradual.remove(g)
            stands = g.alone or self._supported(g.start, g.end) or self._clear_long_dissolve(g)
            if (
                stands
                and not self._is_taken(g.start, g.end)
                and not self._came_back(g.start, g.end)
            ):
                self._add(Boundary(g.middle, g.kind, (g.start, g.end)))
        for c in [c for c in self._cuts if final or c + self.margin < ready]:
            self._cuts.remove(c)
            stands = self._supported(c, c) or self._clear_cut(c)
            if stands and not self._is_taken(c, c) and not self._came_back(c, c - 1):
                self._add(Boundary(c, "cut"))
        # Finds come in before their frames are released: a change out already takes none.
        self._taken = [t for t in self._taken if t[1] >= self._next]

    def _clear_cut(self, frame: int) -> bool:
        return frame < len(self._jumps) and self._jumps[frame] >= CLEAR_CUT

    def _is_taken(self, first: int, last: int) -> bool:
        return any(lo <= last and first <= hi for lo, hi in self._taken)

    def _clear_long_dissolve(self, g: Transition) -> bool:
        if g.kind != "dissolve" or g.end - g.start + 1 < self._long_dissolve:
            return False
        return (
            g.quality >= CLEAR_DISSOLVE
            or max(self.many[g.start : g.end + 1], default=0.0) >= INSIDE
        )

    def _supported(self, first: int, last: int) -> bool:
        lo, hi = max(0, first - self.margin), min(len(self.single), last + self.margin + 1)
        return hi > lo and max(self.single[lo:hi]) >= SUPPORT

    def _opening(self, boundary: Boundary) -> bool:
        """Whether the change is the clip fading in (from black or white), so that there is no
        scene before it. A cut from a dim first shot is a change."""
        if boundary.span is None or not 0 < boundary.span[0] < len(self._contrast):
            return False
        first, last = boundary.span
        contrast = self._contrast
        return _fade_at_edge(contrast[:first], contrast[0], contrast[last : last + self.margin + 1])

    def _drop_closing(self) -> None:
        """The clip fading out (to black or white) at its end has no scene after its last shot:
        its last change, if gradual and not yet released, goes (the mirror of _opening)."""
        contrast = self._contrast
        end = min(len(contrast), self._end)
        if not self.found or end == 0:
            return
        last_one = self.found[-1]
        if last_one.span is None or last_one.frame < self._next:
            return
        first, last = last_one.span
        near = contrast[max(0, first - self.margin) : first]
        if _fade_at_edge(contrast[last + 1 : end], contrast[end - 1], near):
            self.found.pop()
            self._spans.remove(last_one.span)

    def _add(self, boundary: Boundary) -> None:
        if self._opening(boundary):
            return
        if boundary.frame < self._next:  # its frames are out already: it starts at the next one
            boundary = Boundary(self._next, boundary.kind, boundary.span)
        # A scene lasts MIN_GAP_S at least, the first and the last included: the model pads a
        # clip with its first and last frame, and motion stopping dead there looks like a cut.
        if not self._min_gap <= boundary.frame <= self._end - self._min_gap or any(
            abs(b.frame - boundary.frame) < self._min_gap for b in self.found[-3:]
        ):
            return
        self.found.append(boundary)
        self.found.sort(key=lambda b: b.frame)
        if boundary.span is not None:
            self._spans.append(boundary.span)


def _fade_at_edge(beyond: Sequence[float], edge: float, near: Sequence[float]) -> bool:
    """Whether the frames between a gradual change and the clip's edge are only a fade: the
    picture at the edge nearly plain, and none of them as clear as the frames next to the change
    on the other side (`near`)."""
    clear = max(FLAT, DIM * max(near, default=0.0))
    return edge <= FADE_FLOOR and max(beyond, default=0.0) < clear


def _picture_dissimilarity(a: np.ndarray, b: np.ndarray) -> float:
    """dissimilarity() of what the two pictures show: plain rows and columns (the black bars
    of a letterboxed or pillarboxed video) are left out, or any two shots between the same
    bars would correlate through them."""
    columns = (a.std(axis=0) >= FLAT) | (b.std(axis=0) >= FLAT)
    rows = (a.std(axis=1) >= FLAT) | (b.std(axis=1) >= FLAT)
    if not columns.any() or not rows.any():
        return 0.0
    return dissimilarity(a[rows][:, columns].ravel(), b[rows][:, columns].ravel())


def with_fades(found: Sequence[Boundary], contrast: Sequence[float], fps: float) -> list[Boundary]:
    """Cuts at the bottom of a sag in contrast (fades.py) become fades spanning the sag."""
    out: list[Boundary] = []
    for boundary in found:
        span = fade_span(contrast, boundary.frame, fps) if boundary.kind == "cut" else None
        out.append(boundary if span is None else Boundary(boundary.frame, "fade", span))
    return out
