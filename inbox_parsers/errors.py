"""The one error the parsers raise on purpose: a document that cannot be read.

Every parser (``parse_email``, ``orders_from_file``, ``parse_remittance``...) raises
``InputError`` for input that is not what it claims to be: a missing or empty file, bytes
that are no email, a corrupt or encrypted PDF, a PDF without a text layer, an unreadable
workbook. The message says what is wrong in plain words; ``file`` names the file where
one is known. Callers turn it into exit code 2 and ``{"error": ..., "file": ...}`` (the
contracts' rule); ``bots.runtime.errors.InputError`` is this same class.

``O2CError`` is the base of every error o2c-bots raises on purpose. It lives here, in the
lowest layer, so that a parser's ``InputError`` is an ``O2CError`` like the bots' own
errors (``bots.runtime.errors`` re-exports both).
"""


class O2CError(Exception):
    """Base of every error o2c-bots raises on purpose."""


class InputError(O2CError):
    """A document a parser was given cannot be read (missing, corrupt, encrypted, not the right kind)."""

    def __init__(self, message: str, file: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
