"""The WSGI entry point gunicorn serves: `gunicorn backend.wsgi:app`."""

from backend.app import create_app
from backend.config import Config

# The web server is where the runner threads live (not `flask --app backend.app ...` commands).
app = create_app(Config.from_env().with_overrides(start_background=True, serves_http=True))
