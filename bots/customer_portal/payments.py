"""Paying invoices online through the payment provider, and the payment into cash application.

1. ``plan_payment(...)``: the invoices the customer ticked, each at its open amount less the
   early-payment discount still available (the terms ``erp-invoicing`` read from the ERP's
   invoice: ``discount_pct`` until ``discount_date``); kept as a work item of kind
   ``portal_payment`` (key ``portal-payment:<reference>``) before the browser goes to the
   provider's hosted page with a signed link.
2. ``settle(...)`` after the browser returns: the provider's own answer (its status API, never
   the redirect) decides. A succeeded payment is matched by cash application's engine
   (``bots.cash``) with its exact remittance, the discount judged against the invoice's own
   terms, and queued as a ``payment`` item for ``erp-cash-posting`` through cash
   application's own planning (``plan_payment_items``): applied with no human touch, once
   (key ``payment:<provider>:<reference>``).
"""

import hashlib
import hmac
import json
import secrets
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import urlencode

from bots.runtime.errors import ApplicationException, BusinessException

ITEM_KIND = "portal_payment"
PROVIDER = "payflow"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ProviderSettings:
    """Where the payment provider is and who we are to it (the key: ``O2C_PAYMENTS_MERCHANT_KEY``)."""

    url: str
    merchant: str
    key: str
    timeout_seconds: float = 10.0


def discount_terms(queue, customer_id: str) -> dict[str, tuple[Decimal, date]]:
    """invoice -> (discount percent, last day) of the customer's invoices that ``erp-invoicing`` billed."""
    terms = {}
    for item in queue.items(state="done", kind="billing", limit=None):
        facts = item.result or {}
        if facts.get("customer_id") == customer_id and facts.get("discount_date") and facts.get("discount_pct"):
            try:
                terms[facts["invoice"]] = (Decimal(facts["discount_pct"]), date.fromisoformat(facts["discount_date"]))
            except (ArithmeticError, ValueError):
                continue
    return terms


def payable_line(item, terms: dict, today: date) -> dict:
    """What paying ``item`` (an open ``ArItem``) today costs: gross, the discount still available, paid."""
    gross = Decimal(item.open_amount)
    discount = Decimal("0")
    pct, until = terms.get(item.invoice, (None, None))
    # The discount is on the invoice amount, and only while nothing of the invoice has been paid.
    if pct and until and today <= until and gross == Decimal(item.amount) and gross > 0:
        discount = (gross * pct / 100).quantize(CENT, ROUND_HALF_UP)
    return {"invoice": item.invoice, "invoice_date": item.invoice_date.isoformat(), "gross": f"{gross:.2f}",
            "discount": f"{discount:.2f}", "deduction": "0.00", "paid": f"{gross - discount:.2f}",
            "discount_until": until.isoformat() if discount else None, "currency": item.currency}


def plan_payment(queue, customer_id: str, payer: str, lines: list[dict], *, by: str):
    """Keep the intended payment as a ``portal_payment`` item; return it."""
    if not lines:
        raise BusinessException("payment_no_invoice", "choose at least one invoice to pay")
    currencies = {line["currency"] for line in lines}
    if len(currencies) != 1:
        raise BusinessException("payment_currencies", "pay invoices of one currency at a time")
    reference = f"PP{secrets.token_hex(5).upper()}"
    total = sum(Decimal(line["paid"]) for line in lines)
    item, _ = queue.add(ITEM_KIND, {"customer_id": customer_id, "payer": payer, "reference": reference,
                                    "currency": currencies.pop(), "total": f"{total:.2f}", "lines": lines,
                                    "submitted_by": by}, key=f"portal-payment:{reference}",
                        source_ref=f"customer portal payment {reference}")
    return item


def checkout_url(provider: ProviderSettings, payment: dict, return_url: str) -> str:
    """The provider's hosted payment page for ``payment``, signed with the merchant key."""
    values = (provider.merchant, payment["reference"], payment["total"], payment["currency"], return_url)
    signature = hmac.new(provider.key.encode(), "|".join(values).encode(), hashlib.sha256).hexdigest()
    return provider.url.rstrip("/") + "/checkout?" + urlencode(
        {"merchant": provider.merchant, "reference": payment["reference"], "amount": payment["total"],
         "currency": payment["currency"], "return_url": return_url, "signature": signature})


def provider_status(provider: ProviderSettings, reference: str) -> dict:
    """The provider's own record of the payment (its status API)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(provider.url.rstrip("/") + f"/api/payments/{reference}",
                                     headers={"Authorization": f"Bearer {provider.key}"})
    try:
        with urllib.request.urlopen(request, timeout=provider.timeout_seconds) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return {"status": "unknown"}
        raise ApplicationException("provider_error", f"the payment provider answered {error.code}") from error
    except (urllib.error.URLError, OSError) as error:
        raise ApplicationException("provider_unreachable", f"the payment provider cannot be reached: {error}") from error


def settle(queue, provider: ProviderSettings, payment_item) -> dict:
    """Ask the provider how the payment ended; a succeeded one goes into cash application, once.

    :return: ``{"status": ..., "payment_item": id or None, "applied": [...], "exception": ...}``
    """
    payment = payment_item.payload
    answer = provider_status(provider, payment["reference"])
    status = answer.get("status", "unknown")
    if status != "succeeded":
        return {"status": status, "payment_item": None}
    if Decimal(answer["amount"]) != Decimal(payment["total"]) or answer["currency"] != payment["currency"]:
        raise BusinessException("payment_amount", f"the provider took {answer['amount']} {answer['currency']}, "
                                f"not {payment['total']} {payment['currency']}")
    return {"status": status, **_into_cash_application(queue, payment, answer)}


def _into_cash_application(queue, payment: dict, answer: dict) -> dict:
    """Match the paid payment with its exact remittance and queue it for erp-cash-posting."""
    from bots.bank.cash_application import open_amounts, payment_key, plan_payment_items
    from bots.cash import DiscountPolicy, MatchSettings, Payment, RemittanceLine, Terms, load_open_items, match_payments
    from bots.runtime.planned_items import commit
    from bots.runtime.runs import bot_run

    key = payment_key(PROVIDER, payment["reference"])
    existing = queue.find(key)
    if existing is not None:  # settled before (the customer reloaded the page)
        return {"payment_item": existing.id, "applied": existing.payload.get("applications", []),
                "exception": existing.exception_code}
    paid_on = queue.clock.now().date()  # the portal settles as the customer returns from paying
    folder = Path(tempfile.mkdtemp(prefix="portal-payment-"))
    open_items = folder / "open_items.csv"
    _write_open_items(queue, payment["customer_id"], open_items)
    record = folder / f"payflow-{payment['reference']}.json"
    record.write_text(json.dumps({"provider": answer, "remittance": payment}, indent=2))
    lines = [RemittanceLine(invoice=line["invoice"], paid=Decimal(line["paid"]), gross=Decimal(line["gross"]),
                            discount=Decimal(line["discount"]), invoice_date=date.fromisoformat(line["invoice_date"]))
             for line in payment["lines"]]
    bank_payment = Payment(payment_reference=payment["reference"], total=Decimal(payment["total"]),
                           payer=payment["payer"], payment_date=paid_on, currency=payment["currency"],
                           memo=f"PAYFLOW {answer['payment_id']} {payment['reference']}", lines=lines,
                           payer_id=payment["customer_id"])
    # The discount is judged against the invoice's own terms, which the portal offered.
    offered = [line for line in payment["lines"] if Decimal(line["discount"]) > 0]
    policy = DiscountPolicy()
    if offered:
        pct = Decimal(offered[0]["discount"]) / Decimal(offered[0]["gross"])
        days = max((date.fromisoformat(line["discount_until"]) - date.fromisoformat(line["invoice_date"])).days
                   for line in offered)
        policy = DiscountPolicy(per_customer={payment["customer_id"]: Terms(pct.quantize(Decimal("0.0001")), days)})
    output = match_payments(load_open_items(open_items), [bank_payment], MatchSettings(policy=policy)).to_json()
    planned = plan_payment_items([bank_payment], output, open_amounts(open_items), bank=PROVIDER, statement=record,
                                 remittance_files={})
    with bot_run(queue, "customer-portal-payments") as run:
        ((item, _),) = commit(queue, run, planned)
    return {"payment_item": item.id, "applied": output["applications"], "exception": item.exception_code}


def _write_open_items(queue, customer_id: str, target: Path) -> None:
    """The customer's open items from the store's ledger, as contract 3's open-items CSV."""
    import csv

    from sqlalchemy import select

    from bots.runtime.store.models import ArItem

    with queue.session() as session, open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["customer_id", "customer_name", "invoice", "invoice_date", "due_date", "currency", "amount",
                         "open_amount"])
        for row in session.scalars(select(ArItem).where(ArItem.customer_id == customer_id,
                                                        ArItem.closed_at.is_(None)).order_by(ArItem.invoice)):
            writer.writerow([row.customer_id, row.customer_name, row.invoice, row.invoice_date.isoformat(),
                             row.due_date.isoformat(), row.currency, f"{Decimal(row.amount):.2f}",
                             f"{Decimal(row.open_amount):.2f}"])
