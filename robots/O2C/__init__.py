"""O2C: the Robot Framework keyword library of o2c-bots.

One library class made of topic files: ``erp.py`` (the ERP's screens, the same clerk
actions the order-entry bot uses) and ``queue.py`` (the work queue). ``base.py`` holds
what they share, among it the screenshot taken when any keyword fails.

Import it in a .robot file::

    *** Settings ***
    Library    robots.O2C    screenshot_dir=${OUTPUT DIR}
"""

from robots.O2C.base import LibraryBase
from robots.O2C.erp import ErpKeywords
from robots.O2C.queue import QueueKeywords

__version__ = "1.0"


class O2C(LibraryBase):
    """Keywords to key orders from the o2c work queue into the legacy ERP, as a clerk would.

    = Keying an order =

    | ${order}= | Take Next Order From Queue |
    | ${customer}= | Find Customer Number | ${order}[customer][name] | ${order}[customer][email] |
    | Enter Sales Order Header | ${customer} | ${order}[po_number] | ${order}[requested_date] |
    | Add Order Line | NW-4410 | 24 |
    | ${number}= | Save Sales Order |
    | Sales Order Should Be Saved | ${number} |
    | Complete Order Item | ${number} |

    = Failures =

    When a keyword fails, the library saves a screenshot of the ERP in ``screenshot_dir``
    and shows it in the log; `Send Order Item To Exceptions` attaches it to the item.
    "System busy, try again" and an expired session are handled inside the keywords.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LIBRARY_VERSION = __version__

    def __init__(self, screenshot_dir: str = "", queue_url: str = "", busy_attempts: int = 5,
                 busy_wait_seconds: float = 0.5, timeout_seconds: float = 15):
        """``screenshot_dir``: where failure screenshots go (use ${OUTPUT DIR}); ``queue_url``: the
        work queue's database (default: the o2c settings' store); the rest as in ``bots.erp-order-entry``."""
        super().__init__(
            [ErpKeywords(self, int(busy_attempts), float(busy_wait_seconds), float(timeout_seconds)),
             QueueKeywords(self, queue_url)],
            screenshot_dir=screenshot_dir or None,
        )


__all__ = ["O2C"]
