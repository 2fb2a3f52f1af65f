"""Python's cycle collector held off while a run builds its millions of objects.

Loading a million open items and a hundred thousand payments creates millions of lists,
records and strings, none of them in a reference cycle. The cycle collector still walks all
of them every time enough have been allocated (some 15% of a large run's time, for nothing).
``collector_paused()`` (a context manager, or a decorator of a function) stops it for the duration of a call and restores what was there before,
so a caller that turned it off itself keeps it off; anything a run leaves behind is freed by
reference counting as usual, and the collector finds any stray cycle on its next pass.
"""

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """Run the block with the cycle collector off; restore its earlier state afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _count_as_old()
        if was_enabled:
            gc.enable()


def _count_as_old() -> None:
    """Move every tracked object into the oldest generation without walking them.

    Re-enabled, the collector would otherwise start with a young generation of everything the
    block made (a million payments and lines) and walk it at once and again on each promotion
    (0.2 s of a large run); what a run builds is long-lived data anyway. A cycle among those
    objects is still found by the next full collection. ``freeze`` then ``unfreeze`` is the one
    way to do this; skipped when someone else froze objects on purpose (a server before fork).
    """
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
