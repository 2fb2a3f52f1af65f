"""What cash application decides, and how it is printed (contract 3's JSON).

An ``Application`` puts (part of) a payment on one open item; a ``CashException`` hands a
payment, or what is left of it, to the supervisor with its candidates, the ``Issue``s found
and a plain explanation; ``MatchResult`` holds a whole run. Amounts are whole cents inside
and two-place strings in the JSON.
"""

from dataclasses import dataclass, field

from bots.cash.cents import money
from bots.cash.collector import collector_paused


@dataclass(slots=True)
class Application:
    """Part (or all) of a payment applied to one open item."""

    payment_reference: str
    customer_id: str
    invoice: str
    amount: int              # cents
    discount: int = 0
    deduction: int = 0
    rule: str = ""
    confidence: float = 1.0
    row: int = -1            # the open item's row in the CSV

    def to_json(self) -> dict:
        """The contract's application object."""
        # Most applications take no discount or deduction: "0.00" without a call.
        return {"payment_reference": self.payment_reference, "customer_id": self.customer_id,
                "invoice": self.invoice, "amount": money(self.amount),
                "discount": money(self.discount) if self.discount else "0.00",
                "deduction": money(self.deduction) if self.deduction else "0.00", "rule": self.rule,
                "confidence": round(self.confidence, 3)}


@dataclass
class Issue:
    """One thing about a payment that a person must decide."""

    reason: str
    detail: str
    candidates: list[str] = field(default_factory=list)   # the answers a person chooses between
    hints: list[str] = field(default_factory=list)        # related open items worth a look


@dataclass
class CashException:
    """A payment (or the part of it) the matcher would not apply, for the supervisor's queue."""

    payment_reference: str
    reason: str
    detail: str
    candidates: list[str]
    unapplied: int
    explanation: str
    customer_id: str | None = None
    payer: str | None = None
    total: int = 0
    currency: str | None = None
    issues: list[Issue] = field(default_factory=list)
    candidate_customers: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    candidate_sets: list[list[str]] = field(default_factory=list)   # a lump sum's possible sets of invoices

    def to_json(self) -> dict:
        """The contract's exception object, with the explanation and every issue added."""
        return {"payment_reference": self.payment_reference, "reason": self.reason, "detail": self.detail,
                "candidates": self.candidates, "unapplied": money(self.unapplied),
                "explanation": self.explanation, "customer_id": self.customer_id, "payer": self.payer,
                "total": money(self.total), "currency": self.currency,
                "candidate_customers": self.candidate_customers, "hints": self.hints,
                "candidate_sets": self.candidate_sets,
                "issues": [{"reason": i.reason, "detail": i.detail, "candidates": i.candidates, "hints": i.hints}
                           for i in self.issues]}


@dataclass
class MatchResult:
    """Everything one run decided."""

    applications: list[Application]
    exceptions: list[CashException]
    payments: int
    received: int
    fully_applied: int
    partially_applied: int

    @property
    def amount_applied(self) -> int:
        return sum(application.amount for application in self.applications)

    @collector_paused()
    def to_json(self) -> dict:
        """The contract's output object."""
        applied = self.amount_applied
        return {
            "applications": [application.to_json() for application in self.applications],
            "exceptions": [exception.to_json() for exception in self.exceptions],
            "summary": {"payments": self.payments, "applied": self.fully_applied, "exceptions": len(self.exceptions),
                        "partially_applied": self.partially_applied, "amount_received": money(self.received),
                        "amount_applied": money(applied), "amount_unapplied": money(self.received - applied)},
        }
