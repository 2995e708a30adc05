"""Scene-change accuracy on the four sets, every detector on the same clips in the same run.

Sets: the dev set (bench/corpus.py `clips`, tuned on), the held-out set (`heldout`, never
tuned on), and real footage labelled by eye (bench/truth/), split the same way. Detectors: ours,
PySceneDetect's ContentDetector and AdaptiveDetector, and the TransNetV2 reference (PyTorch,
its own 0.5 threshold) where torch is installed.

bench/analysis.py runs it after its speed rounds. Alone, in a few minutes (ours and the model
alone in this process, no speed rounds, no PySceneDetect), for trying a change on the dev set:
    PYTHONPATH=. .venv/bin/python -m bench.accuracy [--sets dev] [--detectors ours,model]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Score, clips, heldout, score
from tests.analysis.footage import Change, Clip, write
from tests.analysis.real import real_clip

REAL = {
    "dev": ("bikes", "carphone_pristine", "trailer_bbb", "bbb_opening"),
    "held-out": ("transnet_test", "bigbuckbunny", "cockatoo"),
}
# Prefixes of the constructed clips, for the per-case rows.
CASES = {
    "camera motion": ("pan", "whip", "shake", "zoom", "walk", "roll", "subjects"),
    "light, drift, passer-by": ("drift_", "light", "pass", "flash"),
    "cuts": ("cuts", "driftcuts"),
    "dissolves and fades": ("dissolves", "fades", "dark"),
    "wipes and pushes": ("wipes", "pushes"),
}

Detect = Callable[[Path], list[float]]


@dataclass(frozen=True)
class Item:
    name: str
    path: Path
    truth: list[Change]
    clip: Clip | None  # None for real footage
    until_s: float = float("inf")  # changes found later are not scored (not labelled)


def sets(work: Path) -> dict[str, list[Item]]:
    """Every set, its constructed clips written to `work` once."""
    out: dict[str, list[Item]] = {}
    for name, corpus in (("dev", clips()), ("held-out", heldout())):
        folder = work / f"corpus_{name}"
        folder.mkdir(parents=True, exist_ok=True)
        items = []
        for clip in corpus:
            path = folder / f"{clip.name}.mp4"
            if not path.exists():
                write(clip, path)
            items.append(Item(clip.name, path, clip.truth(), clip))
        out[name] = items
        out[f"{name} real"] = [
            Item(stem, (real := real_clip(stem)).path, real.truth, None, real.until_s)
            for stem in REAL[name]
        ]
    return out


def measure(items: Sequence[Item], detectors: dict[str, Detect]) -> dict[str, dict[str, Score]]:
    """Score of each detector on each item, by item name."""
    return {
        kind: {
            item.name: score([t for t in detect(item.path) if t < item.until_s], item.truth)
            for item in items
        }
        for kind, detect in detectors.items()
    }


def report(name: str, items: Sequence[Item], scores: dict[str, dict[str, Score]]) -> None:
    kinds = list(scores)
    changes = sum(len(i.truth) for i in items)
    print(f"\n   {name}: {len(items)} clips, {changes} true changes")
    print(f"   {'':26s}" + "".join(f"{k:>28s}" for k in kinds))
    rows: list[tuple[str, Callable[[Item], bool]]] = [("all", lambda i: True)]
    if any(i.clip is not None for i in items):
        rows += [(case, _member(prefixes)) for case, prefixes in CASES.items()]
        rows += [
            ("60 fps", lambda i: i.clip is not None and i.clip.fps == 60),
            ("portrait", lambda i: i.clip is not None and i.clip.height > i.clip.width),
        ]
    for label, member in rows:
        cells = []
        for kind in kinds:
            total = Score(0, 0, 0)
            for item in items:
                if member(item):
                    total = total + scores[kind][item.name]
            cells.append(_cell(total))
        print(f"   {label:26s}" + "".join(f"{c:>28s}" for c in cells))
    for kind in kinds:
        errs = [
            f"{item.name} (-{s.missed} +{s.false})"
            for item in items
            if (s := scores[kind][item.name]).missed or s.false
        ]
        print(f"   {kind} errs on: {', '.join(errs) or 'nothing'}")


def _member(prefixes: Sequence[str]) -> Callable[[Item], bool]:
    return lambda i: i.clip is not None and i.name.startswith(tuple(prefixes))


def _cell(s: Score) -> str:
    return f"F1 {s.f1:.3f} P {s.precision:.2f} R {s.recall:.2f} +{s.false}"


def main() -> None:
    from bench.analysis import run_detector

    parser = argparse.ArgumentParser(description="scene-change accuracy, without the speed part")
    parser.add_argument("--sets", default="dev", help="comma-separated: dev, held-out")
    parser.add_argument("--detectors", default="ours,model", help="ours, model, content, adaptive")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the clips here")
    args = parser.parse_args()
    detectors: dict[str, Detect] = {
        kind: (lambda p, k=kind: run_detector(k, p, None)[1]) for kind in args.detectors.split(",")
    }
    with tempfile.TemporaryDirectory() as tmp:
        every = sets(args.workdir or Path(tmp))
        for name in filter(None, args.sets.split(",")):
            for group in (name, f"{name} real"):
                report(group, every[group], measure(every[group], detectors))


if __name__ == "__main__":
    main()
