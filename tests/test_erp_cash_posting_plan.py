"""The cash-posting bot's settings and the receipt it plans from a payment item (no browser)."""

from decimal import Decimal

import pytest

from bots.erp.cash_posting import CashPostingSettings, plan_receipt
from bots.runtime.errors import BusinessException


def settings(**options) -> CashPostingSettings:
    return CashPostingSettings(**{"url": "http://127.0.0.1:1", "user": "bot", "password": "x",
                                  "evidence_dir": "evidence", **options})


def payload(*applications, **payment) -> dict:
    return {"payment": {"payment_reference": "P1", "payment_date": "2026-11-20", "currency": "usd",
                        "total": "100", **payment},
            "applications": [{"customer_id": "C1001", "invoice": "INV-1", "amount": "100.00", **a}
                             for a in applications]}


@pytest.mark.parametrize("reason, code", [
    (None, "OT"), ("", "OT"), ("SH", "SH"), ("sh", "SH"), ("Shortage", "SH"), ("damaged goods", "DM"),
    ("Trade spend Q4", "PM"), ("freight claim", "FR"), ("who knows", "OT"), ("shortfall", "OT"),
])
def test_a_deductions_reason_maps_to_an_erp_reason_code(reason, code):
    assert settings().reason_code(reason) == code


def test_reason_codes_and_the_default_are_configurable():
    own = settings(reason_codes={"Short Shipped": "sh"}, default_reason="pr")
    assert own.reason_code("short shipped 2 cases") == "SH"
    assert own.reason_code("unclear") == "PR"


@pytest.mark.parametrize("change, message", [
    ({"limit": 0}, "limit must be 1 or more"),
    ({"reason_codes": ["SH"]}, "reason_codes maps"),
    ({"default_reason": " "}, "default_reason must be"),
    ({"url": "erp.local"}, "set erp.url"),
])
def test_bad_settings_name_the_setting(change, message):
    with pytest.raises(ValueError, match=message):
        settings(**change)


def test_a_payment_becomes_one_receipt_with_its_lines():
    receipt = plan_receipt(payload({"amount": "80", "discount": "2", "deduction": "18", "reason": "pricing",
                                    "open_amount": "100.00"},
                                   {"invoice": "CM-1", "amount": "-20.00"}, total="60.00"), settings())
    assert (receipt.customer_id, receipt.reference, receipt.currency, receipt.amount) == \
        ("C1001", "P1", "USD", Decimal("60.00"))
    first, credit = receipt.lines
    assert (first.amount, first.discount, first.deduction, first.reason_code, first.expected_open) == \
        (Decimal("80.00"), Decimal("2.00"), Decimal("18.00"), "PR", Decimal("100.00"))
    assert (credit.amount, credit.reason_code, credit.expected_open) == (Decimal("-20.00"), None, None)
    assert receipt.applied == Decimal("60.00")


@pytest.mark.parametrize("changed, code", [
    (payload(), "nothing_to_post"),
    (payload({}, {"customer_id": "C1002", "invoice": "INV-2"}), "several_customers"),
    (payload({}, {"invoice": "INV-1"}), "bad_application"),
    (payload({"amount": "ten"}), "bad_amount"),
    (payload({}, payment_date=None), "missing_date"),
    (payload({}, payment_reference=""), "missing_reference"),
    (payload({}, currency=None), "missing_currency"),
])
def test_a_payment_that_cannot_be_posted_is_a_business_exception(changed, code):
    with pytest.raises(BusinessException) as raised:
        plan_receipt(changed, settings())
    assert raised.value.code == code
