"""What a supervisor can do to an item, checked and written to the history and the audit log.

Each action goes through ``WorkQueue`` with the version of the item the person saw
(``expected_version``): when someone else acted first, ``ItemChanged`` says who, and
nothing happens. Each writes an audit entry whose ``bot`` is ``console:<user name>``, in
the same transaction as the change of state.

Roles: viewers read; operators also retry and dismiss; supervisors also correct fields,
resolve (by hand, or a cash exception by choosing the invoices), release credit holds and
assign. ``ITEM_ACTIONS`` holds the actions that apply to some items only (like "release
credit hold" for ``credit_hold`` exceptions); another module adds its own with
``register_action`` or gives an existing one its handler::

    from bots.console.actions import ITEM_ACTIONS
    ITEM_ACTIONS["release_credit_hold"].handler = my_release   # (queue, item, user, form) -> message
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Callable

from bots.runtime.errors import O2CError

CENT = Decimal("0.01")
ROLE_OF = {"retry": "operator", "dismiss": "operator", "correct": "supervisor", "resolve": "supervisor",
           "resolve_cash": "supervisor", "assign": "supervisor"}
MONEY_FIELD = re.compile(r"(?i)(^|_)(amount|price|unit_price|total|gross|paid|discount|deduction|open_amount|unapplied)$")
QUANTITY_FIELD = re.compile(r"(?i)(^|_)(quantity|qty)$")
DATE_FIELD = re.compile(r"(?i)(^|_)date$")
NOT_CORRECTED = ("exception", "problem", "resolution", "bounce")


class ActionRefused(O2CError):
    """The input of an action is not acceptable; ``errors`` maps each field to what is wrong."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


def audit_entry(user: str, action: str, item_id: int, detail: dict | None = None) -> dict:
    """The audit entry of a person's action in the console."""
    return {"action": action, "system": "o2c", "target": f"work item {item_id}", "bot": f"console:{user}"[:80],
            "detail": {"user": user, **(detail or {})}}


def retry(queue, item, user: str, note: str | None):
    return queue.retry(item.id, by=user, note=note or None, expected_version=item.version,
                       audit=audit_entry(user, "retry", item.id, {"note": note}))


def dismiss(queue, item, user: str, note: str):
    if not (note or "").strip():
        raise ActionRefused("Say why it is dismissed.", {"note": "a reason is required"})
    return queue.dismiss(item.id, by=user, note=note, expected_version=item.version,
                         audit=audit_entry(user, "dismiss", item.id, {"note": note}))


def resolve(queue, item, user: str, note: str):
    if not (note or "").strip():
        raise ActionRefused("Say what was done by hand.", {"note": "a note is required"})
    return queue.resolve(item.id, by=user, note=note, expected_version=item.version,
                         audit=audit_entry(user, "resolve", item.id, {"note": note}))


def assign(queue, item, user: str, to: str | None):
    return queue.assign(item.id, to or None, by=user, expected_version=item.version)


# --- correcting fields -----------------------------------------------------------------


def editable_fields(payload: dict) -> list[tuple[str, str, object]]:
    """(path, kind, value) of each plain value in the payload a person may correct.

    ``path`` is dotted (``order.lines.0.unit_price``); kind is money, quantity, date or text.
    """
    fields = []
    # What the bots wrote about the problem itself is shown, not corrected.
    payload = {key: value for key, value in payload.items() if key not in NOT_CORRECTED}

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list):
            for number, inner in enumerate(value):
                walk(inner, f"{path}.{number}")
        elif value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
            fields.append((path, field_kind(path), value))

    walk(payload, "")
    return fields


def field_kind(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    if MONEY_FIELD.search(last):
        return "money"
    if QUANTITY_FIELD.search(last):
        return "quantity"
    if DATE_FIELD.search(last):
        return "date"
    return "text"


def corrected_payload(payload: dict, form: dict) -> tuple[dict, dict]:
    """The payload with the form's ``field:<path>`` values; returns (payload, changes).

    Money must be a decimal amount (kept as a string with two places), quantities decimal
    numbers, dates ISO 8601 (YYYY-MM-DD); empty means null. Anything else raises
    ActionRefused naming each bad field.
    """
    import copy

    new = copy.deepcopy(payload)
    errors, changes = {}, {}
    for path, kind, old in editable_fields(payload):
        name = f"field:{path}"
        if name not in form:
            continue
        text = str(form[name]).strip()
        before = "" if old is None else str(old)
        if text == before:
            continue
        try:
            value = _typed(kind, text)
        except ValueError as error:
            errors[path] = str(error)
            continue
        _set(new, path, value)
        changes[path] = {"from": old, "to": value}
    if errors:
        raise ActionRefused("Some fields are not valid; nothing was changed.", errors)
    if not changes:
        raise ActionRefused("No field was changed.")
    return new, changes


def correct_and_retry(queue, item, user: str, form: dict, note: str | None):
    payload, changes = corrected_payload(item.payload, form)
    return queue.retry(item.id, by=user, note=note or f"corrected {', '.join(changes)}", action="correct",
                       payload=payload, expected_version=item.version,
                       audit=audit_entry(user, "correct_fields", item.id, {"changes": changes, "note": note}))


def _typed(kind: str, text: str):
    if text == "":
        return None
    if kind in ("money", "quantity"):
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a number (write 1234.50: a point, no thousands separator)") from None
        if not number.is_finite():
            raise ValueError(f"{text!r} is not a number")
        return f"{number.quantize(CENT):.2f}" if kind == "money" else str(number.normalize() if number == number.to_integral() else number)
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{text!r} is not a date: write YYYY-MM-DD") from None
    return text


def _set(payload, path: str, value) -> None:
    parts = path.split(".")
    target = payload
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


# --- resolving a cash exception -----------------------------------------------------------


@dataclass(frozen=True)
class ChosenLine:
    customer_id: str
    invoice: str
    amount: Decimal
    discount: Decimal
    deduction: Decimal
    open_amount: Decimal
    reason: str


def chosen_lines(form: dict, open_items: list[dict], currency: str | None = None) -> tuple[list[ChosenLine], Decimal, dict]:
    """The invoices and amounts the person chose on the resolve form, checked one by one
    (an invoice in another currency than the payment's ``currency`` cannot take it)."""
    errors, lines = {}, []
    for row in open_items:
        invoice = row["invoice"]
        values = {}
        for part in ("amount", "discount", "deduction"):
            text = str(form.get(f"{part}:{invoice}") or "").strip()
            try:
                values[part] = Decimal(text).quantize(CENT) if text else Decimal("0.00")
            except InvalidOperation:
                errors[f"{part}:{invoice}"] = f"{text!r} is not an amount"
                values[part] = Decimal("0")
            if values[part] < 0:
                errors[f"{part}:{invoice}"] = "amounts are positive"
        if not any(values.values()):
            continue
        open_amount = Decimal(row["open_amount"])
        if currency and row.get("currency") and row["currency"] != currency:
            errors[f"amount:{invoice}"] = f"{invoice} is in {row['currency']}, the payment in {currency}"
        elif values["amount"] + values["discount"] + values["deduction"] > open_amount:
            errors[f"amount:{invoice}"] = f"more than the {open_amount:.2f} open"
        if values["deduction"] and not str(form.get(f"reason:{invoice}") or "").strip():
            errors[f"reason:{invoice}"] = "a deduction needs its reason"
        lines.append(ChosenLine(row["customer_id"], invoice, values["amount"], values["discount"], values["deduction"],
                                open_amount, str(form.get(f"reason:{invoice}") or "").strip()))
    text = str(form.get("on_account") or "").strip()
    try:
        on_account = Decimal(text).quantize(CENT) if text else Decimal("0.00")
    except InvalidOperation:
        errors["on_account"] = f"{text!r} is not an amount"
        on_account = Decimal("0")
    return lines, on_account, errors


def resolve_cash(queue, item, user: str, form: dict, open_items: list[dict], note: str | None):
    """Apply the payment to the invoices chosen; ``erp-cash-posting`` then posts it like a match.

    The payload's ``applications`` become the chosen split (with the open amount seen, so the
    posting bot notices an invoice that changed meanwhile) and the item goes back to the bots.
    """
    payment = item.payload.get("payment") or {}
    total = Decimal(str(payment.get("total") or "0")).quantize(CENT)
    lines, on_account, errors = chosen_lines(form, open_items, payment.get("currency"))
    if not lines and not errors:
        raise ActionRefused("Choose at least one invoice and the amount it gets.")
    applied = sum((line.amount for line in lines), Decimal("0.00"))
    if not errors and applied + on_account != total:
        errors["total"] = (f"the amounts add up to {applied + on_account:.2f} (on account {on_account:.2f}), "
                           f"not the payment's {total:.2f}")
    customers = sorted({line.customer_id for line in lines})
    if len(customers) > 1:
        errors["total"] = f"one payment pays one customer's invoices, not those of {', '.join(customers)}"
    if errors:
        raise ActionRefused("The split does not work out; nothing was changed.", errors)
    reference = payment.get("payment_reference")
    applications = [{"payment_reference": reference, "customer_id": line.customer_id, "invoice": line.invoice,
                     "amount": f"{line.amount:.2f}", "discount": f"{line.discount:.2f}",
                     "deduction": f"{line.deduction:.2f}", "open_amount": f"{line.open_amount:.2f}",
                     **({"reason": line.reason} if line.deduction else {}),
                     "rule": "supervisor", "confidence": 1.0, "chosen_by": user} for line in lines]
    payload = {**item.payload, "applications": applications,
               "resolution": {"by": user, "on_account": f"{on_account:.2f}", "note": note or None}}
    invoices = ", ".join(f"{line.invoice} {line.amount:.2f}" for line in lines)
    return queue.retry(item.id, by=user, note=note or f"applied to {invoices}", action="resolve_cash",
                       payload=payload, expected_version=item.version,
                       audit=audit_entry(user, "apply_payment", item.id,
                                         {"payment_reference": reference, "applications": applications,
                                          "on_account": f"{on_account:.2f}", "note": note}))


def customer_open_items(item, open_items_rows: list[dict], pending: dict[str, Decimal], policy=None) -> list[dict]:
    """The open items of the payment's customer(s), less what other queued payments apply, candidates first.

    Each row gets ``discount_allowed``: the cash discount the terms (``policy``, a
    ``bots.cash.DiscountPolicy``; standard terms by default) still allow on the payment date.
    """
    from bots.cash.terms import DiscountPolicy

    policy = policy or DiscountPolicy()
    paid_on = _date((item.payload.get("payment") or {}).get("payment_date"))
    exception = item.payload.get("exception") or {}
    candidates = set(exception.get("candidates") or [])
    customers = {c for c in [exception.get("customer_id"), *(exception.get("candidate_customers") or [])] if c}
    customers |= {a.get("customer_id") for a in item.payload.get("applications") or [] if a.get("customer_id")}
    if not customers and candidates:
        customers = {row["customer_id"] for row in open_items_rows if row["invoice"] in candidates}
    mine = {a.get("invoice"): a for a in item.payload.get("applications") or []}
    rows = []
    for row in open_items_rows:
        if row["customer_id"] not in customers and row["invoice"] not in candidates:
            continue
        open_amount = Decimal(row["open_amount"])
        taken = pending.get(row["invoice"], Decimal("0"))
        if row["invoice"] in mine:  # this payment's own earlier applications are not someone else's
            taken -= Decimal(mine[row["invoice"]].get("amount") or "0") + Decimal(mine[row["invoice"]].get("discount") or "0")
        left = max(open_amount - max(taken, Decimal("0")), Decimal("0"))
        if left <= 0:
            continue
        allowed = policy.valid_discounts(row["customer_id"], int(Decimal(row["amount"]) * 100),
                                         _date(row.get("invoice_date")), paid_on) if left == open_amount else []
        rows.append({**row, "open_amount": f"{left:.2f}", "candidate": row["invoice"] in candidates,
                     "discount_allowed": f"{Decimal(allowed[0]) / 100:.2f}" if allowed else ""})
    rows.sort(key=lambda r: (not r["candidate"], r.get("due_date") or "", r["invoice"]))
    return rows


def _date(text):
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


# --- actions for some items only -------------------------------------------------------------


@dataclass
class ItemAction:
    """An action shown on items it ``applies_to``; ``handler(queue, item, user, form)`` returns a message."""

    name: str
    label: str
    role: str
    applies_to: Callable
    handler: Callable
    needs_note: bool = True


ITEM_ACTIONS: dict[str, ItemAction] = {}


def register_action(action: ItemAction) -> ItemAction:
    ITEM_ACTIONS[action.name] = action
    return action


def release_credit_hold(queue, item, user: str, form: dict) -> str:
    """Release the credit gate's hold (``bots.credit.release``, as ``o2c release-hold`` does):
    the release goes into the payload the gate reads, the history and the audit log, and
    the order goes back to the bots. Another gate can replace this handler (module docstring).
    """
    from bots.credit.release import release_hold

    note = str(form.get("note") or "").strip()
    if not note:
        raise ActionRefused("Say why the hold is released.", {"note": "a reason is required"})
    release_hold(queue, item.id, user, note, expected_version=item.version)
    return f"Credit hold on item {item.id} released; the bots take it up again."


register_action(ItemAction(
    name="release_credit_hold", label="Release credit hold", role="supervisor",
    applies_to=lambda item: item.state == "exception" and item.exception_code == "credit_hold",
    handler=release_credit_hold))
