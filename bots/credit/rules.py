"""The credit rules: may this order be keyed, given the customer's credit standing?

Pure functions over plain records, so every rule can be tested on known cases::

    rules = CreditRules.from_settings(settings.bot("credit-gate"))
    decision = check_credit(standing, Decimal("1250.00"), rules.for_customer("C1004"), report)
    if not decision.passed:
        print(decision.rule, decision.message)      # "limit", "exposure 51,250.00 ... over by 1,250.00"

Rules, in the order they are checked (the first that fails decides):

1. ``blocked``: the ERP's credit block is set on the customer;
2. ``limit``: exposure = open receivables + open orders + this order is above the credit
   limit (the ERP's, or the customer's override) plus the tolerance (an amount or a percentage
   of the limit);
3. ``overdue``: the oldest overdue invoice is more days past due than ``max_overdue_days``;
4. ``rating``: the credit agency's rating (a cached report, at most ``report_max_age_days``
   old) is worse than ``min_rating``, and the payment history does not make up for it: a
   payment index of at least ``good_payment_index`` with nothing overdue does.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from inbox_parsers.amounts import money

# Credit agency ratings, best first (the sandbox agency's scale, as most agencies grade).
RATINGS = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "D")
RULES = ("blocked", "limit", "overdue", "rating")
_KEYS = {"max_overdue_days", "limit_tolerance", "respect_block", "min_rating", "good_payment_index",
         "report_max_age_days", "overrides", "enabled"}
_OVERRIDE_KEYS = {"credit_limit", "max_overdue_days", "limit_tolerance", "respect_block", "min_rating"}


@dataclass(frozen=True)
class CreditStanding:
    """A customer's credit data as the ERP's credit screen (FD32) shows it."""

    customer_id: str
    currency: str
    credit_limit: Decimal
    open_receivables: Decimal
    open_orders: Decimal
    oldest_overdue_days: int
    blocked: bool = False
    block_reason: str = ""


@dataclass(frozen=True)
class AgencyReport:
    """What the credit agency's report says of a customer, and when it was made."""

    rating: str
    payment_index: int
    recommended_limit: Decimal | None
    report_date: date


@dataclass(frozen=True)
class CreditDecision:
    """The gate's answer: passed, or the rule that failed with how far off the order is."""

    passed: bool
    rule: str | None = None
    message: str = ""
    over_by: str | None = None
    exposure: str | None = None

    def evidence(self) -> dict:
        """The decision as the exception item's evidence."""
        return {"credit_rule": self.rule, "over_by": self.over_by, "exposure": self.exposure}


@dataclass(frozen=True)
class CreditRules:
    """The rules' settings (``bots.credit-gate`` in config/o2c.yaml), checked on load.

    :param credit_limit: None: the ERP's credit limit; an amount overrides it (per customer).
    :param limit_tolerance: how far exposure may go over the limit: "0", "500.00" or "5%".
    """

    enabled: bool = True
    max_overdue_days: int = 30
    limit_tolerance: str = "0"
    respect_block: bool = True
    min_rating: str | None = None
    good_payment_index: int = 80
    report_max_age_days: int = 90
    credit_limit: Decimal | None = None
    overrides: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.max_overdue_days < 0:
            raise ValueError(f"credit-gate max_overdue_days cannot be negative ({self.max_overdue_days})")
        _tolerance(self.limit_tolerance, Decimal("1"))  # fails now, naming the setting
        if self.min_rating is not None and self.min_rating not in RATINGS:
            raise ValueError(f"credit-gate min_rating must be one of {', '.join(RATINGS)}, not {self.min_rating!r}")

    @classmethod
    def from_settings(cls, own: dict) -> "CreditRules":
        """Build the rules from the ``bots.credit-gate`` section; a mistake raises ValueError naming it."""
        unknown = set(own) - _KEYS
        if unknown:
            raise ValueError(f"bots.credit-gate has unknown settings {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(_KEYS))}")
        overrides = own.get("overrides") or {}
        if not isinstance(overrides, dict):
            raise ValueError("bots.credit-gate overrides maps a customer number to its own rules, "
                             "e.g. {C1004: {credit_limit: 80000}}")
        for customer, values in overrides.items():
            bad = set(values or {}) - _OVERRIDE_KEYS
            if not isinstance(values, dict) or bad:
                raise ValueError(f"bots.credit-gate overrides.{customer} takes {', '.join(sorted(_OVERRIDE_KEYS))}"
                                 + (f", not {', '.join(sorted(bad))}" if bad else ""))
        rules = cls(
            enabled=bool(own.get("enabled", True)),
            max_overdue_days=int(own.get("max_overdue_days", 30)),
            limit_tolerance=str(own.get("limit_tolerance", "0")),
            respect_block=bool(own.get("respect_block", True)),
            min_rating=str(own["min_rating"]) if own.get("min_rating") else None,
            good_payment_index=int(own.get("good_payment_index", 80)),
            report_max_age_days=int(own.get("report_max_age_days", 90)),
            overrides={str(k).upper(): dict(v) for k, v in overrides.items()},
        )
        for customer in rules.overrides:
            rules.for_customer(customer)  # every override checked on load, not at the first order
        return rules

    def for_customer(self, customer_id: str) -> "CreditRules":
        """These rules with the customer's overrides applied."""
        own = self.overrides.get(str(customer_id).upper())
        if not own:
            return self
        changes = {}
        if "credit_limit" in own:
            changes["credit_limit"] = _amount(own["credit_limit"], f"overrides.{customer_id}.credit_limit")
        for key in ("max_overdue_days", "good_payment_index"):
            if key in own:
                changes[key] = int(own[key])
        for key in ("limit_tolerance", "min_rating"):
            if key in own:
                changes[key] = str(own[key]) if own[key] is not None else None
        if "respect_block" in own:
            changes["respect_block"] = bool(own["respect_block"])
        return replace(self, overrides={}, **changes)


def check_credit(standing: CreditStanding, order_value: Decimal, rules: CreditRules,
                 report: AgencyReport | None = None, today: date | None = None) -> CreditDecision:
    """Decide whether an order of ``order_value`` may be keyed for the customer of ``standing``.

    ``rules`` should already be the customer's (``CreditRules.for_customer``).
    """
    if not rules.enabled:
        return CreditDecision(True, message="the credit gate is switched off")
    currency = standing.currency
    if rules.respect_block and standing.blocked:
        reason = f": {standing.block_reason}" if standing.block_reason else ""
        return CreditDecision(False, "blocked", f"customer {standing.customer_id} is blocked for credit in the ERP{reason}")

    exposure = standing.open_receivables + standing.open_orders + order_value
    limit = rules.credit_limit if rules.credit_limit is not None else standing.credit_limit
    allowed = limit + _tolerance(rules.limit_tolerance, limit)
    if exposure > allowed:
        over = exposure - limit
        source = "override" if rules.credit_limit is not None else "ERP"
        return CreditDecision(
            False, "limit",
            f"exposure {_show(exposure)} {currency} (open receivables {_show(standing.open_receivables)} + open orders "
            f"{_show(standing.open_orders)} + this order {_show(order_value)}) is over the credit limit "
            f"{_show(limit)} ({source}) by {_show(over)} {currency}"
            + (f", more than the tolerance {rules.limit_tolerance}" if rules.limit_tolerance not in ("0", "0%") else ""),
            over_by=money(over), exposure=money(exposure))

    if standing.oldest_overdue_days > rules.max_overdue_days:
        over = standing.oldest_overdue_days - rules.max_overdue_days
        return CreditDecision(
            False, "overdue",
            f"the oldest overdue invoice of customer {standing.customer_id} is {standing.oldest_overdue_days} days "
            f"past due, {over} days more than the {rules.max_overdue_days} allowed",
            over_by=str(over), exposure=money(exposure))

    if rules.min_rating and report is not None and _fresh(report, rules, today):
        if _rank(report.rating) > _rank(rules.min_rating):
            good_history = report.payment_index >= rules.good_payment_index and standing.oldest_overdue_days == 0
            if not good_history:
                steps = _rank(report.rating) - _rank(rules.min_rating)
                return CreditDecision(
                    False, "rating",
                    f"the credit agency rates customer {standing.customer_id} {report.rating} (report of "
                    f"{report.report_date.isoformat()}), {steps} grade(s) below the minimum {rules.min_rating}, and its "
                    f"payment history does not make up for it (payment index {report.payment_index}, below "
                    f"{rules.good_payment_index}, or items overdue)",
                    over_by=str(steps), exposure=money(exposure))
    return CreditDecision(True, message=f"exposure {_show(exposure)} {currency} within the limit {_show(limit)}",
                          exposure=money(exposure))


# -- helpers ---------------------------------------------------------------------------


def _fresh(report: AgencyReport, rules: CreditRules, today: date | None) -> bool:
    today = today or date.today()
    return (today - report.report_date).days <= rules.report_max_age_days


def _rank(rating: str) -> int:
    """Position on the scale, best 0; an unknown grade counts as the worst."""
    return RATINGS.index(rating) if rating in RATINGS else len(RATINGS)


def _tolerance(text: str, limit: Decimal) -> Decimal:
    """``"500"`` -> 500; ``"5%"`` -> 5% of ``limit``."""
    raw = str(text).strip()
    try:
        value = Decimal(raw[:-1].strip()) if raw.endswith("%") else Decimal(raw)
    except InvalidOperation:
        value = Decimal("-1")
    if value < 0:
        raise ValueError(f"credit-gate limit_tolerance must be an amount (500) or a percentage (5%), not {text!r}")
    return (limit * value / 100) if raw.endswith("%") else value


def _amount(value, where: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"bots.credit-gate {where} must be an amount, not {value!r}") from None
    if amount < 0:
        raise ValueError(f"bots.credit-gate {where} cannot be negative ({value})")
    return amount


def _show(amount: Decimal) -> str:
    """An amount as a person reads it in a message: 51,250.00."""
    return f"{amount:,.2f}"
