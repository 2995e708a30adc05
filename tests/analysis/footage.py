"""Footage built by construction: shots with camera motion, joined by known transitions.

Each shot films its own textured "world" (clouds of several scales, like foliage or a wall)
through a camera that can stand still, pan, whip back and forth, shake, zoom, roll (turn
about its axis), watch a subject walk through, be passed close by someone (most of the picture
covered for a moment), watch several subjects move about, see its light drift slowly (a sky at
dusk) or be switched on. Shots are joined by cuts, cross-dissolves, fades through black or
white, wipes and pushes (the new picture slides in and pushes the old one out); flashes and
one-frame glitches can be dropped in. The truth (where each change is,
its kind and span) is known because the clip is made from it. Used by the tests (small clips)
and by bench/analysis.py (bigger ones, beside PySceneDetect).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from tests.videos import AudioKind, write_yuv_video

Camera = Literal[
    "still", "pan", "whip", "shake", "zoom", "walk", "roll", "drift", "pass", "light", "subjects"
]
Join = Literal["cut", "dissolve", "fade_black", "fade_white", "wipe", "push"]
# What the analyser reports for each join.
KIND = {
    "cut": "cut",
    "dissolve": "dissolve",
    "fade_black": "fade",
    "fade_white": "fade",
    "wipe": "wipe",
    "push": "wipe",
}
# Studio range, as cameras write luma.
BLACK, WHITE = 16.0, 235.0


@dataclass(frozen=True)
class Shot:
    seconds: float
    camera: Camera = "still"
    speed: float = 1.0  # screen widths a second, for pans and whip pans


@dataclass(frozen=True)
class Change:
    """A scene change of the truth: a cut has start_s == end_s."""

    kind: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Clip:
    name: str
    shots: Sequence[Shot]
    joins: Sequence[tuple[Join, float]] = ()  # (kind, seconds) between shot i and i + 1
    fps: int = 30
    width: int = 192
    height: int = 108
    noise: float = 1.5  # sensor noise, luma levels (standard deviation)
    dark: bool = False
    flashes: Sequence[float] = ()  # times of one white frame
    glitches: Sequence[float] = ()  # times of one frame of an unrelated picture
    frozen: tuple[float, float] | None = None  # the picture stops (noise included)
    black: tuple[float, float] | None = None  # plain black inside a shot
    seed: int = 0
    motion_only: bool = field(default=False)  # a clip of camera motion: any change is false

    @property
    def seconds(self) -> float:
        return sum(s.seconds for s in self.shots)

    @property
    def frames(self) -> int:
        return round(self.seconds * self.fps)

    def boundaries(self) -> list[float]:
        out, t = [], 0.0
        for shot in self.shots[:-1]:
            t += shot.seconds
            out.append(t)
        return out

    def truth(self) -> list[Change]:
        """Each change as the analyser should report it: a cut at its first new frame."""
        changes = []
        for boundary, (join, seconds) in zip(self.boundaries(), self._joins(), strict=True):
            if join == "cut" or seconds <= 0:
                first = math.ceil(boundary * self.fps - 1e-9) / self.fps
                changes.append(Change("cut", first, first))
            else:
                changes.append(Change(KIND[join], boundary - seconds / 2, boundary + seconds / 2))
        return changes

    def _joins(self) -> list[tuple[Join, float]]:
        joins = list(self.joins)
        return joins + [("cut", 0.0)] * (len(self.shots) - 1 - len(joins))


class _World:
    """One shot's textured world and the camera filming it."""

    def __init__(self, clip: Clip, shot: Shot, index: int) -> None:
        self.clip, self.shot = clip, shot
        w, h = clip.width, clip.height
        rng = np.random.default_rng(clip.seed * 101 + index)
        self.margin = self._reach(w)
        texture = _texture(rng, h + 2 * self._reach(h) + 2, w + 2 * self.margin + 2, h)
        low, high = (24.0, 70.0) if clip.dark else (32.0, 225.0)
        self.luma = (low + (high - low) * texture).astype(np.float32)
        self.tint = rng.integers(90, 166, size=2).astype(np.float32)
        self.phase = float(rng.uniform(0, 1))
        self.subject = (low + (high - low) * _texture(rng, h, max(4, w // 5), h)).astype(
            np.float32
        )[:, :] * 0.6 + 0.4 * (high if not clip.dark else low)
        # A hand-held camera: smoothed random steps, a few pixels at 1080p scale.
        steps = rng.normal(0, 1, size=(int(shot.seconds * clip.fps) + 4 * clip.fps, 2))
        kernel = np.ones(3) / 3
        path = np.stack([np.convolve(steps[:, k], kernel, mode="same") for k in (0, 1)], axis=1)
        self.shake = path * (0.025 * h)

    def _reach(self, size: int) -> int:
        shot = self.shot
        if shot.camera == "pan":
            return int(size * shot.speed * (shot.seconds + 4.0)) // 2 + 4
        if shot.camera == "whip":
            return int(size * 0.8) + 4
        if shot.camera == "shake":
            return max(8, size // 10)
        return 4

    def frame(self, t: float, i: int) -> np.ndarray:
        """Luma (h, w) float32 at time t of this shot (t may run past its end)."""
        clip, shot = self.clip, self.shot
        w, h = clip.width, clip.height
        cx, cy = float(self.margin), float(self._reach(h))
        if shot.camera == "pan":
            cx += (t - shot.seconds / 2) * shot.speed * w
        elif shot.camera == "whip":
            # Back and forth over 1.5 screen widths, slowing at each end as a hand does,
            # `speed` screen widths a second at the fastest.
            period = 2 * math.pi * 0.75 / shot.speed
            cx += 0.75 * w * math.sin(2 * math.pi * (t / period + self.phase))
        elif shot.camera == "shake":
            k = min(len(self.shake) - 1, max(0, i))
            cx += self.shake[k, 0]
            cy += self.shake[k, 1]
        x0, y0 = round(cx), round(cy)
        view = self.luma[y0 : y0 + h, x0 : x0 + w]
        if shot.camera == "zoom":
            scale = 1.0 + 0.6 * min(1.0, max(0.0, t / max(shot.seconds, 1e-6)))
            cw, ch = max(2, round(w / scale)), max(2, round(h / scale))
            ox, oy = (w - cw) // 2, (h - ch) // 2
            crop = Image.fromarray(view[oy : oy + ch, ox : ox + cw], mode="F")
            view = np.asarray(crop.resize((w, h), Image.Resampling.BILINEAR))
        view = np.array(view, dtype=np.float32)
        if shot.camera == "roll":
            # Back and forth by up to 20 degrees, about twice in three seconds.
            angle = 20.0 * math.sin(2 * math.pi * (t / 1.6 + self.phase))
            turned = Image.fromarray(view, mode="F").rotate(
                angle, Image.Resampling.BILINEAR, fillcolor=float(view.mean())
            )
            view = np.asarray(turned, dtype=np.float32).copy()
        elif shot.camera == "drift":
            # Light that drifts slowly: the picture darkens and warms across the shot while a
            # broad bright patch wanders over it.
            share = t / max(shot.seconds, 1e-6)
            yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
            cx2 = w * (0.2 + 0.6 * share)
            glow = np.exp(-(((xx - cx2) / (0.5 * w)) ** 2 + ((yy - h / 2) / (0.6 * h)) ** 2))
            view = view * (1.0 - 0.45 * share) + 50.0 * glow
        elif shot.camera == "light":
            # A light switched on half way through: the same picture, much brighter at once.
            if t >= shot.seconds / 2:
                view = np.minimum(235.0, view * 1.5 + 20.0)
        elif shot.camera == "pass":
            # Someone walks close past the lens: a dark shape wider than the picture crosses it
            # in under half a second, half way through the shot.
            start, length = shot.seconds / 2 - 0.2, 0.4
            if start <= t < start + length:
                edge = round(-1.2 * w + 2.4 * w * (t - start) / length)
                lo, hi = max(0, edge), min(w, edge + round(1.2 * w))
                view[:, lo:hi] = 0.35 * view[:, lo:hi] + 12.0
        elif shot.camera == "subjects":
            view = self._subjects(view, t)
        if shot.camera == "walk":
            sw = self.subject.shape[1]
            x = round(-sw + (w + sw) * t / max(shot.seconds, 1e-6))
            lo, hi = max(0, x), min(w, x + sw)
            if hi > lo:
                view[h // 6 :, lo:hi] = self.subject[h // 6 :, lo - x : hi - x]
        return view

    def tint_at(self, t: float) -> np.ndarray:
        """The shot's colour at time t: a drifting light warms as it goes."""
        if self.shot.camera != "drift":
            return self.tint
        share = t / max(self.shot.seconds, 1e-6)
        return np.clip(self.tint + share * np.array([-25.0, 30.0]), 16.0, 240.0)

    def _subjects(self, view: np.ndarray, t: float) -> np.ndarray:
        """A fixed camera watching three subjects cross and circle in front of the background."""
        h, w = view.shape
        sh, sw = self.subject.shape[0] // 2, max(4, self.subject.shape[1] // 2)
        tracks = (
            (0.1 + 0.8 * ((t * 0.3 + self.phase) % 1.0), 0.55),
            (0.5 + 0.3 * math.cos(t * 1.7), 0.35 + 0.15 * math.sin(t * 1.7)),
            (0.9 - 0.8 * ((t * 0.2) % 1.0), 0.7),
        )
        for fx, fy in tracks:
            x, y = round(fx * w - sw / 2), round(fy * h - sh / 2)
            lo, hi = max(0, x), min(w, x + sw)
            top, bottom = max(0, y), min(h, y + sh)
            if hi > lo and bottom > top:
                view[top:bottom, lo:hi] = self.subject[top - y : bottom - y, lo - x : hi - x]
        return view


def clouds(
    rng: np.random.Generator, height: int, width: int, layers: Iterable[tuple[int, float]]
) -> np.ndarray:
    """Clouds of several scales, 0..1: one (cell size in pixels, weight) per layer."""
    total = np.zeros((height, width), dtype=np.float32)
    for cell, weight in layers:
        small = rng.random((height // cell + 2, width // cell + 2)).astype(np.float32)
        layer = Image.fromarray(small, mode="F").resize(
            ((width // cell + 2) * cell, (height // cell + 2) * cell), Image.Resampling.BICUBIC
        )
        total += weight * np.asarray(layer)[:height, :width]
    total -= total.min()
    total /= max(float(total.max()), 1e-6)
    return total


def _texture(rng: np.random.Generator, height: int, width: int, frame_h: int) -> np.ndarray:
    """Clouds whose scales follow the frame's height."""
    shares = ((0.3, 1.0), (0.1, 0.6), (0.03, 0.4), (0.01, 0.25))
    return clouds(rng, height, width, ((max(2, round(frame_h * s)), w) for s, w in shares))


def frames(clip: Clip) -> Iterator[np.ndarray]:
    """The clip's yuv420p frames, (h * 3 // 2, w) uint8, one buffer reused."""
    w, h = clip.width, clip.height
    worlds = [_World(clip, shot, n) for n, shot in enumerate(clip.shots)]
    starts = [0.0, *clip.boundaries()]
    joins = clip._joins()
    rng = np.random.default_rng(clip.seed + 7)
    noise = rng.normal(0, clip.noise, size=(5, h, w)).astype(np.float32)
    other = _World(clip, Shot(1.0), 999).frame(0.0, 0)
    buffer = np.empty((h * 3 // 2, w), dtype=np.uint8)
    flash_frames = {round(t * clip.fps) for t in clip.flashes}
    glitch_frames = {round(t * clip.fps) for t in clip.glitches}
    held: tuple[np.ndarray, np.ndarray] | None = None
    for i in range(clip.frames):
        t = i / clip.fps
        if clip.frozen and clip.frozen[0] <= t < clip.frozen[1] and held is not None:
            luma, tint = held
        else:
            luma, tint = _picture(worlds, starts, joins, t, i, clip)
            luma = luma + noise[i % len(noise)]
            held = (luma, tint)
        if i in flash_frames:
            luma = np.full_like(luma, WHITE)
        if i in glitch_frames:
            luma = other + noise[i % len(noise)]
        if clip.black and clip.black[0] <= t < clip.black[1]:
            luma, tint = np.full_like(luma, BLACK), np.array([128.0, 128.0])
        buffer[:h] = np.clip(luma, 0, 255)
        buffer[h : h + h // 4] = int(tint[0])
        buffer[h + h // 4 :] = int(tint[1])
        yield buffer


def _picture(
    worlds: list[_World],
    starts: list[float],
    joins: list[tuple[Join, float]],
    t: float,
    i: int,
    clip: Clip,
) -> tuple[np.ndarray, np.ndarray]:
    shot = sum(1 for s in starts[1:] if s <= t + 1e-9)
    for k, (join, seconds) in enumerate(joins):
        boundary = starts[k + 1]
        if join != "cut" and seconds > 0 and boundary - seconds / 2 <= t < boundary + seconds / 2:
            alpha = (t - (boundary - seconds / 2)) / seconds
            a = worlds[k].frame(t - starts[k], i - round(starts[k] * clip.fps))
            b = worlds[k + 1].frame(t - boundary, i - round(boundary * clip.fps))
            ta, tb = worlds[k].tint_at(t - starts[k]), worlds[k + 1].tint_at(t - boundary)
            return _mix(join, alpha, a, b, ta, tb, k)
    world = worlds[shot]
    local = t - starts[shot]
    return world.frame(local, i - round(starts[shot] * clip.fps)), world.tint_at(local)


def _mix(
    join: Join,
    alpha: float,
    a: np.ndarray,
    b: np.ndarray,
    ta: np.ndarray,
    tb: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    if join == "dissolve":
        return (1 - alpha) * a + alpha * b, (1 - alpha) * ta + alpha * tb
    if join in ("fade_black", "fade_white"):
        level = BLACK if join == "fade_black" else WHITE
        grey = np.array([128.0, 128.0])
        if alpha < 0.5:
            g = 1 - 2 * alpha
            return level + (a - level) * g, grey + (ta - grey) * g
        g = 2 * alpha - 1
        return level + (b - level) * g, grey + (tb - grey) * g
    h, w = a.shape
    if join == "push":
        # The new picture slides in from the right and pushes the old one out to the left.
        edge = round(alpha * w)
        out = np.empty_like(a)
        out[:, : w - edge] = a[:, edge:]
        out[:, w - edge :] = b[:, :edge] if edge else b[:, :0]
        return out, ta if alpha < 0.5 else tb
    # A wipe: the new picture pushes in from the left (or the top, every other wipe).
    out = a.copy()
    if k % 2 == 0:
        edge = round(alpha * w)
        out[:, :edge] = b[:, :edge]
    else:
        edge = round(alpha * h)
        out[:edge] = b[:edge]
    return out, ta if alpha < 0.5 else tb


def write(clip: Clip, path: Path, audio: AudioKind = None) -> Path:
    """Encode the clip as H.264 (the container from the suffix)."""
    return write_yuv_video(
        path, frames(clip), fps=clip.fps, width=clip.width, height=clip.height, audio=audio
    )
