"""gunicorn settings for `make run` and the Procfile; every value can be overridden by env."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# gthread, hardened (backend/server/worker.py): a stalled client is dropped after
# CLIPSCOPE_BODY_IDLE_TIMEOUT_S, gunicorn's own refusals come in our JSON error shape.
worker_class = "backend.server.worker.ClipscopeWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Uploads from phones on slow networks and long polls each hold a thread while they last; a
# waiting thread costs ~100 KB and no CPU, and the analysis runs in child processes, so threads
# are sized for hundreds of slow phones at once (see bench/adverse.py and
# tests/server/test_slow_clients.py).
threads = int(os.environ.get("GUNICORN_THREADS", "256"))
# Uploads of a few GB on a phone connection take long; the body is streamed, not buffered.
timeout = 120
graceful_timeout = 30
keepalive = 5
# One listening socket, made by the master and shared by the workers. With reuse_port each
# worker made its own and the kernel hashed each connection to one of them whatever that
# worker's load; a connection hashed to a stopped or stuck worker waited in its queue (or was
# reset when that worker restarted). On a shared socket an idle worker would take every new
# connection, so each worker accepts only while it holds no more connections than its peers
# (backend/server/spread.py, set up by the hooks below).
reuse_port = False
accesslog = "-" if os.environ.get("CLIPSCOPE_ACCESS_LOG") else None
# No preload: each worker process builds its own app, database pool and runner threads.
preload_app = False
# gunicorn's control socket has one default path per user: two servers on one host (tests,
# a second checkout) would take it from each other. `kill -HUP`/`-TERM` manage the server.
control_socket_disable = True

# --- Prometheus multi-process metrics (GET /metrics) ------------------------------------------
# Each worker writes its samples to files in PROMETHEUS_MULTIPROC_DIR and /metrics merges them.
# The directory must exist before a worker imports the app, and hold nothing from an earlier run.
_created_metrics_dir: str | None = None


def on_starting(server: object) -> None:
    global _created_metrics_dir
    import glob
    import tempfile

    from backend.server import spread

    spread.install()  # before the first fork: every worker sees the one table

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _created_metrics_dir = tempfile.mkdtemp(prefix="clipscope-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = _created_metrics_dir
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    for stale in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(stale)


def pre_fork(server: object, worker: object) -> None:
    # The worker's row in the connection table; taken from the workers alive now.
    from backend.server import spread

    table = spread.shares()
    if table is not None:
        taken = {getattr(w, "share_slot", -1) for w in server.WORKERS.values()}  # type: ignore[attr-defined]
        worker.share_slot = table.free_slot(taken)  # type: ignore[attr-defined]


def child_exit(server: object, worker: object) -> None:
    # The dead worker's gauges go; its counters and histograms stay in the merged totals.
    from prometheus_client import multiprocess

    from backend.server import spread

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
    table, slot = spread.shares(), getattr(worker, "share_slot", None)
    if table is not None and slot is not None:
        table.publish(slot, spread.ABSENT)  # it takes no more connections


def on_exit(server: object) -> None:
    if _created_metrics_dir:
        import shutil

        shutil.rmtree(_created_metrics_dir, ignore_errors=True)
