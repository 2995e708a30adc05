"""The Celery worker's entry point: `celery -A backend.celery_worker worker` (make worker).

Beside wsgi.py, which is the web's. The worker builds its app, wired like the web's (database,
store, a CeleryRunner with its heartbeat), before it takes its first message.
"""

from celery.signals import worker_init

# Connects the worker's logging and metrics signals.
import backend.observability.worker  # noqa: F401
from backend.app import create_app
from backend.config import Config
from backend.jobs.runners.celery import celery_app

app = celery_app  # what `celery -A` looks for


@worker_init.connect  # type: ignore[untyped-decorator]
def _build_app(**_: object) -> None:
    create_app(Config.from_env().with_overrides(executor="celery", start_background=True))
