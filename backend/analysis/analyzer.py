"""analyze(): the whole analysis of one file, from probing to the result document."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from av.audio.frame import AudioFrame
from av.video.frame import VideoFrame

from .audio import AudioMeter
from .decode import decode
from .errors import INVALID_VIDEO, AnalysisError
from .frames import FrameAnalyzer
from .loudness import LoudnessMeter
from .probe import open_container, probe
from .progress import Progress, ProgressFn, StopFn
from .result import build, extent
from .thumbnails import ThumbnailPicker


def analyze(
    path: str | os.PathLike[str],
    progress: ProgressFn,
    should_stop: StopFn,
    thumbnails_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Analyse the video at `path` in one pass; write `<thumbnails_dir>/<scene>.jpg` if given.

    Raises AnalysisError for files that are not analysable videos and AnalysisCancelled as
    soon as should_stop() returns True.
    """
    started = time.monotonic()
    tracker = Progress(progress, should_stop)
    tracker.update("probing", 0.0, "Reading the file")
    tracker.check_stop(force=True)
    with open_container(path) as container:
        info = probe(container, path)
        tracker.update("probing", 1.0, f"Found {info.video.codec} video")
        tracker.check_stop(force=True)
        picker = None
        if thumbnails_dir is not None:
            directory = Path(thumbnails_dir)
            directory.mkdir(parents=True, exist_ok=True)
            picker = ThumbnailPicker(directory)
        analyzer = FrameAnalyzer(
            info.video.average_rate or 30.0,
            picker,
            info.video.sample_aspect,
            info.video.duration_s,
            tracker.check_stop,
        )
        frame_size = [0, 0]

        def on_video(frame: VideoFrame, t: float) -> None:
            if analyzer.count == 0:
                frame_size[:] = [frame.width, frame.height]
                if picker is not None:
                    picker.rotation_ccw = frame.rotation
            analyzer.add(frame, t)

        meter = loudness = None
        if info.audio_stream is not None:
            meter = AudioMeter(info.video.start_s)
            loudness = LoudnessMeter(info.audio_stream)

        def on_audio(frame: AudioFrame) -> None:
            assert meter is not None and loudness is not None
            meter.add(frame)
            loudness.add(frame)

        outcome = decode(container, info, on_video, on_audio if meter else None, tracker)
    if outcome.frames == 0:
        reason = outcome.stopped_early or outcome.first_error or "the video stream is empty"
        raise AnalysisError(INVALID_VIDEO, f"No frame of the video could be decoded ({reason}).")
    tracker.update("finalizing", 0.0, "Writing scene thumbnails")
    tracker.check_stop(force=True)
    analyzer.finish()
    if meter is not None:
        meter.flush()
    if loudness is not None:
        loudness.flush()
    tracker.update("finalizing", 1.0, "Summing up")
    span = extent(info, outcome, analyzer)
    result = build(
        info,
        outcome,
        analyzer,
        meter,
        loudness,
        span,
        (frame_size[0], frame_size[1]),
        time.monotonic() - started,
    )
    tracker.done()
    return result
