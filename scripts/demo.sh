#!/usr/bin/env bash
# Run the o2c-bots demo: the bundled world end to end, with the truth beside it.
#
# scripts/setup.sh ends with this. It runs `o2c demo` from the checkout's .venv, in
# $O2C_HOME (default .o2c in the checkout); the demo keeps its files, its own store and
# the sandbox databases in $O2C_HOME/demo. Arguments go to `o2c demo`
# (e.g. scripts/demo.sh --seed 7 --keep-running). Safe to run again: nothing is queued twice.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ ! -x .venv/bin/o2c ]; then
    echo "error: .venv/bin/o2c is missing; run scripts/setup.sh first" >&2
    exit 1
fi
exec .venv/bin/o2c demo "$@"
