#!/usr/bin/env bash
# Run the whole test suite (the README's second command; CI runs exactly this).
#
# Installs what the tests need first, idempotently (scripts/install.sh): Chromium,
# PostgreSQL, Dovecot, poppler-utils, fonts, and .venv. The tests start their own
# PostgreSQL and IMAP servers on free loopback ports; none is skipped. Arguments go to
# pytest (e.g. scripts/test.sh tests/test_workqueue.py -x).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/install.sh

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests; a test run that tests nothing fails" >&2
fi
exit "$status"
