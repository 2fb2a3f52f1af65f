"""Cases from what the other bots saw: invoice questions and disputes by email, deductions in cash.

``o2c run collections-cases`` (scheduled) goes through

- the email-intake bot's exception items of kind ``email_message`` that it read as an invoice
  query (not an order, not a remittance): the message (kept as evidence) is searched for an
  invoice number of the receivables ledger; it becomes a ``dispute`` when it says the invoice
  is wrong (price, quantity, damage, not received...), else a ``question``; the reason routes it
  (``cases.routing_rules``). The work item is then resolved with the case's number.
  A message that names no known invoice stays in the exception queue for a person.
- the payment items of cash application whose applications took a deduction: one
  ``deduction`` case per payment and invoice, with the reason code the remittance gave.

Each case's ``source_ref`` (the message's item key, or the payment and invoice) makes a
second run open nothing twice.
"""

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bots.collections.cases import Route, open_case
from bots.runtime.store.models import ArItem, CustomerContact, WorkItem

_DISPUTE_WORDS = {
    "pricing": r"\b(wrong|incorrect|higher|agreed)\s+(unit\s+)?price|\bpric(e|ing)\s+(is\s+)?(wrong|incorrect)|overcharg",
    "shortage": r"\bshort(age|[- ]shipped)?\b|\bmissing\b|\bonly (received|got)\b|\bquantity\b",
    "damage": r"\bdamag(ed|e)\b|\bbroken\b|\bdefect",
    "not_received": r"\bnot (been )?(received|delivered)\b|\bnever (arrived|received)\b",
    "duplicate": r"\b(duplicate|billed twice|charged twice|twice)\b",
}
_DISPUTE = re.compile(r"\bdisput|\bincorrect\b|\bwrong\b|\bwill not pay\b|\bcannot pay\b|\bcredit note\b", re.I)


@dataclass(frozen=True)
class Classified:
    kind: str           # dispute or question
    reason: str


def classify(text: str) -> Classified:
    """Dispute (with its reason) or question, from the words of the message."""
    for reason, pattern in _DISPUTE_WORDS.items():
        if re.search(pattern, text, re.I):
            return Classified("dispute", reason)
    if _DISPUTE.search(text):
        return Classified("dispute", "other")
    if re.search(r"\bcopy\b|\bresend\b|\bre-send\b|\bsend (us|me) (the|a)\b", text, re.I):
        return Classified("question", "copy_request")
    return Classified("question", "invoice_question")


def find_invoices(text: str, known: dict[str, str]) -> list[str]:
    """Invoice numbers of ``known`` (normalised number -> invoice) that ``text`` names."""
    found = []
    for token in re.findall(r"[A-Z]{0,4}[- #]?0*\d{3,}", text.upper()):
        digits = re.sub(r"\D", "", token).lstrip("0")
        invoice = known.get(digits)
        if invoice and invoice not in found:
            found.append(invoice)
    return found


def _normalised(invoice: str) -> str:
    return re.sub(r"\D", "", invoice).lstrip("0")


def _message_text(item: WorkItem) -> str:
    payload, evidence = item.payload or {}, item.evidence or {}
    text = " ".join(str(payload.get(k) or "") for k in ("subject",))
    path = evidence.get("file") or evidence.get("path") or evidence.get("eml")
    if path and Path(path).is_file():
        message = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
        text += "\n" + str(message.get("Subject") or "")
        body = message.get_body(("plain", "html"))
        if body is not None:
            text += "\n" + body.get_content()
    return text + "\n" + (item.exception_message or "")


def cases_from_emails(session: Session, rules: dict[str, Route], now: datetime, by: str = "collections-cases") -> list:
    """Open a case for each invoice query waiting in the exception queue; return (item id, case) pairs."""
    items = session.scalars(select(WorkItem).where(WorkItem.kind == "email_message", WorkItem.state == "exception",
                                                   WorkItem.exception_code == "not_order")).all()
    queries = [i for i in items if "invoice query" in (i.exception_message or "")]
    if not queries:
        return []
    ledger = {(_normalised(row.invoice)): (row.customer_id, row.invoice) for row in session.scalars(select(ArItem))}
    known = {digits: invoice for digits, (_, invoice) in ledger.items()}
    emails = {c.email.lower(): c.customer_id for c in session.scalars(select(CustomerContact)) if c.email}
    opened = []
    for item in queries:
        text = _message_text(item)
        invoices = find_invoices(text, known)
        if not invoices:
            continue
        what = classify(text)
        sender = email.utils.parseaddr(str((item.payload or {}).get("from") or ""))[1].lower()
        for invoice in invoices:
            customer_id = next(c for d, (c, i) in ledger.items() if i == invoice)
            if sender in emails and emails[sender] != customer_id:
                continue        # names someone else's invoice: leave it to a person
            case, _ = open_case(session, customer_id=customer_id, invoice=invoice, kind=what.kind, reason=what.reason,
                                source="email", by=by, at=now, rules=rules,
                                source_ref=f"{item.key}:{invoice}", note=str((item.payload or {}).get("subject") or ""))
            opened.append((item.id, case))
    return opened


def cases_from_deductions(session: Session, rules: dict[str, Route], now: datetime,
                          by: str = "collections-cases") -> list:
    """Open a deduction case for each deduction a payment item took; return the cases opened now."""
    opened = []
    for item in session.scalars(select(WorkItem).where(WorkItem.kind == "payment")):
        payment = (item.payload or {}).get("payment") or {}
        for application in (item.payload or {}).get("applications") or []:
            try:
                deduction = Decimal(str(application.get("deduction") or "0"))
            except InvalidOperation:
                continue
            if deduction <= 0:
                continue
            reason = str(application.get("reason_code") or application.get("reason") or "deduction")
            case, new = open_case(
                session, customer_id=str(application.get("customer_id") or ""), invoice=application.get("invoice"),
                kind="deduction", reason=reason, source="cash-application", by=by, at=now, rules=rules,
                amount=deduction, source_ref=f"deduction:{payment.get('payment_reference')}:{application.get('invoice')}",
                note=f"payment {payment.get('payment_reference')} of {payment.get('payer')} took {deduction:.2f} off")
            if new:
                opened.append(case)
    return opened


def run_case_intake(settings, *, clock=None) -> dict:
    """``o2c run collections-cases``: open the cases, then resolve each email item that got one."""
    from sqlalchemy.orm import sessionmaker

    from bots.runtime.clock import SystemClock
    from bots.collections.cases import routing_rules
    from bots.runtime.runs import bot_run
    from bots.runtime.workqueue import WorkQueue

    own = settings.bot("collections-cases")
    clock = clock or SystemClock()
    now = clock.now()
    queue = WorkQueue.open(settings.database_url, clock=clock)
    rules = routing_rules(own.get("routing"))
    with bot_run(queue, "collections-cases") as run:
        with sessionmaker(queue.engine).begin() as session:
            from_emails = cases_from_emails(session, rules, now)
            deductions = cases_from_deductions(session, rules, now)
            by_item: dict[int, list[int]] = {}
            for item_id, case in from_emails:
                session.flush()
                by_item.setdefault(item_id, []).append(case.id)
        # The cases are committed; a run killed here resolves the items next time (the cases exist).
        for item_id, case_ids in by_item.items():
            queue.resolve(item_id, "collections-cases", "invoice query: case " + ", ".join(f"#{c}" for c in case_ids)
                          + " opened in collections")
        run.count("email_cases", len(from_emails))
        run.count("deduction_cases", len(deductions))
        run.count("email_items_resolved", len(by_item))
    queue.close()
    return {"email_cases": len(from_emails), "deduction_cases": len(deductions), "email_items_resolved": len(by_item)}
