"""Contract 1 on remittance layouts the parser was not written against (tests/generators/wild_remittances.py:
SAP, Oracle, QuickBooks, bank ACH CTX printouts, SEPA and BACS advices, supplier-network notices, cheques,
two printed by Chromium) and on the sandbox's own remittance PDFs against the world's payments."""

from collections import Counter

import pytest

from inbox_parsers.remittance import parse_remittance, to_contract
from tests.generators.wild_remittances import WILD_LAYOUTS, write_wild, write_wild_corpus

FIELDS = ["payer", "payment_reference", "payment_date", "payment_method", "currency", "total", "lines"]


def _parsed(path) -> dict:
    got = to_contract(parse_remittance(path))
    got["lines"] = [{k: v for k, v in line.items() if k != "reason"} for line in got["lines"]]
    return got


def test_wild_corpus_parses_exactly(wild_remittance_corpus):
    """At least 99% of the documents parse exactly, every header field and every line."""
    exact, per_layout, wrong_fields, failures = Counter(), Counter(), Counter(), []
    for path, truth, layout in wild_remittance_corpus:
        per_layout[layout] += 1
        got = _parsed(path)
        wrong = [name for name in FIELDS if got[name] != truth[name]]
        wrong_fields.update(wrong)
        if wrong:
            failures.append(f"{path.name}: {wrong}")
        else:
            exact[layout] += 1
    print("\nwild remittance accuracy per layout: "
          + ", ".join(f"{layout} {exact[layout]}/{per_layout[layout]}" for layout in WILD_LAYOUTS))
    print(f"wrong fields: {dict(wrong_fields)}")
    assert set(per_layout) == set(WILD_LAYOUTS) and len(wild_remittance_corpus) >= 250
    share = sum(exact.values()) / len(wild_remittance_corpus)
    assert share >= 0.99, f"{share:.1%} exact; failures: {failures}"


@pytest.mark.parametrize("layout", WILD_LAYOUTS)
def test_each_wild_layout_exact(layout, tmp_path, browser):
    """Three documents of every layout, field by field, and no warnings (their lines add up)."""
    corpus = write_wild_corpus(tmp_path, 3, seed=9100, layouts=[layout], browser=browser)
    for path, truth, _ in corpus:
        got = _parsed(path)
        for name in FIELDS:
            assert got[name] == truth[name], f"{path.name} {name}"
        assert got["warnings"] == [], path.name


def test_sandbox_remittances_match_world_truth(sandbox_remittances):
    """Every remittance PDF the sandbox writes parses to its payment in payments.json."""
    layouts = Counter(layout for _, _, layout in sandbox_remittances)
    assert set(layouts) == {"ruled", "aligned", "stub"}, layouts
    for path, payment, layout in sandbox_remittances:
        got = _parsed(path)
        expected = {**payment, "payment_method": payment["method"]}
        for name in FIELDS:
            assert got[name] == expected[name], f"{layout} {path.name} {name}"
        assert got["warnings"] == [], path.name


def test_wild_document_with_a_short_total_is_warned(tmp_path):
    """A payment total that the lines do not add up to is kept as printed and warned about."""
    import tests.generators.wild_remittances as generator

    original = generator.make_payment

    def short(rng, layout):
        payment = original(rng, layout)
        payment["total"] -= 10
        return payment

    generator.make_payment = short
    try:
        truth = write_wild(tmp_path / "short.pdf", 3, "oracle_advice")
    finally:
        generator.make_payment = original
    got = _parsed(tmp_path / "short.pdf")
    assert got["total"] == truth["total"]
    assert got["lines"] == truth["lines"]
    assert any("add up" in warning for warning in got["warnings"]), got["warnings"]


def _advice(path, header_lines, currency="USD", cheque=None):
    """A small advice: ``header_lines`` at the top, two invoice lines, a total, optionally a cheque below."""
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path))
    y = 790
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(40, y, "Great Lakes Paper Company")
    canvas.setFont("Helvetica", 9)
    for text in header_lines:
        y -= 14
        canvas.drawString(40, y, text)
    comma = currency == "EUR"
    rows = [("INV-10441", "10/02/2026" if not comma else "02.10.2026", "1,200.00" if not comma else "1.200,00"),
            ("INV-10502", "10/09/2026" if not comma else "09.10.2026", "300.50" if not comma else "300,50")]
    y -= 30
    for title, x in (("Invoice", 40), ("Date", 160), ("Amount Paid", 400)):
        canvas.drawString(x, y, title)
    for invoice, day, amount in rows:
        y -= 13
        canvas.drawString(40, y, invoice)
        canvas.drawString(160, y, day)
        canvas.drawRightString(455, y, amount)
    y -= 18
    canvas.drawString(300, y, "Total")
    canvas.drawRightString(455, y, "1,500.50" if not comma else "1.500,50")
    if cheque:
        canvas.drawRightString(550, 250, cheque)
        canvas.drawString(40, 220, "PAY TO THE ORDER OF Northwind Supply Co.   ***1,500.50")
    canvas.save()
    return to_contract(parse_remittance(path))


@pytest.mark.parametrize("header, field, expected", [
    (["CHECK #012345", "Date: 11/09/2026"], "payment_reference", "012345"),
    (["Check #88123   Date: 11/09/2026"], "payment_method", "CHECK"),
    (["Payment Number: PMT 2026 0045", "Payment date: 11/09/2026"], "payment_reference", "PMT 2026 0045"),
    (["Trace Number: 0910 0001 9876", "Payment date: 11/09/2026"], "payment_reference", "0910 0001 9876"),
    (["Payment ref. / Zahlungsreferenz: E2E880722005"], "payment_reference", "E2E880722005"),
    (["Payment No: 48812 Date: 11/09/2026"], "payment_reference", "48812"),
    (["Payment No. 88123   Date 11/09/2026"], "payment_date", "2026-11-09"),
    (["Our payment of 1,500.50 was sent on 11/09/2026 by ACH, trace 091000012345678."], "payment_reference",
     "091000012345678"),
    (["Payment method: Bank transfer", "Currency: USD"], "payment_method", "WIRE"),
    (["Payment method: BACS", "Currency: GBP"], "payment_method", "ACH"),
    (["Payment method: Transfer (SEPA)", "Currency: USD"], "payment_method", "SEPA"),
    (["You have received a payment from Kessler Maschinenbau GmbH."], "payer", "Kessler Maschinenbau GmbH"),
    (["You have received a payment from Pinecrest Hardware Co.."], "payer", "Pinecrest Hardware Co."),
])
def test_header_wordings(tmp_path, header, field, expected):
    """Header wordings real advices use, each read to the contract's value."""
    assert _advice(tmp_path / "a.pdf", header)[field] == expected


def test_euro_bank_transfer_is_sepa(tmp_path):
    """Within the euro area a plain "Bank transfer" in euros is a SEPA credit transfer."""
    got = _advice(tmp_path / "a.pdf", ["Payment method: Bank transfer", "Value date: 09.11.2026"], currency="EUR")
    assert (got["payment_method"], got["currency"], got["payment_date"]) == ("SEPA", "EUR", "2026-11-09")


def test_cheque_number_printed_alone_on_the_cheque(tmp_path):
    """A cheque's number printed without a label in its top right corner is the payment reference."""
    got = _advice(tmp_path / "a.pdf", ["Date: 11/09/2026"], cheque="004512")
    assert got["payment_reference"] == "004512"
    assert got["payment_method"] == "CHECK"
