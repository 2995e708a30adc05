"""Gradual transitions (cross-dissolves, wipes, fades in and out) found as mixtures of two shots.

During a transition every frame is, block by block, a mix of the last picture of the old shot
(A) and the first of the new one (B): one common share for a dissolve, all-or-nothing shares
that sweep across the picture for a wipe. Camera motion, a zoom or a subject walking through
is no such mix (the middle frames hold pictures neither end has), so windows of frames are
tested for how well A and B explain what lies between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The ends of a window must differ like two shots do (1 - correlation)...
MIN_CHANGE = 0.5
# ...and the frames between them be explained by a mix of the two, leaving at most this share
# of the ends' difference unexplained: a dissolve leaves 0.01-0.15, camera motion seen at
# this size 0.2 or more.
MAX_RESIDUAL = 0.16
# A mix that moves within this many frames (a fifth of a second at most) is a cut, which the
# cut detector places to the frame.
MIN_SECONDS = 0.2
# Window lengths tried, in seconds: transitions run from ~0.3 s to ~2 s.
LENGTHS_S = (0.3, 0.4, 0.55, 0.75, 1.0, 1.35, 1.8, 2.4)
# A dissolve's middle frames have at most this share of the contrast of its ends.
DIP = 0.86
# Luma levels (of 255) within which a pixel of a wipe's half-way frame matches one of its ends.
WIPE_MATCH = 3.0
_DOWN = 4  # the 128 px picture averaged over 4x4: 32x18, sensor noise averaged away


@dataclass(frozen=True)
class Transition:
    start: int  # first frame with the new shot mixed in
    middle: int  # first frame that is more new than old: where the new scene starts
    end: int  # last frame with the old shot still mixed in
    kind: str  # dissolve, wipe or fade
    quality: float  # ends apart less unexplained: the clearest of overlapping finds is kept
    alone: bool = False  # clear enough to stand without the model's support (a push)


def tiny(luma: np.ndarray) -> np.ndarray:
    """The 128 px luma averaged 4x4, to 32 px on its long side (float32, 2-D)."""
    h, w = (luma.shape[0] // _DOWN) * _DOWN, (luma.shape[1] // _DOWN) * _DOWN
    # Two single-axis sums: several times cheaper than one mean over two axes.
    rows = luma[:h, :w].reshape(h, w // _DOWN, _DOWN).sum(axis=2)
    small = rows.reshape(h // _DOWN, _DOWN, w // _DOWN).sum(axis=1)
    small *= np.float32(1.0 / (_DOWN * _DOWN))
    return np.asarray(small, dtype=np.float32)


class GradualDetector:
    """Streams tiny pictures; reports each transition once, a few seconds after it ends."""

    def __init__(self, fps: float) -> None:
        fps = fps if 1.0 <= fps <= 240.0 else 30.0
        self.lengths = sorted({max(4, round(fps * s)) for s in LENGTHS_S})
        self.horizon = self.lengths[-1] + 2  # frames after a start when its verdict is final
        self.min_frames = max(3, round(fps * MIN_SECONDS))
        # At 60 fps and more, windows are tried every other frame: transitions last longer.
        self.stride = max(1, round(fps / 30))
        self._ring: np.ndarray | None = None
        self._blocks = np.zeros(0, dtype=np.float32)  # each frame's _blocks()
        self._centred = np.zeros(0, dtype=np.float32)  # each frame, flattened, minus its mean
        self._norms = np.zeros(0, dtype=np.float32)
        self._flat = np.zeros(self.lengths[-1] + 1, dtype=bool)
        self._count = 0
        self._found: list[Transition] = []

    def push(self, picture: np.ndarray, flat: bool) -> list[Transition]:
        """Add the next frame's tiny picture; return transitions now final."""
        size = self.lengths[-1] + 1
        if self._ring is None or self._ring.shape[1:] != picture.shape:
            self._ring = np.zeros((size, *picture.shape), dtype=np.float32)
            self._blocks = np.zeros((size, *_blocks(picture).shape), dtype=np.float32)
            self._centred = np.zeros((size, picture.size), dtype=np.float32)
            self._norms = np.zeros(size, dtype=np.float32)
        index = self._count
        slot = index % size
        self._ring[slot] = picture
        self._blocks[slot] = _blocks(picture)
        flat_picture = picture.ravel()
        centred = flat_picture - np.float32(flat_picture.mean())
        self._centred[slot] = centred
        self._norms[slot] = np.sqrt(np.dot(centred, centred))
        self._flat[slot] = flat
        self._count += 1
        if index % self.stride == 0 and not flat:
            for length in self._candidates(index):
                found = self._test(index - length, index)
                if found is not None:
                    self._offer(found)
        return self._due(index)

    def _candidates(self, last: int) -> list[int]:
        """Window lengths whose ends differ like two shots and whose middle frame is a mix of
        them: one vectorised look at every length rules most windows out cheaply."""
        size = self.lengths[-1] + 1
        lengths = np.asarray([n for n in self.lengths if last - n >= 0], dtype=np.int64)
        if lengths.size == 0:
            return []
        firsts = (last - lengths) % size
        keep = ~self._flat[firsts]
        norms = self._norms[firsts] * self._norms[last % size]
        dots = self._centred[firsts] @ self._centred[last % size]
        change = 1.0 - dots / np.maximum(norms, 1e-6)
        keep &= (change >= MIN_CHANGE) & (norms > 0)
        if not keep.any():
            return []
        lengths, firsts = lengths[keep], firsts[keep]
        middles = (last - lengths // 2) % size
        ends_a = self._blocks[firsts]
        end_b = self._blocks[last % size]
        d = ends_a - end_b[None]
        den = (d * d).sum(axis=2)
        y = self._blocks[middles] - end_b[None]
        shares = np.clip((y * d).sum(axis=2) / np.maximum(den, 1e-6), 0.0, 1.0)
        left = y - shares[..., None] * d
        residual = (left * left).sum(axis=(1, 2)) / np.maximum(den.sum(axis=1), 1e-6)
        return [int(n) for n in lengths[residual <= MAX_RESIDUAL]]

    def finish(self) -> list[Transition]:
        return self._due(None)

    def _due(self, index: int | None) -> list[Transition]:
        due: list[Transition] = []
        while self._found and (index is None or index - self._found[0].end > self.horizon):
            due.append(self._found.pop(0))
        return due

    def _offer(self, found: Transition) -> None:
        """Overlapping finds are one transition seen through several windows: keep the best."""
        last = self._found[-1] if self._found else None
        if last is not None and found.start <= last.end + self.min_frames:
            if found.quality > last.quality:
                self._found[-1] = found
        else:
            self._found.append(found)

    def _test(self, first: int, last: int) -> Transition | None:
        size = self.lengths[-1] + 1
        if first < 0 or self._ring is None:
            return None
        a = self._ring[first % size].ravel()
        b = self._ring[last % size].ravel()
        frames = self._ring[np.arange(first, last + 1) % size]
        blocks_a = self._blocks[first % size]
        blocks_b = self._blocks[last % size]
        stack = self._blocks[np.arange(first, last + 1) % size]
        residual, shares = _residual(stack, blocks_a, blocks_b)
        if residual.max() > MAX_RESIDUAL:
            return None
        weights = ((blocks_a - blocks_b) ** 2).sum(axis=1)
        mean = (shares * weights).sum(axis=1) / max(float(weights.sum()), 1e-6)
        if np.max(np.diff(mean)) > 0.25:
            return None  # the mix goes back: not one transition
        moving = np.nonzero((mean > 0.1) & (mean < 0.9))[0]
        if moving.size < self.min_frames - 2:
            return None
        # The span reaches out from the half-way point to where the mix is (nearly) all old
        # and all new: motion in either shot may blur the share further out.
        half = int(np.argmax(mean <= 0.5))
        old_side = np.nonzero(mean[:half] >= 0.9)[0]
        new_side = np.nonzero(mean[half:] <= 0.1)[0]
        start = first + (int(old_side[-1]) + 1 if old_side.size else 0)
        end = first + (half + int(new_side[0]) - 1 if new_side.size else len(mean) - 1)
        middle_at = first + half
        if end - start + 1 < self.min_frames or start <= first or end >= last:
            return None  # the window must hold the whole transition and a frame either side
        kind = _kind(shares, weights, mean, self._ring[first % size], self._ring[last % size])
        if kind == "dissolve" and not _contrast_dips(frames, mean):
            return None
        if kind == "wipe" and not _pixelwise(frames, mean, frames[0], frames[-1]):
            return None
        quality = dissimilarity(a, b) - float(residual.max())
        return Transition(start, middle_at, end, kind, quality)


def dissimilarity(a: np.ndarray, b: np.ndarray) -> float:
    """1 - correlation of two pictures: 0 for the same one at any brightness; 0 if one is plain."""
    a = a - a.mean()
    b = b - b.mean()
    norm = float(np.sqrt(np.dot(a, a) * np.dot(b, b)))
    return 1.0 - float(np.dot(a, b)) / norm if norm > 0 else 0.0


def _contrast_dips(frames: np.ndarray, mean: np.ndarray) -> bool:
    """Whether contrast sags mid-way, as when two unrelated pictures are averaged (by about
    1/sqrt(2) at half and half); moving the camera over one picture keeps its contrast."""
    stds = frames.reshape(len(frames), -1).std(axis=1)
    ends = (float(stds[0]) + float(stds[-1])) / 2
    halfway = np.nonzero((mean > 0.35) & (mean < 0.65))[0]
    return halfway.size > 0 and float(stds[halfway].min()) <= DIP * ends


def _pixelwise(frames: np.ndarray, mean: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the half-way frame is, pixel by pixel, either A or B, as behind a wipe's edge;
    a smooth picture sliding by (a gradient, a sky) only comes close block by block."""
    halfway = int(np.argmin(np.abs(mean - 0.5)))
    frame = frames[halfway]
    closest = np.minimum(np.abs(frame - a), np.abs(frame - b))
    return float(np.median(closest)) <= WIPE_MATCH


def _blocks(pictures: np.ndarray) -> np.ndarray:
    """(..., blocks, pixels): 4 blocks across the long side, 3 across the short one."""
    h, w = pictures.shape[-2:]
    lead = pictures.shape[:-2]
    rows, cols = (3, 4) if w >= h else (4, 3)
    bh, bw = h // rows, w // cols
    cut = pictures[..., : rows * bh, : cols * bw].reshape(*lead, rows, bh, cols, bw)
    order = (*range(len(lead)), len(lead), len(lead) + 2, len(lead) + 1, len(lead) + 3)
    return cut.transpose(order).reshape(*lead, rows * cols, bh * bw)


def _residual(
    stack: np.ndarray, blocks_a: np.ndarray, blocks_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per frame, the share of |A - B|^2 a per-block mix of A and B leaves unexplained; and
    the per-block shares of A (frames, blocks)."""
    d = blocks_a - blocks_b
    den = (d * d).sum(axis=1)
    y = stack - blocks_b[None]
    shares = np.clip((y * d[None]).sum(axis=2) / np.maximum(den, 1e-6)[None], 0.0, 1.0)
    left = y - shares[..., None] * d[None]
    residual = (left * left).sum(axis=(1, 2)) / max(float(den.sum()), 1e-6)
    return residual, shares


def _kind(
    shares: np.ndarray, weights: np.ndarray, mean: np.ndarray, a: np.ndarray, b: np.ndarray
) -> str:
    std_a, std_b = float(a.std()), float(b.std())
    if min(std_a, std_b) < 0.4 * max(std_a, std_b):
        return "fade"  # one end is nearly flat: a fade in from (or out to) black or white
    halfway = np.nonzero((mean > 0.3) & (mean < 0.7))[0]
    if halfway.size == 0:
        return "dissolve"
    mixed = (shares[halfway] > 0.2) & (shares[halfway] < 0.8)
    share_mixed = float(
        (mixed * weights[None]).sum() / max(float(weights.sum()) * halfway.size, 1e-6)
    )
    return "dissolve" if share_mixed >= 0.5 else "wipe"
