"""The 1080p30 H.264 bench file: textured pans with sensor noise, dark scenes, fades, known cuts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from tests.analysis.footage import clouds

WIDTH, HEIGHT, FPS = 1920, 1080, 30
PARTS = ("ordinary", "dark_noisy", "fades")


@dataclass(frozen=True)
class Scene:
    start: int  # first frame
    frames: int
    part: str
    seed: int
    fade_in: int = 0  # frames ramping up from dark at the start
    fade_out: int = 0  # frames ramping down to dark at the end
    dip: tuple[int, int] | None = None  # (first frame, frames) of a fade to black and back


def plan(seconds: float, seed: int = 7) -> list[Scene]:
    """Scenes of 1.2-3.5 s; each third of the clip is one kind of footage."""
    rng = np.random.default_rng(seed)
    total = round(seconds * FPS)
    scenes: list[Scene] = []
    start = 0
    while start < total:
        part = PARTS[min(2, start * 3 // total)]
        length = int(rng.integers(round(1.2 * FPS), round(3.5 * FPS)))
        length = min(length, total - start)
        if total - start - length < FPS:
            length = total - start
        fade_in = fade_out = 0
        dip = None
        if part == "fades":
            choice = len(scenes) % 3
            if choice == 0:
                fade_in, fade_out = int(rng.integers(5, 20)), int(rng.integers(5, 20))
            elif choice == 1:
                fade_out = int(rng.integers(5, 25))
            elif length > 2 * FPS:
                dip = (length // 3, int(rng.choice([6, 8, 16, 24])))
        scenes.append(
            Scene(start, length, part, int(rng.integers(1 << 30)), fade_in, fade_out, dip)
        )
        start += length
    return scenes


def truth_cuts(scenes: Sequence[Scene]) -> list[int]:
    return [s.start for s in scenes[1:]]


class Painter:
    """1080p luma textures panned per scene; constant chroma tint per scene."""

    def __init__(self) -> None:
        # Sensor noise changes every frame, which is what makes real footage cost bits to
        # decode; dark scenes get much more of it, as phones push the gain up.
        bank = np.random.default_rng(3).normal(0, 1, size=(4, HEIGHT, WIDTH))
        self.noise = {"dark_noisy": (bank * 4).astype(np.int16), "": (bank * 1.5).astype(np.int16)}

    def frames(self, scenes: Sequence[Scene]) -> Iterator[np.ndarray]:
        buffer = np.empty((HEIGHT * 3 // 2, WIDTH), dtype=np.uint8)
        for scene in scenes:
            rng = np.random.default_rng(scene.seed)
            speed = rng.uniform(-14, 14, size=2)
            if scene.part == "ordinary" and rng.random() < 0.3:
                speed *= 3  # a fast pan: lots of motion, no cut
            pad = np.ceil(np.abs(speed) * scene.frames).astype(int) + 2
            texture = _texture(rng, HEIGHT + pad[1], WIDTH + pad[0])
            # Studio range (16 black, 235 white), as cameras write it.
            low, high = (24.0, 62.0) if scene.part == "dark_noisy" else (32.0, 225.0)
            luma = (low + (high - low) * texture).astype(np.uint8)
            tint = rng.integers(96, 160, size=2)
            buffer[HEIGHT : HEIGHT + HEIGHT // 4] = tint[0]
            buffer[HEIGHT + HEIGHT // 4 :] = tint[1]
            for i in range(scene.frames):
                x = int(i * speed[0]) if speed[0] >= 0 else int(pad[0] - 2 + i * speed[0])
                y = int(i * speed[1]) if speed[1] >= 0 else int(pad[1] - 2 + i * speed[1])
                view = luma[y : y + HEIGHT, x : x + WIDTH]
                gain = _gain(scene, i)
                bank = self.noise.get(scene.part, self.noise[""])
                if gain < 1.0:
                    noisy = ((view - np.float32(16)) * np.float32(gain) + 16).astype(np.int16)
                else:
                    noisy = view.astype(np.int16)
                noisy += bank[i % len(bank)]
                np.clip(noisy, 0, 255, out=noisy)
                buffer[:HEIGHT] = noisy
                _moving_box(buffer, scene, i)
                yield buffer


def _texture(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Clouds of several scales, like foliage or a wall: detail that costs the codec bits."""
    return clouds(rng, height, width, ((96, 1.0), (24, 0.5), (6, 0.25), (2, 0.12)))


def _gain(scene: Scene, i: int) -> float:
    if scene.fade_in and i < scene.fade_in:
        return 0.08 + 0.92 * i / scene.fade_in
    if scene.fade_out and i >= scene.frames - scene.fade_out:
        return 0.08 + 0.92 * (scene.frames - 1 - i) / scene.fade_out
    if scene.dip is not None and scene.dip[0] <= i < scene.dip[0] + scene.dip[1]:
        half = scene.dip[1] / 2
        return min(1.0, abs(i - scene.dip[0] - half) / half)
    return 1.0


def _moving_box(buffer: np.ndarray, scene: Scene, i: int) -> None:
    size = 160
    x = (scene.seed % 1400 + i * 9) % (WIDTH - size)
    y = (scene.seed % 700 + i * 4) % (HEIGHT - size)
    level = 70 if scene.part == "dark_noisy" else 220
    buffer[y : y + size, x : x + size] = 16 + int((level - 16) * _gain(scene, i))
