"""The WSGI entry point gunicorn serves: `gunicorn backend.wsgi:app`."""

from backend import create_app

app = create_app()
