"""Every receivables figure, from a plain ledger, exactly as contract 4 defines it.

Pure functions of a ``Ledger`` and a period: nothing here reads a file, the store or the
clock. Figures are computed as exact Decimals (a 50-digit context for the divisions) and
rounded half-up to two places only at the edge, by ``metrics_json``. A figure whose divisor
is zero is ``None`` (null in JSON).

Definitions (contract 4), for any date X:

- open(i, X) = amount(i) - receipts of i dated on or before X; AR(X) = sum of open(i, X) over
  the invoices dated on or before X.
- aging at ``to``: days past due d = to - due_date, for invoices dated on or before ``to`` with
  open(i, to) != 0: current (d <= 0), 1-30, 31-60, 61-90, 91+.
- sales = amounts of the invoices dated from ``start`` to ``end``; days = end - start + 1;
  dso = AR(end) / sales * days.
- count-back DSO walks back over calendar months from ``end`` (see ``countback_dso``).
- cei = (AR(start - 1) + sales - AR(end)) / (AR(start - 1) + sales - current(end)) * 100.
- average days to pay (and late) over receipts dated in the period, weighted by amount.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from bots.receivables.ledger import Invoice, Ledger, Receipt

AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "91+")
COUNTBACK_PERIODS = 24
_PRECISION = Context(prec=50)
_ZERO = Decimal(0)
_CENT = Decimal("0.01")


@dataclass
class Figures:
    """The figures of one ledger (the whole file or one customer) for one period, unrounded."""

    start: date
    end: date
    ar: Decimal
    aging: dict[str, Decimal]
    sales: Decimal
    dso: Decimal | None
    dso_countback: Decimal
    cei: Decimal | None
    average_days_to_pay: Decimal | None
    average_days_late: Decimal | None
    currency: str | None = None
    customer_id: str | None = None
    customer_name: str | None = None
    customers: list["Figures"] = field(default_factory=list)


def days_past_due(due_date: date, on: date) -> int:
    """How many days ``on`` is past ``due_date`` (zero or less: not yet due)."""
    return (on - due_date).days


def aging_bucket(days: int) -> str:
    """The aging bucket of an item ``days`` past due."""
    if days <= 0:
        return "current"
    if days <= 30:
        return "1-30"
    if days <= 60:
        return "31-60"
    if days <= 90:
        return "61-90"
    return "91+"


def open_amount(invoice: Invoice, receipts: list[Receipt], on: date) -> Decimal:
    """open(i, X): the amount less the receipts dated on or before ``on``."""
    return invoice.amount - sum((r.amount for r in receipts if r.receipt_date <= on), _ZERO)


def receivables(ledger: Ledger, on: date, paid: dict | None = None) -> Decimal:
    """AR(X): what is open on ``on`` over the invoices dated on or before it."""
    paid = ledger.receipts_of() if paid is None else paid
    return sum((open_amount(i, paid.get(ledger.key(i), []), on) for i in ledger.invoices if i.invoice_date <= on),
               _ZERO)


def aging(ledger: Ledger, on: date, paid: dict | None = None) -> dict[str, Decimal]:
    """What is open on ``on`` by days past due, bucket by bucket."""
    paid = ledger.receipts_of() if paid is None else paid
    buckets = {name: _ZERO for name in AGING_BUCKETS}
    for invoice in ledger.invoices:
        if invoice.invoice_date > on:
            continue
        still_open = open_amount(invoice, paid.get(ledger.key(invoice), []), on)
        if still_open != 0:
            buckets[aging_bucket(days_past_due(invoice.due_date, on))] += still_open
    return buckets


def sales(ledger: Ledger, start: date, end: date) -> Decimal:
    """The amounts invoiced (credit memos negative) from ``start`` to ``end`` inclusive."""
    return sum((i.amount for i in ledger.invoices if start <= i.invoice_date <= end), _ZERO)


def countback_dso(ledger: Ledger, end: date, ar: Decimal) -> Decimal:
    """Count-back DSO: how many days of the latest sales the receivables ``ar`` amount to.

    The first period runs from the first day of ``end``'s month to ``end``, then each earlier
    whole month. While the remaining AR is at least a period's sales, they are subtracted and
    the period's days added; then period days * remaining / period sales is added and the walk
    stops. A period whose sales are zero or less adds its days and the walk goes on. At most
    24 periods; AR of zero or less gives 0.
    """
    if ar <= 0:
        return _ZERO
    # Each period is a calendar month (the first ends at ``end``): sum the sales by month once.
    monthly: dict[tuple[int, int], Decimal] = {}
    for invoice in ledger.invoices:
        if invoice.invoice_date <= end:
            month = (invoice.invoice_date.year, invoice.invoice_date.month)
            monthly[month] = monthly.get(month, _ZERO) + invoice.amount
    remaining, total = ar, _ZERO
    period_end = end
    with localcontext(_PRECISION):
        for _ in range(COUNTBACK_PERIODS):
            period_start = period_end.replace(day=1)
            days = Decimal((period_end - period_start).days + 1)
            period_sales = monthly.get((period_start.year, period_start.month), _ZERO)
            if period_sales <= 0 or remaining >= period_sales:
                if period_sales > 0:
                    remaining -= period_sales
                total += days
            else:
                return total + days * remaining / period_sales
            period_end = period_start - timedelta(days=1)
    return total


def weighted_days(ledger: Ledger, start: date, end: date) -> tuple[Decimal | None, Decimal | None]:
    """Average days to pay and average days late of the receipts dated in the period,
    each receipt weighted by its amount."""
    invoices = {ledger.key(i): i for i in ledger.invoices}
    weight = to_pay = late = _ZERO
    for receipt in ledger.receipts:
        if not start <= receipt.receipt_date <= end:
            continue
        invoice = invoices[(receipt.customer_id, receipt.invoice)]
        weight += receipt.amount
        to_pay += receipt.amount * (receipt.receipt_date - invoice.invoice_date).days
        late += receipt.amount * max(0, (receipt.receipt_date - invoice.due_date).days)
    return _divide(to_pay, weight), _divide(late, weight)


def share_paid_late(ledger: Ledger, start: date, end: date) -> Decimal | None:
    """The share (0..1) of the money received in the period that came after its due date."""
    invoices = {ledger.key(i): i for i in ledger.invoices}
    total = late = _ZERO
    for receipt in ledger.receipts:
        if start <= receipt.receipt_date <= end:
            total += receipt.amount
            if receipt.receipt_date > invoices[(receipt.customer_id, receipt.invoice)].due_date:
                late += receipt.amount
    return _divide(late, total)


def past_due(buckets: dict[str, Decimal]) -> Decimal:
    """What of the aging is past due (every bucket but current)."""
    return sum((value for name, value in buckets.items() if name != "current"), _ZERO)


def compute_metrics(ledger: Ledger, start: date, end: date, *, per_customer: bool = True) -> Figures:
    """All of contract 4's figures for the period ``start``..``end``, the file's and each customer's.

    :raises ValueError: ``start`` is after ``end``, or the ledger holds more than one currency.
    """
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    currencies = ledger.currencies()
    if len(currencies) > 1:
        raise ValueError("the invoices are in more than one currency (" + ", ".join(currencies) + ")")
    figures = _figures(ledger, start, end)
    figures.currency = currencies[0] if currencies else None
    if per_customer:
        names: dict[str, str] = {}
        for invoice in ledger.invoices:
            if not names.get(invoice.customer_id):
                names[invoice.customer_id] = invoice.customer_name
        ledgers = ledger.by_customer()
        for customer_id in sorted(names):
            one = _figures(ledgers[customer_id], start, end)
            one.customer_id, one.customer_name, one.currency = customer_id, names[customer_id], figures.currency
            figures.customers.append(one)
    return figures


def _figures(ledger: Ledger, start: date, end: date) -> Figures:
    paid = ledger.receipts_of()
    ar_end = receivables(ledger, end, paid)
    ar_before = receivables(ledger, start - timedelta(days=1), paid)
    buckets = aging(ledger, end, paid)
    period_sales = sales(ledger, start, end)
    days = (end - start).days + 1
    with localcontext(_PRECISION):
        dso = _divide(ar_end * days, period_sales)
        cei = _divide((ar_before + period_sales - ar_end) * 100, ar_before + period_sales - buckets["current"])
    to_pay, late = weighted_days(ledger, start, end)
    return Figures(start=start, end=end, ar=ar_end, aging=buckets, sales=period_sales, dso=dso,
                   dso_countback=countback_dso(ledger, end, ar_end), cei=cei,
                   average_days_to_pay=to_pay, average_days_late=late)


def _divide(numerator: Decimal, divisor: Decimal) -> Decimal | None:
    if divisor == 0:
        return None
    with localcontext(_PRECISION):
        return numerator / divisor


def two_places(value: Decimal | None) -> str | None:
    """A figure as the contract prints it: rounded half-up to two places (never "-0.00")."""
    if value is None:
        return None
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return str(rounded + 0 if rounded != 0 else Decimal("0.00"))


def metrics_json(figures: Figures) -> dict:
    """Contract 4's JSON object for ``figures``."""
    out = {"currency": figures.currency, "from": figures.start.isoformat(), "to": figures.end.isoformat()}
    out.update(_figure_fields(figures))
    out["customers"] = [{"customer_id": c.customer_id, "customer_name": c.customer_name, **_figure_fields(c)}
                        for c in figures.customers]
    return out


def _figure_fields(figures: Figures) -> dict:
    return {
        "ar": two_places(figures.ar),
        "aging": {name: two_places(figures.aging[name]) for name in AGING_BUCKETS},
        "sales": two_places(figures.sales),
        "dso": two_places(figures.dso),
        "dso_countback": two_places(figures.dso_countback),
        "cei": two_places(figures.cei),
        "average_days_to_pay": two_places(figures.average_days_to_pay),
        "average_days_late": two_places(figures.average_days_late),
    }
