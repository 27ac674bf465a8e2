#!/usr/bin/env bash
# The whole test suite on a loaded machine: two busy-loop processes run beside `npm test` (scripts/test.sh) for as
# long as it runs, then are stopped; each is bounded by LOAD_MAX_SECONDS (default 1800) in case this script is
# killed. The suite must pass: its timeouts scale with the load they measure (scripts/test-timeout.mjs) and no
# test asserts speed. Arguments pass through to scripts/test.sh (and so to turbo).
set -uo pipefail
cd "$(dirname "$0")/.."
max="${LOAD_MAX_SECONDS:-1800}"
pids=()
for _ in 1 2; do
  timeout "$max" node -e 'for (;;) {}' &
  pids+=("$!")
done
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait "${pids[@]}" 2>/dev/null
}
trap stop EXIT
echo "test-under-load: 2 busy loops beside the suite (pids ${pids[*]}), load average $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
bash scripts/test.sh "$@"
rc=$?
echo "test-under-load: the suite exited $rc after $(($(date +%s) - start)) s with 2 busy loops beside it (load average $(cut -d' ' -f1-3 /proc/loadavg))"
exit $rc
