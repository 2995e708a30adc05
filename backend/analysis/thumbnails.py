"""One JPEG per scene, from its most representative frame, written as soon as the scene ends."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MAX_SIDE = 320
_JPEG_QUALITY = 85
# Frames at a cut can be the last of a transition; prefer frames settled into the scene.
_SPIKE_PENALTY = 0.8
_THUMBNAIL_NAME = re.compile(r"\d+\.jpg(\.part)?")


@dataclass(frozen=True)
class Candidate:
    score: float
    rgb: np.ndarray


def frame_score(mean: float, std: float, spike: bool) -> float:
    """Higher for well-exposed frames with contrast: not black, not white, not a flat fade."""
    brightness = mean / 255.0
    if brightness < 0.2:
        exposure = max(0.0, brightness - 0.02) / 0.18
    elif brightness > 0.8:
        exposure = max(0.0, 0.98 - brightness) / 0.18
    else:
        exposure = 1.0
    contrast = min(1.0, std / 48.0)
    score = exposure * (0.2 + contrast)
    return score * _SPIKE_PENALTY if spike else score


class ThumbnailPicker:
    """Keeps the best candidate of the open scene; frames join a scene once cuts are decided."""

    def __init__(self, directory: Path, rotation_ccw: int = 0) -> None:
        self.directory = directory
        # A retried job writes into the same place: thumbnails of an earlier attempt would
        # outnumber this attempt's scenes.
        for stale in directory.glob("*.jpg*"):
            if _THUMBNAIL_NAME.fullmatch(stale.name):
                stale.unlink(missing_ok=True)
        self.rotation_ccw = rotation_ccw
        self.written = 0
        self._pending: dict[int, Candidate] = {}
        self._best: Candidate | None = None
        self._fallback: Candidate | None = None

    def add(self, frame_index: int, candidate: Candidate) -> None:
        self._pending[frame_index] = candidate

    def decided(self, frame_index: int, is_cut: bool, in_transition: bool = False) -> None:
        """frame_index is settled: is_cut means it starts a new scene; a frame inside a
        dissolve or wipe mixes two scenes and stands for neither."""
        if is_cut:
            self._close_scene()
        candidate = self._pending.pop(frame_index, None)
        if in_transition:
            # Kept only in case the scene has no frame of its own to show.
            if candidate is not None and (
                self._fallback is None or candidate.score > self._fallback.score
            ):
                self._fallback = candidate
            return
        if candidate is not None and (self._best is None or candidate.score > self._best.score):
            self._best = candidate

    def finish(self) -> None:
        self._close_scene()

    def _close_scene(self) -> None:
        best = self._best or self._fallback
        if best is not None:
            write_jpeg(best.rgb, self.directory / f"{self.written}.jpg", self.rotation_ccw)
        self.written += 1
        self._best = None
        self._fallback = None


def write_jpeg(rgb: np.ndarray, path: Path, rotation_ccw: int) -> None:
    """Write atomically, rotated as a viewer shows the video, so readers never see half a file."""
    turns = (rotation_ccw // 90) % 4
    if turns:
        rgb = np.rot90(rgb, k=turns)
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    partial = path.with_name(path.name + ".part")
    image.save(partial, format="JPEG", quality=_JPEG_QUALITY)
    os.replace(partial, path)
