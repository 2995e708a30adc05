#!/usr/bin/env bash
# The app's API types, generated from the server's OpenAPI document (no server needed: the
# document is built by the app factory, `python -m backend.openapi_dump`).
#   bash mobile/scripts/api-types.sh          writes src/lib/api.gen.ts
#   bash mobile/scripts/api-types.sh --check  fails when the committed file differs (test.sh runs it)
set -euo pipefail

MOBILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$MOBILE/.." && pwd)"
PYTHON="$REPO/.venv/bin/python"
TARGET="$MOBILE/src/lib/api.gen.ts"
[ -x "$PYTHON" ] || { echo "No Python venv at $PYTHON: run 'make venv' first."; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$REPO" && "$PYTHON" -m backend.openapi_dump) > "$tmp/openapi.json"
(cd "$MOBILE" && npx openapi-typescript "$tmp/openapi.json" --output "$tmp/api.gen.ts" >/dev/null)

if [ "${1:-}" = --check ]; then
  if ! diff -u "$TARGET" "$tmp/api.gen.ts" >"$tmp/diff"; then
    head -60 "$tmp/diff"
    echo "FAILED: src/lib/api.gen.ts differs from the server's OpenAPI document; run: bash mobile/scripts/api-types.sh"
    exit 1
  fi
  echo "src/lib/api.gen.ts matches the server's OpenAPI document"
else
  cp "$tmp/api.gen.ts" "$TARGET"
  echo "wrote $TARGET"
fi
