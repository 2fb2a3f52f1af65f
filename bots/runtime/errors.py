"""The two kinds of failure a bot meets, and how each is routed.

A ``BusinessException`` means the data is wrong or unclear: retrying will not help,
a person must decide, so the item goes to the exception queue at once.
An ``ApplicationException`` means a system misbehaved (timeout, "system busy",
session expired, a screen not as expected): the item is retried with backoff and
goes to the queue only after its attempts run out.
Any other exception is a bug; the runtime treats it as an application exception
and keeps the traceback for developers.
"""


# The base of every error o2c-bots raises on purpose, and the error of a file that cannot be
# read (commands print it as {"error": ..., "file": ...} and exit 2), live in the parsers'
# layer: the parsers raise InputError and import nothing of bots.
from inbox_parsers.errors import InputError, O2CError


class BotException(O2CError):
    """A failure with a short machine ``code`` and a plain-language ``message``."""

    retryable = False

    def __init__(self, code: str, message: str, evidence: dict | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.evidence = dict(evidence or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class BusinessException(BotException):
    """Bad or unclear data; goes to a supervisor, never retried."""

    retryable = False


class ApplicationException(BotException):
    """An outside system misbehaved; retried with backoff."""

    retryable = True


__all__ = ["O2CError", "BotException", "BusinessException", "ApplicationException", "InputError"]
