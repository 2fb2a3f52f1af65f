"""Each stage of the remittance parser on small hand-made inputs (no PDF needed)."""

from decimal import Decimal

import pytest

from inbox_parsers.remittance import ParseSettings, parse_pages
from inbox_parsers.remittance.cells import kind_of, read_money
from inbox_parsers.remittance.header_fields import currency_in, method_in
from inbox_parsers.remittance.header_rows import find_header
from inbox_parsers.remittance.lines import words_to_lines
from inbox_parsers.remittance.pdf_words import PageWords, Word
from inbox_parsers.remittance.rows import assign_cells, row_kind
from inbox_parsers.remittance.validation import check


def page_of(rows, number=1, size=9.0):
    """A page from [(top, [(x0, text), ...])], each character 0.5 x size wide."""
    words = []
    for top, items in rows:
        for x0, text in items:
            for token in text.split(" "):  # words of a phrase are one space apart
                words.append(Word(token, x0, x0 + 0.5 * size * len(token), top, top + size, number))
                x0 += 0.5 * size * (len(token) + 1)
    return PageWords(number, 612, 792, words, [])


def test_words_group_into_lines_and_phrases():
    page = page_of([(100, [(40, "Invoice"), (77, "Number"), (200, "Amount"), (231, "Paid")]),
                    (100.8, [(400, "x")]), (120, [(40, "INV-1")])])
    lines = words_to_lines(page)
    assert [l.text for l in lines] == ["Invoice Number Amount Paid x", "INV-1"]
    assert [p.text for p in lines[0].phrases] == ["Invoice Number", "Amount Paid", "x"]


def test_header_recognised_from_synonyms_in_any_order():
    page = page_of([(100, [(40, "Doc."), (62, "No."), (150, "Amount"), (260, "Your"), (282, "Document")])])
    lines = words_to_lines(page)
    header = find_header(lines, 0)
    assert header is not None
    assert [c.role for c in header.columns] == ["invoice", "paid", "other"]


def test_stacked_header_labels_are_joined():
    page = page_of([(100, [(40, "Invoice"), (150, "Gross"), (260, "Net")]),
                    (110, [(40, "Number"), (150, "Amount"), (260, "Paid")])])
    header = find_header(words_to_lines(page), 0)
    assert [c.role for c in header.columns] == ["invoice", "gross", "paid"]
    assert len(header.lines) == 2


def test_key_value_labels_are_not_a_header():
    page = page_of([(100, [(40, "Payment"), (76, "Reference"), (200, "Value"), (225, "Date")])])
    assert find_header(words_to_lines(page), 0) is None


def test_right_aligned_amount_goes_to_the_column_it_is_under():
    # "Discount" spans 200-236; "Paid" 300-318; a wide amount ends under Paid.
    page = page_of([(100, [(40, "Invoice"), (200, "Discount"), (300, "Paid")]),
                    (115, [(40, "INV-7"), (215, "5.00"), (264, "1,234,567.89")])])
    lines = words_to_lines(page)
    header = find_header(lines, 0)
    cells = assign_cells(lines[1], header, False)
    assert cells == {"invoice": ["INV-7"], "discount": ["5.00"], "paid": ["1,234,567.89"]}
    assert row_kind(lines[1], cells, False) == "item"


@pytest.mark.parametrize("label, kind", [("Carried forward", "forward"), ("Brought forward", "forward"),
                                         ("Page total", "subtotal"), ("Total", "total"),
                                         ("Grand Total", "total")])
def test_summary_rows_are_not_lines(label, kind):
    page = page_of([(100, [(40, "Invoice"), (300, "Paid")]), (115, [(40, label), (300, "100.00")])])
    lines = words_to_lines(page)
    header = find_header(lines, 0)
    assert row_kind(lines[1], assign_cells(lines[1], header, False), False) == kind


@pytest.mark.parametrize("text, comma, value", [
    ("1,234.56", False, "1234.56"), ("1.234,56", True, "1234.56"), ("(1.00)", False, "-1.00"),
    ("1.00-", False, "-1.00"), ("-1,00", True, "-1.00"), ("$***1,234.56", False, "1234.56"),
    ("USD 12.50", False, "12.50"), ("12", False, None), ("INV-12.50x", False, None)])
def test_money_cells(text, comma, value):
    got = read_money(text, comma)
    assert (str(got) if got is not None else None) == value


def test_cell_kinds():
    assert kind_of("09-Nov-2026", False) == "date"
    assert kind_of("November 9, 2026", False) == "date"
    assert kind_of("1.234,56", True) == "money"
    assert kind_of("-", False) == "blank"
    assert kind_of("INV-1001", False) == "text"


@pytest.mark.parametrize("text, method", [
    ("Payment by ACH CCD+", "ACH"), ("EFT Number 1234", "ACH"), ("SEPA Credit Transfer", "SEPA"),
    ("via SWIFT", "WIRE"), ("Fedwire reference", "WIRE"), ("CHECK NO. 000123", "CHECK"),
    ("Cheque 123", "CHECK"), ("Credit card payment", "CARD"), ("Cardinal Health remittance", None),
    ("Please check the invoices below", None)])
def test_payment_method_from_words(text, method):
    assert method_in(text) == method


def test_payment_method_label_value_names_it_in_one_word():
    assert method_in("Check", first_mentioned=True) == "CHECK"
    assert method_in("Card Payment, reference EFT-1", first_mentioned=True) == "CARD"


def test_currency_by_code_symbol_or_number_format():
    assert currency_in(["Total", "CAD", "1,234.56"], False) == "CAD"
    assert currency_in(["€1.234,56"], True) == "EUR"
    assert currency_in(["£12.00"], False) == "GBP"
    assert currency_in(["1.234,56"], True) == "EUR"
    assert currency_in(["1,234.56"], False) == "USD"


def test_whole_chain_on_a_sentence_advice():
    page = page_of([
        (40, [(40, "Lakeshore Foods GmbH")]),
        (70, [(40, "Payment of EUR 1.150,00 was sent on 09.11.2026 by SEPA, reference 8812004.")]),
        (100, [(40, "Rechnung"), (160, "Datum"), (260, "Betrag"), (340, "Skonto"), (420, "Zahlbetrag")]),
        (115, [(40, "R-1001"), (160, "01.10.2026"), (240, "1.000,00"), (340, "20,00"), (410, "980,00")]),
        (130, [(40, "R-1002"), (160, "13.10.2026"), (250, "170,00"), (340, "0,00"), (410, "170,00")]),
        (150, [(40, "Summe"), (410, "1.150,00")]),
    ])
    result = parse_pages([page]).remittance
    assert result["payment_reference"] == "8812004"
    assert result["payment_date"] == "2026-11-09"
    assert result["payment_method"] == "SEPA"
    assert result["currency"] == "EUR"
    assert result["total"] == Decimal("1150.00")
    assert result["payer"] == "Lakeshore Foods GmbH"
    assert [l["invoice"] for l in result["lines"]] == ["R-1001", "R-1002"]
    assert result["lines"][0]["discount"] == Decimal("20.00")
    assert result["lines"][0]["invoice_date"] == "2026-10-01"
    assert result["warnings"] == []


def test_no_table_is_an_empty_list_with_a_warning():
    page = page_of([(40, [(40, "Payment reference: 77120")]), (60, [(40, "Amount paid: 100.00")])])
    result = parse_pages([page]).remittance
    assert result["lines"] == [] and result["total"] == Decimal("100.00")
    assert any("no table" in w for w in result["warnings"])


def test_validation_warns_and_keeps_numbers():
    d = Decimal
    remittance = {"total": d("100.00"), "lines": [
        {"invoice": "A1", "gross": d("60.00"), "discount": d("0.00"), "deduction": d("5.00"), "paid": d("60.00")},
        {"invoice": "A2", "gross": d("30.00"), "discount": d("0.00"), "deduction": d("0.00"), "paid": d("30.00")}]}
    warnings = check(remittance)
    assert any("A1" in w for w in warnings)
    assert any("add up to 90.00" in w and "100.00" in w for w in warnings)
    assert remittance["lines"][0]["paid"] == d("60.00")


def test_settings_name_the_bad_setting():
    with pytest.raises(ValueError, match="phrase_gap"):
        ParseSettings.resolve({"phrase_gap": -1.0})
    with pytest.raises(ValueError, match="unknown"):
        ParseSettings.resolve({"phrase_gapp": 1.0})
    assert ParseSettings.resolve({"phrase_gap": 1.2}).phrase_gap == 1.2
    with pytest.raises(ValueError, match="column_labels"):
        ParseSettings(column_labels={"Amt": "money"})


def test_payer_template_overrides_settings(tmp_path, monkeypatch):
    import inbox_parsers.resources
    from inbox_parsers.remittance import templates

    folder = tmp_path / "config" / "remittance_templates"
    folder.mkdir(parents=True)
    (folder / "odd.yaml").write_text(
        "payer: Odd Layout Trading Co\nmatch: ['Odd Layout Trading']\n"
        "settings:\n  phrase_gap: 1.4\n  column_labels: {'Amt Remitted': paid}\n", encoding="utf-8")
    monkeypatch.setattr(inbox_parsers.resources, "data_dir", lambda name: tmp_path / name)
    templates.load_templates.cache_clear()
    try:
        page = page_of([(40, [(40, "Odd Layout Trading Co")])])
        settings = templates.settings_for([page])
        assert settings.phrase_gap == 1.4 and settings.column_labels == {"amtremitted": "paid"}
        assert templates.settings_for([page_of([(40, [(40, "Someone Else Inc.")])])]) is None
        (folder / "bad.yaml").write_text("match: ['x']\nsettings: {phrase_gapp: 2}\n", encoding="utf-8")
        templates.load_templates.cache_clear()
        with pytest.raises(ValueError, match="bad.yaml"):
            templates.load_templates()
    finally:
        templates.load_templates.cache_clear()


def test_template_column_label_makes_an_odd_header_readable():
    page = page_of([(100, [(40, "Voucher"), (200, "Amt Remitted")]), (115, [(40, "V-100"), (205, "12.00")])])
    assert parse_pages([page]).tables.headers == []
    settings = ParseSettings(column_labels={"Voucher": "invoice", "Amt. Remitted": "paid"})
    parsed = parse_pages([page], settings)
    assert [line["invoice"] for line in parsed.remittance["lines"]] == ["V-100"]
