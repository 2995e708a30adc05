"""The two ways an analysis ends without a result."""

from __future__ import annotations


class AnalysisError(Exception):
    """The file cannot be analysed; `code` is the job error code, `message` a sentence."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class AnalysisCancelled(Exception):
    """should_stop() asked the analysis to stop."""


INVALID_VIDEO = "invalid_video"
NO_VIDEO_STREAM = "no_video_stream"
