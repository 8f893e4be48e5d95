#!/usr/bin/env bash
# Runs a set of tests N times and prints how many runs passed and failed: the flakiness check.
#   scripts/repeat.sh 20 tests/test_setup_screen.py -k full_run
# Each run is a fresh pytest process (the test services start and stop with it). Exit 1 when any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/repeat.sh N [pytest args]" >&2
  exit 2
fi
runs=$1
shift
python=.venv/bin/python
[ -x "$python" ] || python=python3
logs=$(mktemp -d "${TMPDIR:-/tmp}/wbtui-repeat.XXXXXX")
passed=0
failed=0
for i in $(seq 1 "$runs"); do
  if "$python" -m pytest -q -p no:cacheprovider "$@" >"$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "run $i failed: $(grep -E '^(FAILED|ERROR)' "$logs/run-$i.log" | head -3 | tr '\n' ' ')"
  fi
done
echo "repeat: $passed passed, $failed failed of $runs runs (logs in $logs)"
[ "$failed" -eq 0 ]
