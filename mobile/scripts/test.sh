#!/usr/bin/env bash
# The app's checks, run by `make test` from the repo root: install, tsc, ESLint, jest, browser
# end-to-end. The e2e test needs the backend's venv (.venv at the repo root) and Debian's Chromium.
# `test.sh screenshots` (what `make screenshots` runs) only runs the browser test, writing
# docs/screenshots; no other run touches the committed pictures.
set -euo pipefail

MOBILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$MOBILE"

section() { printf '\n== %s\n' "$1"; }
timed() {
  local start=$SECONDS
  "$@"
  echo "   ($(( SECONDS - start )) s)"
}

# Expo SDK 58 and React Native 0.88 need Node >= 22.13. Where the system's Node is older (Debian
# has 20), the npm registry's `node` package brings a Node 22 binary into mobile/.node (git-ignored);
# every tool below then runs on it.
NODE_WANTED=22.13.0
node_ok() { node -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)"; }
if ! node_ok; then
  if [ ! -x "$MOBILE/.node/node_modules/node/bin/node" ]; then
    section "Node $(node --version) is older than $NODE_WANTED: installing Node 22 from the npm registry"
    mkdir -p "$MOBILE/.node"
    (cd "$MOBILE/.node" && [ -f package.json ] || echo '{"private":true}' > package.json)
    timed npm install --prefix "$MOBILE/.node" --no-save --no-audit --no-fund --loglevel=error node@22
  fi
  export PATH="$MOBILE/.node/node_modules/node/bin:$PATH"
  node_ok || { echo "Node 22 could not be set up (node --version: $(node --version))"; exit 1; }
fi
echo "node $(node --version), npm $(npm --version)"

# A run of the checks must leave every tracked file as it found it (expo's tools like to rewrite
# tsconfig.json; the browser test used to rewrite the screenshots).
tracked_state() { git -C "$MOBILE/.." diff --binary -- mobile docs/screenshots | sha1sum; }
BEFORE="$(tracked_state)"

section "npm install (from the committed package-lock.json)"
# Not `npm ci`: the registry reachable here lacks the other platforms' optional binaries that a
# complete lock would list, and `npm ci` refuses a lock without them. `--no-save` installs exactly
# the locked versions and never rewrites package.json or the lock.
timed npm install --no-save --no-audit --no-fund --loglevel=error

if [ "${1:-}" = screenshots ]; then
  export E2E_SCREENSHOTS=1
else
  section "expo install --check"
  timed npx expo install --check

  section "API types match the server's OpenAPI document (scripts/api-types.sh --check)"
  timed bash "$MOBILE/scripts/api-types.sh" --check

  section "tsc --noEmit"
  timed npx tsc --noEmit

  section "eslint (eslint-config-expo)"
  timed npx eslint . --max-warnings=0

  section "jest"
  timed npx jest --ci
fi

section "browser end-to-end"
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Chromium is missing: installing Debian's chromium package"
  # A failure here makes the test itself fail: it never skips.
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
    echo "could not install chromium"
fi
timed node e2e/run.mjs

if [ "${1:-}" != screenshots ] && [ "$(tracked_state)" != "$BEFORE" ]; then
  echo "FAILED: the checks changed tracked files:"
  git -C "$MOBILE/.." status --short -- mobile docs/screenshots
  exit 1
fi
