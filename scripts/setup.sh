#!/usr/bin/env bash
# One-time setup on a fresh machine with only Node 20+ and npm: system parts (as root, via apt), pnpm at the
# pinned version, the workspace's dependencies from the lockfile, and a build. Idempotent and quiet when done.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

if [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; then
  bash scripts/install-system.sh
else
  echo "setup: not root and no sudo: skipping system packages (Mesa lavapipe, chromium, Fashion-MNIST)" >&2
fi

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  # corepack cannot verify signatures here, so install pnpm with npm.
  npm install -g --silent "pnpm@$want" >/dev/null 2>&1 || npm install -g "pnpm@$want"
fi

stamp=node_modules/.norga-install-stamp
if [ ! -f "$stamp" ] || [ pnpm-lock.yaml -nt "$stamp" ]; then
  pnpm install --frozen-lockfile
  touch "$stamp"
fi
pnpm exec turbo run build --output-logs=errors-only
