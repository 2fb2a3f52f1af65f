"""Crash points for tests: a process dies at a named point, as a kill -9 would, on cue.

``O2C_TEST_CRASH_AT=after_commit`` kills the process the first time it reaches
``crash_point("after_commit")``; ``after_commit:2`` the second time. Unset (always, outside
tests) it does nothing.
"""

import os

CRASH_VARIABLE = "O2C_TEST_CRASH_AT"

_crash_counts: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Die here, as a kill -9 would, when a test asks for it through ``O2C_TEST_CRASH_AT``."""
    wanted = os.environ.get(CRASH_VARIABLE)
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if point != name:
        return
    _crash_counts[name] = _crash_counts.get(name, 0) + 1
    if _crash_counts[name] >= int(nth or 1):
        os._exit(137)
