"""The learned shot-boundary model: the ONNX port gives PyTorch's numbers, and real footage."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest

from backend.analysis.frames import ModelInput
from backend.analysis.shotmodel import (
    FLOAT_MODEL,
    NARROW_MODEL,
    QUANTIZED_MODEL,
    ShotModel,
    sampling_step,
)
from tests.analysis.helpers import run, scene_starts
from tests.analysis.real import real_clip

DATA = Path(__file__).parent / "data"
# PyTorch's probabilities (tools/transnetv2/reference.py): with TransNetV2's own windows of 100,
# and with the windows of 200 the service's 8-bit models read.
REFERENCE = DATA / "transnetv2_reference.json"
WINDOW_200_REFERENCE = DATA / "transnetv2_reference_w200.json"
# The narrow network's own float probabilities (reference.py --student), windows of 200.
NARROW_REFERENCE = DATA / "transnetv2_narrow_reference_w200.json"
TOLERANCE_S = 0.25


def _probabilities(path: Path, file: Path) -> tuple[np.ndarray, np.ndarray]:
    model, to_model = ShotModel(model=file), ModelInput()
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            model.push(to_model(frame))
    model.finish()
    return np.asarray(model.single), np.asarray(model.many)


@pytest.mark.parametrize("stem", ["bikes", "carphone_pristine", "bigbuckbunny"])
def test_onnx_model_gives_pytorchs_probabilities_on_real_clips(stem: str) -> None:
    # Reference: tools/transnetv2/reference.py, PyTorch on the same frames, its own windowing.
    want = json.loads(REFERENCE.read_text())[f"{stem}.mp4"]
    single, many = _probabilities(real_clip(stem).path, FLOAT_MODEL)
    assert len(single) == len(want["single"]) == len(many)
    assert np.abs(single - np.asarray(want["single"])).max() < 1e-3
    assert np.abs(many - np.asarray(want["many"])).max() < 1e-3


@pytest.mark.parametrize(
    ("model", "reference"),
    [(QUANTIZED_MODEL, WINDOW_200_REFERENCE), (NARROW_MODEL, NARROW_REFERENCE)],
    ids=["full-width 8-bit", "narrow 8-bit, the service's"],
)
@pytest.mark.parametrize("stem", ["bikes", "carphone_pristine", "bigbuckbunny"])
def test_an_8_bit_model_stays_close_to_its_pytorch_network(
    stem: str, model: Path, reference: Path
) -> None:
    # The full-width 8-bit model (the narrow one's teacher) against TransNetV2 in PyTorch; the
    # narrow one the service runs against its own float network.
    want = json.loads(reference.read_text())[f"{stem}.mp4"]
    single, many = _probabilities(real_clip(stem).path, model)
    expected = np.asarray(want["single"])
    assert np.abs(single - expected).max() < 0.02
    assert np.abs(many - np.asarray(want["many"])).max() < 0.02
    # The same frames are transitions: what the boundaries read off the model is unchanged.
    assert np.array_equal(single > 0.5, expected > 0.5)


def test_cuts_in_real_footage_are_found_where_a_person_sees_them() -> None:
    clip = real_clip("bikes")
    result, _ = run(clip.path)
    starts = scene_starts(result)[1:]
    assert len(starts) == len(clip.truth) == 5
    for found, truth in zip(starts, clip.truth, strict=True):
        assert abs(found - truth.start_s) <= TOLERANCE_S
    assert {s["kind"] for s in result["scenes"][1:]} == {"cut"}


def test_one_real_shot_with_a_moving_camera_is_one_scene() -> None:
    result, _ = run(real_clip("carphone_pristine").path)
    assert len(result["scenes"]) == 1


def test_fast_footage_is_sampled_to_what_the_model_was_trained_on() -> None:
    assert [sampling_step(fps) for fps in (24, 25, 29.97, 30, 50, 59.94, 60, 120, 240)] == [
        1,
        1,
        1,
        1,
        2,
        2,
        2,
        4,
        8,
    ]
