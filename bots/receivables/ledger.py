"""The receivables ledger as plain records: invoices (credit memos have a negative amount) and
the receipts applied to them, several of which may pay one invoice in parts."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Invoice:
    customer_id: str
    customer_name: str
    invoice: str
    invoice_date: date
    due_date: date
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Receipt:
    customer_id: str
    invoice: str
    receipt_date: date
    amount: Decimal


@dataclass
class Ledger:
    """Invoices in file order and the receipts of each, keyed by (customer_id, invoice)."""

    invoices: list[Invoice] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    def key(self, invoice: Invoice) -> tuple[str, str]:
        return (invoice.customer_id, invoice.invoice)

    def receipts_of(self) -> dict[tuple[str, str], list[Receipt]]:
        """Receipts grouped by the invoice they pay."""
        grouped: dict[tuple[str, str], list[Receipt]] = {}
        for receipt in self.receipts:
            grouped.setdefault((receipt.customer_id, receipt.invoice), []).append(receipt)
        return grouped

    def currencies(self) -> list[str]:
        return sorted({invoice.currency for invoice in self.invoices})

    def in_currency(self, currency: str) -> "Ledger":
        """The invoices in ``currency`` and their receipts."""
        invoices = [i for i in self.invoices if i.currency == currency]
        keys = {self.key(i) for i in invoices}
        return Ledger(invoices, [r for r in self.receipts if (r.customer_id, r.invoice) in keys])

    def by_customer(self) -> dict[str, "Ledger"]:
        """Each customer's own ledger, in one pass (a million rows and thousands of customers)."""
        split: dict[str, Ledger] = {}
        for invoice in self.invoices:
            split.setdefault(invoice.customer_id, Ledger()).invoices.append(invoice)
        for receipt in self.receipts:
            if receipt.customer_id in split:
                split[receipt.customer_id].receipts.append(receipt)
        return split

    def for_customer(self, customer_id: str) -> "Ledger":
        return Ledger([i for i in self.invoices if i.customer_id == customer_id],
                      [r for r in self.receipts if r.customer_id == customer_id])
