"""A status poll's CPU in-process, beside the calibration route: `python bench/poll_cost.py [TREE]`.

Flask's test client (no gunicorn), JSON logs to /dev/null, rate limits on as in production:
CPU per `GET /api/jobs/{id}` with its bearer token (best of 5 x 500), the Python calls one poll
makes, the same for bench/bare_app.py's route in the same process, and `GET /api/openapi.json`
twice. TREE: another checkout of the project to measure instead (e.g. `git archive <commit>`
unpacked), with this venv; the calibration route always comes from this checkout.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
BROKEN_MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


def cpu_ms(get: Any) -> float:
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(500):
            get()
        best = min(best, (time.process_time() - started) / 500 * 1000)
    return best


def python_calls(get: Any) -> int:
    calls = [0]

    def count(_frame: Any, event: str, _arg: Any) -> None:
        if event in ("call", "c_call"):
            calls[0] += 1

    sys.setprofile(count)
    get()
    sys.setprofile(None)
    return calls[0]


def main() -> None:
    tree = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else HERE
    sys.path.insert(0, str(HERE))
    from bench.bare_app import create_app as bare_app
    from bench.bare_app import create_database

    sys.path.insert(0, str(tree))  # the project measured: this checkout or TREE
    tmp = Path(tempfile.mkdtemp(prefix="clipscope-poll-cost-"))
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(tmp)
    try:
        from backend.app import create_app
    except ImportError:  # a tree from before create_app moved out of backend/__init__.py
        from backend import create_app  # type: ignore[attr-defined,no-redef]
    from backend.config import Config
    from backend.migrate import upgrade

    upgrade(f"sqlite:///{tmp}/db.db")
    config = Config(
        database_url=f"sqlite:///{tmp}/db.db",
        upload_dir=tmp / "uploads",
        executor="inline",
        secret_key="bench",
        expo_push_url="http://127.0.0.1:9",
        log_format="json",
    )
    app = create_app(config)
    for handler in logging.getLogger().handlers:
        handler.stream = open(os.devnull, "w")  # type: ignore[attr-defined]  # noqa: SIM115
    client = app.test_client()
    credentials = {"email": "cost@bench.example", "password": "bench password"}
    token = client.post("/api/auth/register", json=credentials).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    upload = {**headers, "Content-Type": "video/mp4"}
    job_id = client.post("/api/upload", data=BROKEN_MP4, headers=upload).get_json()["job_id"]
    create_database(str(tmp / "bare.db"), [job_id])
    os.environ["BARE_DB"] = str(tmp / "bare.db")
    bare = bare_app().test_client()
    path = f"/api/jobs/{job_id}"
    for name, test_client in ((str(tree), client), ("bare route", bare)):
        for _ in range(50):
            test_client.get(path, headers=headers)
        calls = python_calls(lambda c=test_client: c.get(path, headers=headers))
        ms = cpu_ms(lambda c=test_client: c.get(path, headers=headers))
        print(f"{name}: {ms:.3f} ms CPU per poll (best of 5 x 500), {calls} Python calls")
    for n in (1, 2):
        started = time.process_time()
        client.get("/api/openapi.json")
        print(f"GET /api/openapi.json #{n}: {(time.process_time() - started) * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main()
