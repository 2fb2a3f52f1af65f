"""O2C: the Robot Framework keyword library of o2c-bots, for any web screen described in selectors/.

One library class made of topic files: ``browser.py`` (open, go to, tabs, frames,
dialogs, screenshots), ``screen.py`` (use a selectors file, wait until ready, log in),
``forms.py`` (fill, choose from a completion list, select, tick, click, press keys),
``reading.py`` (read a field or a table, check a field), ``records.py`` (find a record
before keying it) and ``workitems.py`` (the work queue). ``base.py`` holds what they
share, among it the screenshot and HTML taken when any keyword fails.

Import it in a .robot file::

    *** Settings ***
    Library    robots.O2C
"""

import os

from robots.O2C.base import LibraryBase
from robots.O2C.browser import BrowserKeywords
from robots.O2C.forms import FormKeywords
from robots.O2C.reading import ReadingKeywords
from robots.O2C.records import RecordKeywords
from robots.O2C.screen import ScreenKeywords
from robots.O2C.workitems import WorkItemKeywords

__version__ = "2.0"


class O2C(LibraryBase):
    """Keywords to drive any web screen from its selectors file, one work item at a time, exactly once.

    = Screens and elements =

    Each screen a task drives has a file in ``selectors/`` (``selectors/erp/sales_order.yaml``)
    that names its elements and says how to find each one: by ``role`` and ``name``,
    ``label``, ``text``, ``placeholder``, ``test_id``, and CSS or XPath only as a last resort.
    `Use Screen` loads a file and checks that the browser shows that screen; the keywords
    after it take element names of that file:

    | `Use Screen`       | erp/sales_order |
    | `Fill Field`       | customer_po     | 4500012345 |
    | `Fill Field`       | line_quantity   | 24         | n=2 |
    | `Click`            | save            |

    An element's text may hold ``{placeholders}`` (``label: "Quantity, line {n}"``): give
    their values after the keyword's own arguments, as ``n=2``. An element of another
    file is written ``erp/dialogs:busy_ok``.

    = Waiting =

    Every keyword waits for its element up to the timeout (the import's ``timeout``, or
    the element's own ``timeout`` in its file). `Wait Until Screen Is Ready` waits for what
    the file's ``ready:`` section names: no request in flight (``requests: network`` or
    ``jquery``), a spinner gone, an element enabled. With ``requests:`` set, every action
    also waits for the requests it started.

    = Work items =

    | ${count}= | `For Each Work Item` | Enter The Order | kind=order |

    or step by step: `Take Next Work Item`, `Get Work Item Field`, then `Complete Work Item With`,
    `Release Work Item`, `Raise Business Exception` or `Raise Application Exception`.
    Check first with `Find Existing Record`, so an item a stopped run had already keyed
    is completed, not keyed again.

    = Failures =

    When a keyword fails, the library saves a screenshot and the page's HTML in the output
    folder and shows the screenshot in the log; an exception raised for a work item takes
    them along as its evidence. Messages are plain sentences that name the element and
    the selectors file to fix.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LIBRARY_VERSION = __version__
    ROBOT_LIBRARY_DOC_FORMAT = "ROBOT"

    def __init__(self, screenshot_dir: str = "", queue_url: str = "", timeout: str = "10 seconds",
                 selectors_dir: str = "", item_kind: str = "", bot: str = ""):
        """``screenshot_dir``: where failure screenshots go (default: the output folder); ``queue_url``:
        the work queue's database (default: the o2c settings' store); ``timeout``: the longest wait
        for an element; ``selectors_dir``: another folder of selectors files; ``item_kind``: the
        default kind of `Take Next Work Item`; ``bot``: the name in runs and the audit log.

        | Library | robots.O2C | timeout=15 seconds | item_kind=order |
        """
        from bots.runtime.screens import seconds

        self._work = WorkItemKeywords(self, queue_url, item_kind, bot)
        super().__init__(
            [BrowserKeywords(self), ScreenKeywords(self), FormKeywords(self), ReadingKeywords(self),
             RecordKeywords(self), self._work],
            screenshot_dir=screenshot_dir or None,
        )
        self.timeout = seconds(timeout or "10 seconds")
        self.selectors_dir = selectors_dir or os.environ.get("O2C_SELECTORS_DIR") or None
        self.ROBOT_LIBRARY_LISTENER = self

    ROBOT_LISTENER_API_VERSION = 3

    def _end_test(self, data, result) -> None:
        """A task that ends with a work item still in hand gives it back, with why and the evidence.

        So nothing waits for its lease to run out: a failed task's item is retried (or goes to a
        person after its attempts); a passed task that forgot to complete it gets it back too.
        """
        self._work.give_back(result.message if result.failed else "the task ended without completing it")


__all__ = ["O2C"]
