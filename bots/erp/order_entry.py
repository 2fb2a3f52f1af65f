"""The ERP order-entry bot: queued orders keyed into the legacy ERP's screens, exactly once.

``o2c run erp-order-entry [--once] [--limit N]``. For each work item of kind ``order``
(claimed one at a time, with a lease, inside ``queue.processing``):

1. find the ERP customer number through the customer search pop-up (``customers.py``);
2. check before acting: search the order list (VA05) for the customer PO. An order with
   that PO and the same lines is ours from a run that crashed after Save: complete the
   item with its number (audit action ``found_existing``), key nothing. One with other
   lines is the customer's duplicate: exception ``duplicate_po``;
3. key header and lines on VA01 (the customer's price when the order has one, checked
   against the ERP's price within ``price_tolerance``), press Save, read "Sales order N
   saved". The whole keying is redone with backoff while the ERP answers "System busy"
   (the busy page loses what was typed) or the session expired;
4. read the saved order back (VA03) and compare item, quantity and price per line;
5. complete the item with ``{"sales_order": N}`` and the audit entry
   ``create_sales_order`` in the same transaction (``work.audit``).

Failures: unknown customer, a rejected entry (the status bar's text), the duplicate-PO
dialog, a price difference -> business exceptions with a screenshot as evidence. Busy
past ``busy_attempts``, a page not as expected -> application exception (the item comes
back with backoff). Maintenance page, ERP unreachable, or ``stop_after_failures``
application failures in a row -> the run stops, leaving the other items for later.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from bots.runtime.bot_settings import own_section
from bots.erp.customers import resolve_customer
from bots.erp.runner import ERP_BOT_KEYS, ErpBot, ErpBotSettings, ErpItemHandler, erp_bot_settings, run_erp_bot
from bots.erp.screens import ErpClient
from bots.runtime.errors import BusinessException
from bots.runtime.crash import crash_point

BOT_NAME = "erp-order-entry"
ITEM_KIND = "order"
PRICE_POLICIES = ("flag", "customer", "erp")


# -- settings ------------------------------------------------------------------------


@dataclass
class OrderEntrySettings(ErpBotSettings):
    """The bot's settings: the ``erp:`` section plus ``bots.erp-order-entry``, checked on load.

    The shared ones (address, user, limit, busy retries...) are those of ``ErpBotSettings``.

    :param price_tolerance: largest accepted difference between the customer's and the
        ERP's unit price: an amount ("0.01") or a percentage ("2%").
    :param price_policy: a larger difference: ``flag`` (exception price_mismatch),
        ``customer`` (key the customer's price), ``erp`` (key the ERP's price).
    """

    bot_name: ClassVar[str] = BOT_NAME

    item_kind: str = ITEM_KIND
    price_tolerance: str = "0.01"
    price_policy: str = "flag"
    portal_customers: dict = field(default_factory=dict)
    credit_rules: object = None  # bots.credit.rules.CreditRules; None: no credit gate
    priority: object = None  # bots.credit.priority.PriorityRules; None: oldest order first

    def __post_init__(self):
        super().__post_init__()
        if self.price_policy not in PRICE_POLICIES:
            raise ValueError(f"erp-order-entry price_policy must be one of {', '.join(PRICE_POLICIES)}, "
                             f"not {self.price_policy!r}")
        _tolerance(str(self.price_tolerance))  # fails here, naming the setting, not at the first order
        if not isinstance(self.portal_customers, dict):
            raise ValueError("erp-order-entry portal_customers maps a portal's name to an ERP customer "
                             f"(number or name), e.g. {{portal: C1001}}, not {self.portal_customers!r}")

    def accepts(self, customer_price: Decimal, erp_price: Decimal) -> bool:
        """True when the two unit prices differ by no more than ``price_tolerance``."""
        amount, percent = _tolerance(str(self.price_tolerance))
        allowed = amount if percent is None else abs(erp_price) * percent / 100
        return abs(customer_price - erp_price) <= allowed


def load_order_entry_settings(settings, *, need_password: bool = True) -> OrderEntrySettings:
    """Build the bot's settings from ``load_settings()``; the password comes from ``secret("erp_password")``."""
    own = own_section(settings, BOT_NAME, _SETTING_KEYS)
    return OrderEntrySettings(
        **erp_bot_settings(settings, own, ITEM_KIND, need_password=need_password),
        price_tolerance=str(own.get("price_tolerance", "0.01")),
        price_policy=str(own.get("price_policy", "flag")),
        portal_customers=own.get("portal_customers") or {},
        credit_rules=_credit_rules(settings),
        priority=_priority(own),
    )


def _credit_rules(settings):
    """The credit gate's rules (``bots.credit-gate``), checked on load."""
    from bots.credit.rules import CreditRules

    return CreditRules.from_settings(settings.bot("credit-gate"))


def _priority(own: dict):
    """How queued orders are prioritized (``bots.erp-order-entry.priority``), checked on load."""
    from bots.credit.priority import PriorityRules

    return PriorityRules.from_settings(own.get("priority"))


_SETTING_KEYS = ERP_BOT_KEYS | {"price_tolerance", "price_policy", "portal_customers", "priority"}


# -- one order -------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedLine:
    """A line as it will be keyed: item, quantity, and the price to type (None: the ERP's)."""

    item: str
    quantity: Decimal
    price: Decimal | None


class OrderEntry(ErpItemHandler):
    """Keys one queued order into the ERP, exactly once."""

    def __init__(self, erp: ErpClient, settings: OrderEntrySettings, run=None, credit=None):
        super().__init__(erp, settings, run)
        self.credit = credit  # a bots.credit.gate.CreditGate, or None
        self._customers: dict[str, str] = {}  # order customer -> ERP number, within one run

    def enter(self, work) -> str:
        """Key the order of ``work`` (a ``Work`` from ``queue.processing``); record the result and audit."""
        order = order_of(work.payload)
        po = str(order.get("po_number") or "").strip()
        return self._with_evidence(lambda: self._enter(work, order, po), f"erp-{po or work.id}", f"PO {po}")

    def _enter(self, work, order: dict, po: str) -> str:
        if not po:
            raise BusinessException("missing_po", "the order has no PO number")
        lines = self._planned_lines(order)
        customer_id = self._customer(order, work.payload)
        step = self._retrying

        existing = step(lambda: self.erp.find_orders_by_customer_po(po, customer_id))
        for hit in existing:
            saved = step(lambda: self.erp.read_order_lines(hit.order_no, po, customer_id))
            if _same_items(saved, lines):
                self._count("found_existing")
                work.audit("found_existing", "erp", "Sales Order", document_number=hit.order_no,
                           detail={"customer": customer_id, "po_number": po})
                work.result = {"sales_order": hit.order_no, "customer_id": customer_id, "found_existing": True}
                return hit.order_no
        if existing:
            numbers = [hit.order_no for hit in existing]
            raise BusinessException("duplicate_po", f"PO {po} is already on sales order {', '.join(numbers)} of "
                                    f"customer {customer_id} with other lines: a duplicate order from the customer?",
                                    {"existing_orders": numbers, "customer_id": customer_id})

        credit = self._credit_check(work, customer_id)
        keyed = step(lambda: self._key_and_save(order, po, customer_id, lines, credit))
        crash_point("after_save")
        saved = step(lambda: self.erp.read_order_lines(keyed["order_no"], po, customer_id))
        self._check_saved(keyed, saved, po)
        self._count("orders_keyed")
        work.audit("create_sales_order", "erp", "Sales Order", document_number=keyed["order_no"],
                   detail={"customer": customer_id, "po_number": po,
                           "lines": [{"item": line.item, "quantity": str(line.quantity), "price": str(line.price)}
                                     for line in keyed["lines"]], "credit": keyed.get("credit")})
        work.result = {"sales_order": keyed["order_no"], "customer_id": customer_id}
        return keyed["order_no"]

    def _credit_check(self, work, customer_id: str):
        """The credit gate's check for this order (None without a gate); reads FD32 before keying."""
        if self.credit is None:
            return None
        from bots.credit.erp_credit import read_credit_standing

        return self.credit.prepare(work, customer_id,
                                   lambda: self._retrying(lambda: read_credit_standing(self.erp, customer_id)))

    def _key_and_save(self, order: dict, po: str, customer_id: str, lines: list[PlannedLine], credit=None) -> dict:
        """One go at VA01: header, lines, (the credit check), Save. Redone whole after a busy answer."""
        self.erp.enter_header(customer_id, po, order.get("requested_date"), order.get("ship_to"))
        keyed = []
        for n, line in enumerate(lines, start=1):
            erp_price = self.erp.enter_line(n, line.item, _plain(line.quantity), None)
            price = self._price(n, line, erp_price, po)
            if price is not None and price != erp_price:
                self.erp.enter_line(n, line.item, _plain(line.quantity), _plain(price))
            keyed.append(PlannedLine(line.item, line.quantity, price if price is not None else erp_price))
        # The order's value is known only now, with the ERP's prices: a hold raises before Save.
        decision = credit(sum((line.quantity * (line.price or 0) for line in keyed), Decimal("0")).quantize(
            Decimal("0.01"))) if credit else None
        result = self.erp.save_order()
        if result.duplicate_of:
            self.erp.cancel_duplicate()
            raise BusinessException("duplicate_po", result.message or f"PO {po} already exists for {customer_id}",
                                    {"existing_orders": list(result.duplicate_of), "customer_id": customer_id})
        return {"order_no": result.order_no, "lines": keyed, "credit": decision}

    def _price(self, n: int, line: PlannedLine, erp_price: Decimal | None, po: str) -> Decimal | None:
        """The price to key: the customer's, unless it is off the ERP's by more than the tolerance."""
        if line.price is None or erp_price is None:
            return line.price  # no customer price: the ERP's; unknown item: the ERP will say so on Save
        if self.settings.accepts(line.price, erp_price):
            return line.price
        if self.settings.price_policy == "customer":
            return line.price
        if self.settings.price_policy == "erp":
            return erp_price
        raise BusinessException("price_mismatch", f"PO {po} line {n}: the customer's price {line.price} for "
                                f"{line.item} differs from the ERP's {erp_price} by more than {self.settings.price_tolerance}",
                                {"line": n, "item": line.item, "customer_price": str(line.price),
                                 "erp_price": str(erp_price)})

    def _check_saved(self, keyed: dict, saved: list, po: str) -> None:
        """Compare what the ERP saved with what was keyed (units of measure may round quantities)."""
        wanted = [(line.item.upper(), line.quantity, line.price) for line in keyed["lines"]]
        got = [(line.item.upper(), line.quantity, line.unit_price) for line in saved]
        if wanted != got:
            raise BusinessException(
                "saved_differs", f"sales order {keyed['order_no']} (PO {po}) was saved with other lines than keyed",
                {"sales_order": keyed["order_no"], "keyed": [list(map(str, line)) for line in wanted],
                 "saved": [list(map(str, line)) for line in got]})

    def _customer(self, order: dict, payload: dict) -> str:
        customer = order.get("customer") or {}
        if isinstance(customer, str):
            customer = {"name": customer}
        if not (customer.get("name") or customer.get("customer_id")):
            customer = {**customer, **self._portal_customer(payload)}
        key = f"{customer.get('customer_id')}|{customer.get('name')}|{customer.get('email')}"
        if key not in self._customers:
            self._customers[key] = resolve_customer(customer, lambda term: self._retrying(
                lambda: self.erp.search_customers(term)))
        return self._customers[key]

    def _portal_customer(self, payload: dict) -> dict:
        """A customer's own portal names no customer on its POs: the settings say whose portal it is."""
        configured = self.settings.portal_customers.get(payload.get("portal")) if payload.get("portal") else None
        if not configured:
            return {}
        configured = str(configured).strip()
        return {"customer_id": configured} if re.fullmatch(r"[A-Za-z]{0,3}\d+", configured) else {"name": configured}

    def _planned_lines(self, order: dict) -> list[PlannedLine]:
        lines = []
        for n, line in enumerate(order.get("lines") or [], start=1):
            item = str(line.get("sku") or "").strip().upper()
            quantity = _decimal_or_none(line.get("quantity"))
            price = _decimal_or_none(line.get("unit_price"))
            if not item:
                raise BusinessException("missing_sku", f"line {n} has no item number")
            if quantity is None:
                raise BusinessException("bad_quantity", f"line {n} ({item}) has no readable quantity")
            lines.append(PlannedLine(item, quantity, price))
        if not lines:
            raise BusinessException("no_lines", "the order has no lines")
        return lines


def order_of(payload: dict) -> dict:
    """The contract-2 order in an item's payload (intake puts it under ``order``)."""
    order = payload.get("order") if isinstance(payload.get("order"), dict) else payload
    return order or {}


# -- the bot ---------------------------------------------------------------------------


def run_order_entry(settings: OrderEntrySettings, *, once: bool, limit: int | None = None, headless: bool = True,
                    queue=None, browser=None) -> dict:
    """Run the bot: key up to ``limit`` waiting orders once (``once``), or every ``poll_seconds``.

    Returns the counts of the runs; see ``run_erp_bot`` for the rest (an ERP that is down, ``browser``).
    """
    if settings.priority is not None:  # the most urgent orders are claimed first
        from bots.credit.priority import prioritize_orders
        from bots.runtime.workqueue import WorkQueue

        queue = queue or WorkQueue.open()
        prioritize_orders(queue, settings.priority)
    return run_erp_bot(ORDER_ENTRY_BOT, settings, once=once, limit=limit, headless=headless, queue=queue,
                       browser=browser)


ORDER_ENTRY_BOT = ErpBot(name=BOT_NAME, activity="order entry", items="orders",
                         handler=lambda erp, settings, run: OrderEntry(erp, settings, run, _gate(settings, run)).enter)


def _gate(settings: OrderEntrySettings, run):
    """The credit gate when the settings have credit rules (``bots.credit-gate``), else None."""
    if settings.credit_rules is None:
        return None
    from bots.credit.gate import gate_for

    return gate_for(settings.credit_rules, run)


# -- helpers ---------------------------------------------------------------------------


def _same_items(saved: list, lines: list[PlannedLine]) -> bool:
    """True when an order in the ERP has the order's items and quantities, line by line."""
    return [(line.item.upper(), line.quantity) for line in saved] == [(line.item, line.quantity) for line in lines]


def _tolerance(text: str) -> tuple[Decimal, Decimal | None]:
    """``"0.05"`` -> (0.05, None); ``"2%"`` -> (0, 2)."""
    raw = text.strip()
    try:
        if raw.endswith("%"):
            percent = Decimal(raw[:-1].strip())
            if percent < 0:
                raise InvalidOperation
            return Decimal("0"), percent
        amount = Decimal(raw)
        if amount < 0:
            raise InvalidOperation
        return amount, None
    except InvalidOperation:
        raise ValueError(f"erp-order-entry price_tolerance must be an amount (0.01) or a percentage (2%), "
                         f"not {text!r}") from None


def _decimal_or_none(value) -> Decimal | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number


def _plain(value: Decimal) -> str:
    """A Decimal as typed into a field: no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
