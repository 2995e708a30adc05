"""Running analyze() the way the job runner does, recording what it reports."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backend.analysis import analyze
from backend.analysis.schema import AnalysisResult


@dataclass
class Recorder:
    events: list[tuple[str, int, str]] = field(default_factory=list)

    def __call__(self, phase: str, percent: int, message: str) -> None:
        self.events.append((phase, percent, message))


def run(path: Path, thumbnails: Path | None = None) -> tuple[dict[str, Any], Recorder]:
    """Analyse, check the document against the schema and JSON, and return it."""
    recorder = Recorder()
    result = analyze(path, recorder, lambda: False, thumbnails_dir=thumbnails)
    AnalysisResult.model_validate(result)
    json.dumps(result, allow_nan=False)
    return result, recorder


def codes(result: dict[str, Any]) -> list[str]:
    return [w["code"] for w in result["quality"]["warnings"]]


def scene_starts(result: dict[str, Any]) -> list[float]:
    return [s["start_s"] for s in result["scenes"]]
