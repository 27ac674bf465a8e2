#!/usr/bin/env bash
# The whole test suite: setup, every package's vitest run (turbo, in dependency order), and a summary line
# counted from the runners' own JSON reports.
set -uo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1
bash scripts/setup.sh || exit 1
rm -f packages/*/.vitest-results*.json examples/.vitest-results*.json
pnpm exec turbo run test --continue --concurrency=1 "$@"
rc=$?
node scripts/test-summary.mjs || rc=1
exit $rc
