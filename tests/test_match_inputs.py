"""Reading cash application's inputs: the open-items CSV, the payments JSON, and the lookup
tables built from the invoice numbers."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from bots.cash.candidates import ItemIndex, _tables, find_candidates
from bots.cash.open_items import load_open_items
from bots.cash.payments import load_payments, payments_from_json
from bots.cash.references import keys_of
from bots.runtime.errors import InputError

HEADER = "customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount"


def test_open_items_as_erp_exports_write_them(tmp_path):
    path = tmp_path / "ar.csv"
    path.write_text("\ufeff" + HEADER.replace(",", ";").upper() + "\n"
                    "C1 ;Pinecrest Grocers LLC;INV-1;2026-10-01;2026-10-31;usd;1.234,50;1.000,00\n"
                    "C1;Pinecrest Grocers LLC ;INV-2 ;2026-10-02;2026-11-01;USD ;99.9;-5\n", encoding="utf-8")
    items = load_open_items(path)
    assert items["customer_id"].astype(str).tolist() == ["C1", "C1"]
    assert items["customer_name"].astype(str).tolist() == ["Pinecrest Grocers LLC"] * 2
    assert items["currency"].astype(str).tolist() == ["USD", "USD"]
    assert items["invoice"].tolist() == ["INV-1", "INV-2"]
    assert items["amount_cents"].tolist() == [123450, 9990]
    assert items["open_cents"].tolist() == [100000, -500]


@pytest.mark.parametrize("content, message", [
    ("customer_id,invoice\nC1,INV-1\n", "lacks column"),
    (HEADER + "\nC1,A,,2026-10-01,,USD,1.00,1.00\n", "no invoice number"),
    (HEADER + "\nC1,A,INV-1,2026-10-01,,USD,1.00,one\n", "not an amount"),
])
def test_open_items_problems_are_named(tmp_path, content, message):
    path = tmp_path / "ar.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_open_items(path)
    assert message in raised.value.message and raised.value.file == str(path)


def test_payments_json_accepts_what_payers_send():
    [payment] = payments_from_json('{"payments": [{"payment_reference": "P1", "amount": 1234.5, "currency": "usd",'
                                   ' "payment_date": "11/09/2026", "lines": [{"invoice": " INV-1 ", "gross": "(86.20)",'
                                   ' "invoice_date": "2026-10-01"}, {"invoice": "INV-2", "gross": "1,320.70",'
                                   ' "discount": "-26.41", "paid": "1294.29"}]}]}')
    assert (payment.total, payment.currency, payment.payment_date) == (Decimal("1234.50"), "USD", date(2026, 11, 9))
    credit, invoice = payment.lines
    assert (credit.invoice, credit.gross, credit.paid, credit.invoice_date) == (
        "INV-1", Decimal("-86.20"), Decimal("-86.20"), date(2026, 10, 1))
    assert (invoice.gross, invoice.discount, invoice.paid) == (Decimal("1320.70"), Decimal("26.41"), Decimal("1294.29"))


def test_payments_are_told_apart_by_content(tmp_path):
    path = tmp_path / "payments.xml"   # a JSON list, whatever the name says
    path.write_text('[{"payment_reference": "P1", "total": "5.00"}]', encoding="utf-8")
    assert [p.payment_reference for p in load_payments(path)] == ["P1"]


def test_lookup_tables_hold_the_same_keys_as_keys_of():
    invoices = pd.Series(["INV-10102", "inv 10102", "10102", "INV00010102", "INV-10102/1", "10102-A", "IN10102",
                          "INV-10102-02", "AB", "SI-2026-00123", "INV000012", "Rechnung 10102\u00fc", "INV-10102"])
    tables = _tables(invoices)
    expected = {"compact": {}, "digits": {}, "stem": {}}
    for row, invoice in enumerate(invoices):
        _, compact, digits, stem = keys_of(invoice)
        for name, key in (("compact", compact), ("digits", digits), ("stem", stem)):
            if key is not None:
                expected[name].setdefault(key, []).append(row)
    for name, table in expected.items():
        assert tables[name] == {key: rows[0] if len(rows) == 1 else tuple(rows) for key, rows in table.items()}


def test_vectorized_keys_of_generated_numbers_are_those_of_keys_of():
    """The column keys (a plain replace for hyphens, the regex for the rest) against keys_of, on
    numbers drawn from letters, digits, separators, spaces and characters outside ASCII."""
    import random

    rng = random.Random(11)
    alphabet = "ABXinv0123456789" + "-/._ #" + "\u00e9\u00df\u00a0\u00fc"
    invoices = pd.Series(["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(3000)]
                         + [f"INV-{rng.randint(1, 10**7)}" for _ in range(1000)])
    tables = _tables(invoices)
    for name, position in (("compact", 1), ("digits", 2), ("stem", 3)):
        expected: dict = {}
        for row, invoice in enumerate(invoices):
            if (key := keys_of(invoice)[position]) is not None:
                expected.setdefault(key, []).append(row)
        assert tables[name] == {key: rows[0] if len(rows) == 1 else tuple(rows) for key, rows in expected.items()}


def test_candidates_take_the_most_exact_level_that_finds_any():
    index = ItemIndex(pd.Series(["INV-10102", "INV-20304", "INV-20304", "INV-55555/1"]))
    found = find_candidates(["INV-10102", "10102", "INV-20304", "INV-10120", "55555", "nothing"], index)
    assert found[0] == ("exact", (0,))
    assert found[1] == ("normalized", (0,))
    assert found[2] == ("exact", (1, 2))
    assert found[3] == ("transposed", (0,))
    assert found[4] == ("suffix", (3,))
    assert 5 not in found
