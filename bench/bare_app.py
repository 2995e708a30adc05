"""The calibration: a bare Flask route that looks up one job in SQLite and answers it as JSON.

Served by gunicorn with the project's settings (bench/calibration.py), it is the cheapest a
status poll can be on this machine with this stack; the benches state their goals as ratios to
it, so a figure says something about the service and not only about the machine it ran on.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, abort, jsonify
from flask.typing import ResponseReturnValue

from bench.phones import Phone
from bench.server import Server, running_server

COLUMNS = ("id", "status", "phase", "progress", "message", "attempts", "updated_at")


def create_database(path: str, job_ids: list[str]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE jobs (id TEXT PRIMARY KEY, status TEXT, phase TEXT, progress INTEGER,"
            " message TEXT, attempts INTEGER, updated_at TEXT)"
        )
        db.executemany(
            "INSERT INTO jobs VALUES (?, 'processing', 'analyzing', 42,"
            " 'Analyzing frame 756 of 1800', 1, '2026-01-01T00:00:00.000Z')",
            [(job_id,) for job_id in job_ids],
        )


def create_app() -> Flask:
    app = Flask(__name__)
    path = os.environ["BARE_DB"]
    local = threading.local()

    @app.get("/api/jobs/<job_id>")
    def show(job_id: str) -> ResponseReturnValue:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(path)
        row = local.db.execute(
            f"SELECT {', '.join(COLUMNS)} FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
        if row is None:
            abort(404)
        return jsonify(dict(zip(COLUMNS, row, strict=True)))

    @app.get("/api/health")
    def health() -> ResponseReturnValue:
        return {"status": "ok"}

    return app


@contextmanager
def bare_route(
    phones: list[Phone], tmp: Path, env: dict[str, str]
) -> Iterator[tuple[Server, list[Phone]]]:
    """The calibration served with the project's gunicorn settings (gunicorn's own gthread
    worker: ours needs the app's services), holding the same job ids, and phones to poll it."""
    database = tmp / "bare.db"
    create_database(str(database), [p.job_id for p in phones])
    with running_server(
        "bare",
        {**env, "BARE_DB": str(database)},
        "bench.bare_app:create_app()",
        ("--worker-class", "gthread"),
    ) as server:
        yield server, [Phone(str(uuid.uuid4()), p.job_id) for p in phones]
