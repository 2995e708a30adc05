"""gunicorn settings for `make run` and the Procfile; every value can be overridden by env."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# gthread: slow uploads and long polls hold a thread, not a whole process.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# Uploads of a few GB on a phone connection take long; the body is streamed, not buffered.
timeout = 120
graceful_timeout = 30
keepalive = 5
accesslog = "-" if os.environ.get("CLIPSCOPE_ACCESS_LOG") else None
# No preload: each worker process builds its own app, database pool and runner threads.
preload_app = False
