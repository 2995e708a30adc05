"""Figures the benches measure: percentiles, the printed table, and a JSON hand-off to run.py."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Figure:
    bench: str
    name: str
    measured: float
    unit: str
    goal: float | None = None  # an upper bound; None for figures that only inform

    @property
    def verdict(self) -> str:
        if self.goal is None:
            return ""
        if self.measured <= self.goal:
            return "pass"
        return f"MISS by {self.measured - self.goal:.1f} {self.unit}"


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: a value that was really observed (p99 of 50 samples is the maximum)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def table(figures: Sequence[Figure], title: str) -> str:
    rows = [("figure", "goal", "measured", "verdict")]
    for f in figures:
        goal = f"<= {f.goal:g} {f.unit}" if f.goal is not None else "-"
        rows.append((f.name, goal, f"{f.measured:.2f} {f.unit}", f.verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [title, "-" * len(title)]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def save(figures: Sequence[Figure], path: Path | None) -> None:
    if path is not None:
        path.write_text(json.dumps([asdict(f) for f in figures]))


def load(path: Path) -> list[Figure]:
    if not path.exists() or not path.read_text().strip():
        return []
    return [Figure(**row) for row in json.loads(path.read_text())]
