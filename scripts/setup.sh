#!/usr/bin/env bash
# Set up o2c-bots in this checkout and run the demo (the README's first command).
#
# As root on a fresh Debian with Python 3.11: installs the Debian packages, creates .venv
# in the checkout, installs the project there, creates the store, then runs the demo
# (scripts/demo.sh). Safe to run again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install.sh
.venv/bin/o2c db upgrade

if [ -x scripts/demo.sh ]; then
    exec scripts/demo.sh
fi
echo
echo "o2c-bots is installed in $ROOT/.venv. Its command:"
echo
.venv/bin/o2c --help
