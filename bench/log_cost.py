"""What one request's log line and latency sample cost: `python bench/log_cost.py`.

Best of 5 runs of 2000 each, written to /dev/null (the formatting and the write, not a disk).
"""

from __future__ import annotations

import logging
import os
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backend.observability import metrics
from backend.observability.logs import configure_logging, event

N = 2000


def per_call_us(call: Callable[[], object]) -> float:
    return min(timeit.repeat(call, number=N, repeat=5)) / N * 1e6


def main() -> None:
    out = sys.stdout
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the log handler writes here
    log = logging.getLogger("clipscope.request")

    def line() -> None:
        event(
            log,
            "GET /api/jobs/<job_id> 200 1.0ms",
            event="request",
            method="GET",
            route="/api/jobs/<job_id>",
            status=200,
            ms=1.0,
            request_id="a" * 32,
            user_id=1,
        )

    for setting in ("json", "text"):
        configure_logging(setting)
        print(f"request log line ({setting}): {per_call_us(line):.1f} us", file=out)
    sample = per_call_us(lambda: metrics.observe_request("GET", "/api/jobs/<job_id>", 200, 0.001))
    print(f"HTTP latency sample (single process): {sample:.1f} us", file=out)


if __name__ == "__main__":
    main()
