#!/usr/bin/env bash
# The app's checks, run by `make test` from the repo root: npm ci, tsc, jest, browser end-to-end.
# The e2e test needs the backend's venv (.venv at the repo root) and Debian's Chromium.
set -euo pipefail

MOBILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$MOBILE"

section() { printf '\n== %s\n' "$1"; }
timed() {
  local start=$SECONDS
  "$@"
  echo "   ($(( SECONDS - start )) s)"
}

section "npm ci"
# Expo SDK 58 asks for Node 22 in its engines field; everything here runs on Node 20 (see docs/mobile.md).
timed npm ci --no-audit --no-fund --loglevel=error

section "tsc --noEmit"
timed npx tsc --noEmit

section "jest"
timed npx jest --ci

section "browser end-to-end"
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing: installing Debian's chromium package"
  # A failure here is reported by the test itself (skipped, or failed under CI=true).
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
    echo "could not install chromium"
fi
timed node e2e/run.mjs
