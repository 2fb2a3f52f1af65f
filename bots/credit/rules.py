"""The credit rules: may this order be keyed, given the customer's credit standing?

Pure functions over plain records, so every rule can be tested on known cases::

    rules = CreditRules.from_settings(settings.bot("credit-gate"))
    decision = check_credit(standing, Decimal("1250.00"), rules.for_customer("C1004"), report)
    if not decision.passed:
        print(decision.rule, decision.message)      # "limit", "exposure 51,250.00 ... over by 1,250.00"

Rules, in the order they are checked (the first that fails decides):

1. ``blocked``: the ERP's credit block is set on the customer;
2. ``limit`` / ``agency_limit``: exposure = open receivables + open orders + this order is
   above the effective credit limit plus the tolerance (an amount or a percentage of that
   limit). The effective limit is the customer's override where there is one, else the lower
   of the ERP's limit and the credit agency's recommended limit (``agency_limit`` when the
   agency's is the lower). The agency's is used only when ``use_agency_limit`` is on and its
   report is at most ``report_max_age_days`` old and in the customer's (the order's)
   currency; a stale report or another currency is ignored and the decision says so;
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
RULES = ("blocked", "limit", "agency_limit", "overdue", "rating")
_KEYS = {"max_overdue_days", "limit_tolerance", "respect_block", "min_rating", "good_payment_index",
         "report_max_age_days", "use_agency_limit", "overrides", "enabled"}
_OVERRIDE_KEYS = {"credit_limit", "max_overdue_days", "limit_tolerance", "respect_block", "min_rating",
                  "use_agency_limit"}


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
    currency: str | None = None  # of the recommended limit; None: the report did not say
    agency_ref: str | None = None  # the agency's report number


@dataclass(frozen=True)
class CreditDecision:
    """The gate's answer: passed, or the rule that failed with how far off the order is."""

    passed: bool
    rule: str | None = None
    message: str = ""
    over_by: str | None = None
    exposure: str | None = None
    limit: "CreditLimit | None" = None  # the limit the exposure was held against

    def evidence(self) -> dict:
        """The decision as the exception item's evidence (and the audit entry's of a passed order)."""
        limit = self.limit
        return {"credit_rule": self.rule, "over_by": self.over_by, "exposure": self.exposure,
                "credit_limit": money(limit.amount) if limit else None, "limit_source": limit.source if limit else None,
                "limit_report_date": limit.report_date.isoformat() if limit and limit.report_date else None,
                "limit_report": limit.agency_ref if limit else None,
                "erp_credit_limit": money(limit.erp_amount) if limit and limit.erp_amount is not None else None,
                "limit_notes": list(limit.notes) if limit else []}


@dataclass(frozen=True)
class CreditLimit:
    """The limit an order's exposure is measured against, where it comes from, and why.

    :param source: ``ERP``, ``override`` or ``credit agency``.
    :param notes: what a credit manager should know about the choice, e.g. an agency
        report that was not used because it is stale or in another currency.
    """

    amount: Decimal
    source: str
    report_date: date | None = None
    agency_ref: str | None = None
    erp_amount: Decimal | None = None  # the ERP's limit, where the agency's replaced it
    notes: tuple = ()

    def described(self) -> str:
        """``25,000.00 (ERP)`` or ``5,000.00 (credit agency's recommended limit, report MCR-1 of ...)``."""
        if self.source != "credit agency":
            return f"{_show(self.amount)} ({self.source})"
        ref = f" {self.agency_ref}" if self.agency_ref else ""
        return (f"{_show(self.amount)} (the credit agency's recommended limit, report{ref} of "
                f"{self.report_date.isoformat()}, lower than the ERP's {_show(self.erp_amount)})")


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
    use_agency_limit: bool = True  # the agency's recommended limit caps the ERP's (when fresh, same currency)
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
            use_agency_limit=bool(own.get("use_agency_limit", True)),
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
        for key in ("respect_block", "use_agency_limit"):
            if key in own:
                changes[key] = bool(own[key])
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
    limit = effective_limit(standing, rules, report, today)
    notes = "".join(f"; {note}" for note in limit.notes)
    allowed = limit.amount + _tolerance(rules.limit_tolerance, limit.amount)
    if exposure > allowed:
        over = exposure - limit.amount
        return CreditDecision(
            False, "agency_limit" if limit.source == "credit agency" else "limit",
            f"exposure {_show(exposure)} {currency} (open receivables {_show(standing.open_receivables)} + open orders "
            f"{_show(standing.open_orders)} + this order {_show(order_value)}) is over the credit limit "
            f"{limit.described()} by {_show(over)} {currency}"
            + (f", more than the tolerance {rules.limit_tolerance}" if rules.limit_tolerance not in ("0", "0%") else "")
            + notes,
            over_by=money(over), exposure=money(exposure), limit=limit)

    if standing.oldest_overdue_days > rules.max_overdue_days:
        over = standing.oldest_overdue_days - rules.max_overdue_days
        return CreditDecision(
            False, "overdue",
            f"the oldest overdue invoice of customer {standing.customer_id} is {standing.oldest_overdue_days} days "
            f"past due, {over} days more than the {rules.max_overdue_days} allowed",
            over_by=str(over), exposure=money(exposure), limit=limit)

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
                    over_by=str(steps), exposure=money(exposure), limit=limit)
    return CreditDecision(True, message=f"exposure {_show(exposure)} {currency} within the limit {limit.described()}"
                          + notes, exposure=money(exposure), limit=limit)


def effective_limit(standing: CreditStanding, rules: CreditRules, report: AgencyReport | None = None,
                    today: date | None = None) -> CreditLimit:
    """The credit limit the order is held against, as a credit manager sets it.

    The customer's override wins over everything. Else the ERP's limit, capped by the credit
    agency's recommended limit where the agency recommends less, its report is fresh (at most
    ``report_max_age_days`` old) and in the customer's currency; a report that cannot be used
    is named in the limit's notes, so the decision says why the ERP's limit stood.
    """
    if rules.credit_limit is not None:
        return CreditLimit(rules.credit_limit, "override")
    erp = CreditLimit(standing.credit_limit, "ERP")
    if not rules.use_agency_limit or report is None or report.recommended_limit is None:
        return erp
    agency = f"the credit agency's recommended limit {_show(report.recommended_limit)}" + (
        f" {report.currency}" if report.currency else "") + f" (report of {report.report_date.isoformat()})"
    if not _fresh(report, rules, today):
        age = ((today or date.today()) - report.report_date).days
        return replace(erp, notes=(f"{agency} is not used: the report is {age} days old, older than the "
                                   f"{rules.report_max_age_days} days allowed",))
    if (report.currency or "").upper() != standing.currency.upper():
        given = f"in {report.currency}" if report.currency else "in no stated currency"
        return replace(erp, notes=(f"{agency} is not used: it is {given}, the order in {standing.currency}",))
    if report.recommended_limit < standing.credit_limit:
        return CreditLimit(report.recommended_limit, "credit agency", report.report_date, report.agency_ref,
                           erp_amount=standing.credit_limit)
    return erp


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
