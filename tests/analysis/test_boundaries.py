"""The fusion of the model's probabilities with the signal finds, fed directly (the clips that
call for each rule are in bench/truth/: the dev set's real footage)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from backend.analysis.boundaries import Boundary, SceneBoundaries
from backend.analysis.gradual import Transition

FPS = 24.0
FRAMES = 480


def _decide(
    single: Sequence[float],
    many: Sequence[float],
    cuts: Sequence[int] = (),
    transitions: Sequence[Transition] = (),
    contrast: Sequence[float] = (40.0,) * FRAMES,
    picture: Callable[[int], np.ndarray | None] = lambda _: None,
    jumps: Sequence[float] = (),
) -> list[Boundary]:
    boundaries = SceneBoundaries(FPS, picture, jumps, contrast)
    for frame in cuts:
        boundaries.cut(frame)
    for found in transitions:
        boundaries.transition(found)
    boundaries.model(single, many)
    boundaries.release(FRAMES, final=True)
    return boundaries.found


def _run(values: dict[range, float]) -> list[float]:
    out = [0.001] * FRAMES
    for frames, value in values.items():
        for k in frames:
            out[k] = value
    return out


def test_a_fade_out_and_in_split_by_the_signals_is_one_change() -> None:
    # The model holds 100-146 to be one transition; the mixture test saw its first half as a
    # dissolve and the dip bridge a cut across the black frame in the middle.
    single = _run({range(110, 112): 0.7, range(134, 135): 0.5})
    many = _run({range(100, 147): 0.9})
    dissolve = Transition(start=101, middle=109, end=116, kind="dissolve", quality=0.75)

    found = _decide(single, many, cuts=[123], transitions=[dissolve])

    assert [(b.frame, b.kind) for b in found] == [(123, "cut")]


def test_two_quick_cuts_the_model_holds_to_be_one_transition_are_two_changes() -> None:
    # `many` stays above 0.5 all through a 0.45 s shot between two cuts the signal placed (the
    # narrow model on a dark, noisy clip): two changes. Black frames with noise on them between
    # the same two cuts (a quick fade out and in) are no shot: one change.
    textures = [np.random.default_rng(seed).uniform(0, 60, (27, 48)) for seed in range(3)]

    def pictures(between: Callable[[int], np.ndarray]) -> Callable[[int], np.ndarray]:
        def picture(frame: int) -> np.ndarray:
            noise = np.random.default_rng(100 + frame).normal(0, 2, (27, 48))
            if 120 <= frame < 131:
                return between(frame)
            return textures[0 if frame < 120 else 2] + noise

        return picture

    single = _run({range(119, 122): 0.3, range(129, 132): 0.55})
    many = _run({range(116, 134): 0.6})

    def shot(frame: int) -> np.ndarray:
        return textures[1] + np.random.default_rng(100 + frame).normal(0, 2, (27, 48))

    def black(frame: int) -> np.ndarray:
        return np.random.default_rng(100 + frame).normal(0, 4, (27, 48))

    two = _decide(single, many, cuts=[120, 131], picture=pictures(shot))
    one = _decide(single, many, cuts=[120, 131], picture=pictures(black))

    assert [(b.frame, b.kind) for b in two] == [(120, "cut"), (131, "cut")]
    assert [(b.frame, b.kind) for b in one] == [(131, "cut")]


def test_a_cut_between_two_unrelated_pictures_stands_where_the_model_is_blind_to_it() -> None:
    # The narrow model's `single` reads 0.04 on a cut in the bench's dark, noisy footage, where
    # the frames either side are unrelated (1 - correlation 0.97); a jump of 0.5 is not enough.
    single = _run({range(200, 212): 0.04})
    clear = [0.97 if k == 206 else 0.25 for k in range(FRAMES)]
    unclear = [0.5 if k == 206 else 0.25 for k in range(FRAMES)]

    assert [(b.frame, b.kind) for b in _decide(single, single, [206], jumps=clear)] == [
        (206, "cut")
    ]
    assert _decide(single, single, [206], jumps=unclear) == []


def test_a_long_dissolve_the_model_holds_to_be_inside_a_transition_stands() -> None:
    # 1.9 s, measured less than clearly; the model misses its centre (`single` 0.06).
    dissolve = Transition(start=200, middle=222, end=244, kind="dissolve", quality=0.78)
    single = _run({range(200, 245): 0.06})

    inside = _decide(single, _run({range(210, 240): 0.36}), transitions=[dissolve])
    outside = _decide(single, _run({range(210, 240): 0.09}), transitions=[dissolve])

    assert [(b.frame, b.kind, b.span) for b in inside] == [(222, "dissolve", (200, 244))]
    assert outside == []


def test_a_clip_fading_in_from_black_has_no_change_at_its_opening() -> None:
    single = _run({range(15, 16): 0.67, range(300, 301): 0.95})
    many = _run({range(3, 26): 0.9, range(300, 301): 0.95})
    # Black, then the picture comes up over a second; a cut to another shot later.
    contrast = [min(26.0, max(0.0, k - 2) * 26.0 / 24) for k in range(FRAMES)]

    found = _decide(single, many, contrast=contrast)
    lit = _decide(single, many, contrast=[26.0] * FRAMES)

    assert [b.frame for b in found] == [300]
    # The same model change in a clip that opens on a picture is a change.
    assert [b.frame for b in lit] == [15, 300]


def test_a_cut_from_or_to_a_dim_shot_at_either_end_is_a_change() -> None:
    # Only a fade (a gradual change) opens or closes a clip: a dim first or last shot, cut
    # from or to, is a scene of its own.
    single = _run({range(100, 101): 0.95, range(400, 401): 0.95})
    dim_ends = [6.0] * 100 + [40.0] * 300 + [6.0] * 80

    found = _decide(single, single, contrast=dim_ends)

    assert [(b.frame, b.kind) for b in found] == [(100, "cut"), (400, "cut")]
