"""Print the OpenAPI document without a running server: `python -m backend.openapi_dump`.

The app's API types (mobile/src/lib/api.gen.ts) are generated from this output, and its checks
fail when the committed types differ from it (mobile/scripts/api-types.sh).
"""

from __future__ import annotations

import json
import sys

from backend.api.openapi import build_document
from backend.app import create_app
from backend.config import Config


def main() -> None:
    # No server, no database, no secret kept on disk: only the routes and schemas are read.
    config = Config.from_env({"DATABASE_URL": "sqlite://", "CLIPSCOPE_SECRET_KEY": "openapi-dump"})
    app = create_app(config)
    with app.app_context():
        document = build_document(app)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()
