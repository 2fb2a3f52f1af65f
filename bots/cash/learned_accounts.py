"""Payer bank accounts (and payer ids) learned from applied payments.

When a payment is applied with certainty, the bank account it came from (an IBAN from
camt.053) and the originator id it carried (``ORIG ID`` in BAI2, a payer id in JSON) belong
to that customer; a later payment from the same account with a name the directory cannot
place (``SEPA CREDIT``, a parent company's name) is then known. An account seen for two
different customers is never used again. The store can be kept in a JSON file between runs.
"""

import json
import re
from pathlib import Path

from bots.runtime.errors import InputError


def account_key(account: str | None) -> str | None:
    """An IBAN or account number without spaces, upper case."""
    if not account:
        return None   # most payments name no account: no regex for them
    key = re.sub(r"[\s\-]", "", account).upper()
    return key or None


class LearnedAccounts:
    """Bank account to customer id, with the accounts that proved ambiguous kept out."""

    def __init__(self, accounts: dict[str, str | None] | None = None, path: Path | None = None):
        self.accounts: dict[str, str | None] = dict(accounts or {})
        self.path = path

    @classmethod
    def load(cls, path: str | Path | None) -> "LearnedAccounts":
        """Read the store from ``path`` (a missing file starts an empty one); None keeps it in memory."""
        if path is None:
            return cls()
        path = Path(path)
        if not path.exists():
            return cls(path=path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            accounts = data["accounts"] if isinstance(data, dict) and "accounts" in data else data
            if not isinstance(accounts, dict):
                raise ValueError("not an object")
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise InputError(f"learned accounts file is not a JSON object of accounts: {error}", str(path))
        return cls(accounts, path)

    def customer_of(self, account: str | None) -> str | None:
        """The customer an account belongs to, or None when unknown or ambiguous."""
        key = account_key(account)
        return self.accounts.get(key) if key else None

    def learn(self, account: str | None, customer_id: str) -> None:
        """Record that ``account`` paid for ``customer_id``; a second customer spoils the account."""
        key = account_key(account)
        if not key:
            return
        if key in self.accounts and self.accounts[key] != customer_id:
            self.accounts[key] = None
        else:
            self.accounts[key] = customer_id

    def save(self) -> None:
        """Write the store back to its file, when it has one."""
        if self.path is not None:
            self.path.write_text(json.dumps({"accounts": self.accounts}, indent=2, sort_keys=True) + "\n",
                                 encoding="utf-8")
