"""Remittance advices customers send through the portal, for cash application.

Each is a work item of kind ``remittance`` (key ``portal-remittance:<customer>:<payment
reference>``, so sending it twice makes one) whose payload is contract 1's record, read from
the uploaded PDF by ``inbox_parsers.remittance`` or built from the form. Cash application
pairs it with the bank payment that carries its payment reference (``attach_remittances``,
as it does the bank's advices) and marks the item done with that payment; the kind and the
record's shape are ``bots.cash.remittance_items``'s, which both read.
"""

from decimal import Decimal, InvalidOperation

from bots.cash.remittance_items import ITEM_KIND, PORTAL_SOURCE, remittance_records
from bots.runtime.errors import BusinessException


def remittance_key(customer_id: str, reference: str) -> str:
    return f"portal-remittance:{customer_id}:{reference.strip().upper()}"


def remittance_from_form(customer: dict, reference: str, payment_date: str, currency: str,
                         lines: list[tuple[str, str]]) -> dict:
    """Contract 1's record from the portal's form: the invoices paid and how much of each."""
    if not reference.strip():
        raise BusinessException("remittance_no_reference", "enter the payment reference your bank shows")
    parsed = []
    for invoice, paid in lines:
        if not invoice.strip():
            continue
        try:
            amount = Decimal(paid.strip().replace(",", ""))
        except InvalidOperation:
            raise BusinessException("remittance_amount", f"the amount for {invoice} is not a number: {paid!r}") from None
        parsed.append({"invoice": invoice.strip(), "invoice_date": None, "gross": f"{amount:.2f}", "discount": "0.00",
                       "deduction": "0.00", "paid": f"{amount:.2f}"})
    if not parsed:
        raise BusinessException("remittance_no_lines", "name at least one invoice and the amount paid")
    total = sum(Decimal(line["paid"]) for line in parsed)
    return {"payer": customer["name"], "payment_reference": reference.strip(), "payment_date": payment_date or None,
            "payment_method": None, "currency": currency, "total": f"{total:.2f}", "lines": parsed, "warnings": []}


def remittance_from_pdf(path) -> dict:
    """Contract 1's record read from an uploaded advice PDF (``InputError`` when it cannot be read)."""
    from inbox_parsers.remittance import parse_remittance, to_contract

    return to_contract(parse_remittance(path))


def queue_remittance(queue, customer_id: str, record: dict, *, by: str, evidence: dict | None = None):
    """Queue the advice for cash application; return (item, created)."""
    return queue.add(ITEM_KIND, {"source": PORTAL_SOURCE, "customer_id": customer_id, "submitted_by": by,
                                 "remittance": record},
                     key=remittance_key(customer_id, record.get("payment_reference") or ""),
                     source_ref=f"customer portal: {record.get('payment_reference')}", evidence=evidence)


def portal_remittances(queue) -> dict[str, dict]:
    """The advices customers sent that wait for their payment, as cash application's ``remittances`` (name -> record)."""
    waiting = [item for state in ("new", "retried") for item in queue.items(state=state, kind=ITEM_KIND, limit=None)]
    return remittance_records(waiting)
