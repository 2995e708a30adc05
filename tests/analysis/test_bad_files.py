"""Files that are not (entirely) videos."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.analysis import AnalysisError
from tests.analysis.helpers import codes, run
from tests.videos import make_audio_only, make_text_file, make_truncated, make_video


def test_audio_only_file_has_no_video_stream(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError) as caught:
        run(make_audio_only(tmp_path / "voice.m4a"))

    assert caught.value.code == "no_video_stream"
    assert caught.value.message.endswith(".")


def test_text_file_named_mp4_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError) as caught:
        run(make_text_file(tmp_path / "notes.mp4"))

    assert caught.value.code == "invalid_video"
    assert "Traceback" not in caught.value.message
    assert str(tmp_path) not in caught.value.message


def test_empty_file_is_invalid(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")

    with pytest.raises(AnalysisError) as caught:
        run(empty)

    assert caught.value.code == "invalid_video"


def test_missing_file_is_invalid(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError) as caught:
        run(tmp_path / "gone.mp4")

    assert caught.value.code == "invalid_video"


@pytest.mark.parametrize("suffix", [".mp4", ".mkv", ".ts"])
def test_truncated_file_yields_the_readable_part(tmp_path: Path, suffix: str) -> None:
    path = make_truncated(tmp_path / f"cut{suffix}", keep=0.6, seconds=4.0, cuts=[0.5, 1.0])

    result, _ = run(path, thumbnails=tmp_path / "thumbs")

    assert "truncated" in codes(result)
    assert 10 < result["frames_analyzed"] < 4.0 * 24
    assert result["video"]["duration_s"] < 4.0
    assert result["scenes"][-1]["end_s"] <= result["video"]["duration_s"] + 0.05
    assert len(list((tmp_path / "thumbs").iterdir())) == len(result["scenes"])


def test_truncated_header_only_is_invalid(tmp_path: Path) -> None:
    path = make_truncated(tmp_path / "stub.mp4", keep=0.02, seconds=2.0)

    with pytest.raises(AnalysisError) as caught:
        run(path)

    assert caught.value.code == "invalid_video"


def test_complete_file_is_not_truncated(tmp_path: Path) -> None:
    result, _ = run(make_video(tmp_path / "whole.mp4", audio="tone", faststart=True))

    assert "truncated" not in codes(result)


def test_mp4_cut_before_its_index_is_invalid_with_the_reason(tmp_path: Path) -> None:
    # Without faststart the index is written last: cutting the file loses every frame.
    path = make_video(tmp_path / "recording.mp4", seconds=2.0)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    with pytest.raises(AnalysisError) as caught:
        run(path)

    assert caught.value.code == "invalid_video"
    assert "incomplete" in caught.value.message
