#!/usr/bin/env bash
# Re-resolve every dependency (runtime, serve and dev) in a fresh venv and write constraints.txt:
# the exact versions CI installs and tests. Run it to take upgrades on purpose, read the diff, run
# scripts/test.sh, and commit both together.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --upgrade pip
"$work/venv/bin/python" -m pip install -q '.[dev,serve]'
{
  echo "# The versions CI tests (scripts/test.sh installs with -c constraints.txt)."
  echo "# Regenerate with scripts/update-constraints.sh; never edit by hand."
  "$work/venv/bin/python" -m pip freeze --exclude-editable | grep -v '^wbtui[= @]' | LC_ALL=C sort -f
} > constraints.txt
echo "wrote constraints.txt ($(grep -c '==' constraints.txt) pins)"
