"""gunicorn settings for `make run` and the Procfile; every value can be overridden by env."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# gthread, hardened (backend/server/worker.py): a stalled client is dropped after
# CLIPSCOPE_BODY_IDLE_TIMEOUT_S, gunicorn's own refusals come in our JSON error shape.
worker_class = "backend.server.worker.ClipscopeWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Uploads from phones on slow networks and long polls each hold a thread while they last; a
# waiting thread costs ~100 KB and no CPU, and the analysis runs in child processes, so threads
# are sized for hundreds of slow phones at once (see bench/slow_clients.py).
threads = int(os.environ.get("GUNICORN_THREADS", "256"))
# Uploads of a few GB on a phone connection take long; the body is streamed, not buffered.
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = "-" if os.environ.get("CLIPSCOPE_ACCESS_LOG") else None
# No preload: each worker process builds its own app, database pool and runner threads.
preload_app = False
# gunicorn's control socket has one default path per user: two servers on one host (tests,
# a second checkout) would take it from each other. `kill -HUP`/`-TERM` manage the server.
control_socket_disable = True
