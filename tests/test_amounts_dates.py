"""Printed money and dates, read the way payers and buyers print them."""

from datetime import date
from decimal import Decimal

import pytest

from inbox_parsers.amounts import decimal_comma_in, money, parse_amount
from inbox_parsers.dates import day_first_in, find_dates, iso, parse_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1'234.56", "1234.56"),
        ("$1,234.56", "1234.56"),
        ("USD 1,234.56", "1234.56"),
        ("€ 9,99", "9.99"),
        ("-1.00", "-1.00"),
        ("(1.00)", "-1.00"),
        ("1.00-", "-1.00"),
        ("1.00 CR", "-1.00"),
        ("-$5.00", "-5.00"),
        ("($1,000.00)", "-1000.00"),
        ("12,50", "12.50"),
        ("1,250", "1250"),
        ("0.00", "0.00"),
    ],
)
def test_amounts_in_every_print_style(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "12.34.56", "INV-1001", "2026-11-09"])
def test_things_that_are_not_amounts(text):
    assert parse_amount(text) is None


def test_the_document_decides_an_ambiguous_separator():
    assert parse_amount("1,250", decimal_comma=True) == Decimal("1.250")
    assert parse_amount("1.250", decimal_comma=True) == Decimal("1250")
    assert decimal_comma_in(["1.234,56", "12,00", "7"]) is True
    assert decimal_comma_in(["1,234.56", "3.10"]) is False
    assert decimal_comma_in(["12", "INV-7"]) is None


def test_require_cents_keeps_quantities_out_of_money_columns():
    assert parse_amount("24", require_cents=True) is None
    assert parse_amount("24.00", require_cents=True) == Decimal("24.00")


def test_money_prints_two_places_without_separators():
    assert money(Decimal("1234.5")) == "1234.50"
    assert money("-86.2") == "-86.20"
    assert money(Decimal("0.005")) == "0.01"


@pytest.mark.parametrize(
    "text, day_first, expected",
    [
        ("2026-11-09", None, date(2026, 11, 9)),
        ("11/09/2026", None, date(2026, 11, 9)),
        ("11/09/2026", True, date(2026, 9, 11)),
        ("11/09/26", False, date(2026, 11, 9)),
        ("09.11.2026", None, date(2026, 11, 9)),
        ("09-Nov-2026", None, date(2026, 11, 9)),
        ("November 9, 2026", None, date(2026, 11, 9)),
        ("Nov. 9, 2026", None, date(2026, 11, 9)),
        ("9 November 2026", None, date(2026, 11, 9)),
        ("9th Nov 2026", None, date(2026, 11, 9)),
        ("25/12/2026", False, date(2026, 12, 25)),  # a part over 12 overrides the document's rule
        ("12/25/2026", True, date(2026, 12, 25)),
        ("20261109", None, date(2026, 11, 9)),
    ],
)
def test_dates_in_every_print_style(text, day_first, expected):
    assert parse_date(text, day_first) == expected


@pytest.mark.parametrize("text", ["", "13/13/2026", "31.02.2026", "Novembre", "INV-2026-11"])
def test_things_that_are_not_dates(text):
    assert parse_date(text) is None


def test_the_document_decides_day_and_month_order():
    assert day_first_in(["01/02/2026", "25/01/2026"]) is True
    assert day_first_in(["01/02/2026", "01/25/2026"]) is False
    assert day_first_in(["01/02/2026"], currency="EUR") is True
    assert day_first_in(["01/02/2026"], currency="USD") is False
    assert day_first_in(["01/02/2026"]) is None
    assert day_first_in(["01.02.2026"]) is True


def test_dates_found_in_free_text():
    text = "Paid on 09-Nov-2026 and November 9, 2026, due 11/30/26; ref 2026-11-09."
    assert find_dates(text) == ["09-Nov-2026", "November 9, 2026", "11/30/26", "2026-11-09"]
    assert [iso(found) for found in find_dates(text)] == ["2026-11-09", "2026-11-09", "2026-11-30", "2026-11-09"]


@pytest.mark.parametrize("text, expected", [
    ("Thursday, November 12, 2026", "2026-11-12"), ("Fri 04.12.2026", "2026-12-04"),
    ("Donnerstag, 12.11.2026", "2026-11-12"), ("Wednesday, November 11, 2026", "2026-11-11"),
    ("Saturday 5 December 2026", "2026-12-05"), ("Mar 5, 2026", "2026-03-05"), ("20261224", "2026-12-24"),
])
def test_dates_with_a_weekday_before_them_or_in_edi_form(text, expected):
    assert iso(text) == expected


def test_found_dates_include_german_day_dots_and_edi_dates():
    assert find_dates("Lieferdatum: 25. November 2026, DTM 20261224") == ["25. November 2026", "20261224"]
    assert iso("25. November 2026") == "2026-11-25"
