"""Video analysis: pure functions over a file path and a progress callback (no Flask, no DB)."""

from .analyzer import analyze
from .errors import AnalysisCancelled, AnalysisError
from .progress import ProgressFn
from .result import ANALYZER_VERSION

__all__ = ["ANALYZER_VERSION", "AnalysisCancelled", "AnalysisError", "ProgressFn", "analyze"]
