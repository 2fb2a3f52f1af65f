"""The order-entry bot's rules that need no browser: which customer, which price, which settings."""

from decimal import Decimal
from pathlib import Path

import pytest

from bots.erp.customers import normalize_name, resolve_customer, search_terms
from bots.erp.order_entry import OrderEntrySettings, _plain, order_of
from bots.erp.screens import CustomerHit
from bots.runtime.errors import BusinessException

MASTER = [
    CustomerHit("C1001", "Pinecrest Grocers LLC", "Savannah GA 31401"),
    CustomerHit("C1002", "Magnolia Kitchenware LLC", "Jackson MS 39201"),
    CustomerHit("C1040", "Summit Supply Inc.", "Denver CO 80202"),
    CustomerHit("C1041", "Summit Supply Ltd.", "Calgary AB T2P 1J9"),
    CustomerHit("C1050", "Van der Berg Groothandel B.V.", "3511 AB Utrecht"),
]


def search(term: str) -> list[CustomerHit]:
    """The customer search pop-up over MASTER: number, or a part of the name (as the ERP's LIKE)."""
    term = term.strip().lower()
    return [hit for hit in MASTER if hit.customer_id.lower() == term or term in hit.name.lower()]


@pytest.mark.parametrize("name, email, expected", [
    ("Pinecrest Grocers", "ahmed@pinecrest-corp.com", "C1001"),
    ("PINECREST GROCERS, L.L.C.", None, "C1001"),
    ("Magnolia Kitchenware LLC", None, "C1002"),
    ("Van der Berg Groothandel", None, "C1050"),
    ("Magnolia Kitchenwares", None, "C1002"),  # a typo: one sure candidate, far ahead
    ("Summit Supply", "buyer@summitsupply.ca", None),  # two companies of that name, the domain names neither
])
def test_the_customer_is_resolved_only_when_sure(name, email, expected):
    if expected:
        assert resolve_customer({"name": name, "email": email}, search) == expected
    else:
        with pytest.raises(BusinessException) as raised:
            resolve_customer({"name": name, "email": email}, search)
        assert raised.value.code == "unknown_customer"
        assert {c["customer_id"] for c in raised.value.evidence["candidates"]} == {"C1040", "C1041"}


def test_an_unknown_customer_names_what_was_looked_for():
    with pytest.raises(BusinessException, match="no customer in the ERP matches 'Quillfeather Ventures'") as raised:
        resolve_customer({"name": "Quillfeather Ventures"}, search)
    assert raised.value.evidence["candidates"] == []
    with pytest.raises(BusinessException, match="names no customer"):
        resolve_customer({}, search)


def test_a_customer_number_on_the_order_is_checked_against_the_erp():
    assert resolve_customer({"customer_id": "c1002"}, search) == "C1002"
    with pytest.raises(BusinessException, match="C9999"):
        resolve_customer({"customer_id": "C9999", "name": "Pinecrest Grocers"}, search)


def test_names_are_compared_without_legal_forms():
    assert normalize_name("Pinecrest Grocers, LLC") == normalize_name("pinecrest grocers") == "pinecrest grocers"
    assert search_terms("Van der Berg Groothandel B.V.") == ["van der berg groothandel", "groothandel", "berg"]


def _settings(**options) -> OrderEntrySettings:
    return OrderEntrySettings(**{"url": "http://erp.test", "user": "bot", "password": "x",
                                 "evidence_dir": Path("/tmp"), **options})


def test_price_tolerance_as_an_amount_or_a_percentage():
    assert _settings().accepts(Decimal("18.75"), Decimal("18.76"))
    assert not _settings().accepts(Decimal("18.75"), Decimal("18.77"))
    assert _settings(price_tolerance="2%").accepts(Decimal("98.00"), Decimal("100.00"))
    assert not _settings(price_tolerance="2%").accepts(Decimal("97.99"), Decimal("100.00"))


@pytest.mark.parametrize("options, message", [
    ({"price_tolerance": "a bit"}, "price_tolerance must be an amount"),
    ({"price_tolerance": "-1"}, "price_tolerance must be an amount"),
    ({"price_policy": "ignore"}, "price_policy must be one of flag, customer, erp"),
    ({"busy_attempts": 0}, "busy_attempts must be 1 or more"),
    ({"url": "erp.local"}, "set erp.url"),
])
def test_bad_settings_fail_on_load_naming_the_setting(options, message):
    with pytest.raises(ValueError, match=message):
        _settings(**options)


def test_unknown_settings_are_refused():
    from bots.runtime.config import Settings
    from bots.erp.order_entry import load_order_entry_settings

    settings = Settings(erp_url="http://erp.test", erp_user="bot", bots={"erp-order-entry": {"price_tolerence": 1}})
    with pytest.raises(ValueError, match="unknown setting.*price_tolerence"):
        load_order_entry_settings(settings, need_password=False)


def test_the_order_is_found_in_the_payload_and_numbers_are_typed_plainly():
    assert order_of({"channel": "email", "order": {"po_number": "1"}}) == {"po_number": "1"}
    assert order_of({"po_number": "2"}) == {"po_number": "2"}
    assert [_plain(Decimal(v)) for v in ("24", "2.50", "18.75", "1E+1")] == ["24", "2.5", "18.75", "10"]


def test_a_portal_po_without_customer_is_the_portal_owners():
    from bots.erp.order_entry import OrderEntry

    entry = OrderEntry(None, _settings(portal_customers={"portal": "C1001", "other": "Magnolia Kitchenware"}))
    assert entry._portal_customer({"portal": "portal"}) == {"customer_id": "C1001"}
    assert entry._portal_customer({"portal": "other"}) == {"name": "Magnolia Kitchenware"}
    assert entry._portal_customer({"channel": "email"}) == {}
    with pytest.raises(ValueError, match="portal_customers maps"):
        _settings(portal_customers=["C1001"])
