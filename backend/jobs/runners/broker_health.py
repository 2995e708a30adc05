"""Celery mode's part of /api/health: is the broker reachable, which workers answer a ping.

Asking takes half a second at least (a ping waits that long for every worker's reply), so a
health probe never asks: a background thread asks every REFRESH_S seconds from the moment the
web process starts (CeleryRunner.start, in each gunicorn worker after the fork: a thread started
before it would not survive into the worker), and a probe answers the last answer at once,
saying when it was asked. A probe before the first answer says nothing is known yet (nulls)
rather than wait for it: a load balancer probing a new process must not wait half a second.
A stopped worker leaves `live_workers` within REFRESH_S plus one ask (~2.5 s), whether probes
come every second or once a minute; an answer asked only when a probe came was as old as the
gap between probes (each web process seeing only some of them), and listed stopped workers for
20 s and more.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from typing import Any

from celery import Celery

from backend.timeutil import isoformat, utcnow

log = logging.getLogger(__name__)


class BrokerHealth:
    # How often the broker is asked; an answer is at most this old, plus one ask.
    REFRESH_S = 2.0

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._answer: dict[str, Any] | None = None
        self._asked_at = 0.0  # time.monotonic() when the answer's ask began
        self._asked_wall: datetime | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Ask in the background from now on (idempotent); never once stopped."""
        with self._lock:
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(
                    target=self._loop, name="clipscope-broker-health", daemon=True
                )
                self._thread.start()

    def check(self) -> dict[str, Any]:
        """The last answer, with `workers_checked_at` and `workers_age_s`; never waits."""
        # A process that never started the thread (an app built without its background
        # threads, as in tests) starts it at its first probe.
        self.start()
        with self._lock:
            if self._answer is None:  # nothing asked yet: unknown, not "no broker, no workers"
                return {
                    "broker": None,
                    "live_workers": None,
                    "workers_checked_at": None,
                    "workers_age_s": None,
                }
            return {
                **self._answer,
                "workers_checked_at": isoformat(self._asked_wall),
                "workers_age_s": round(time.monotonic() - self._asked_at, 1),
            }

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            asked_at, asked_wall = time.monotonic(), utcnow()
            try:
                answer = self._ask()
            except Exception:  # never let the thread die: an old answer would be served forever
                log.exception("asking the broker for its workers failed")
                answer = {"broker": False, "live_workers": []}
            with self._lock:
                self._answer, self._asked_at, self._asked_wall = answer, asked_at, asked_wall
            self._stopping.wait(self.REFRESH_S)

    def _ask(self) -> dict[str, Any]:
        try:
            with self._app.pool.acquire(block=True, timeout=2) as conn:
                conn.ensure_connection(max_retries=1, timeout=1)
            replies = self._app.control.ping(timeout=0.5) or []
        except Exception:
            return {"broker": False, "live_workers": []}
        return {"broker": True, "live_workers": sorted(name for reply in replies for name in reply)}
