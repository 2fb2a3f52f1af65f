"""The statement of account in the customer's language: every language collections writes, read
back from the PDF with pdfplumber: its own labels, no English label left, dates and amounts
written as that language writes them; and the customer's language is the one its dunning uses."""

import io
import re
from datetime import date
from decimal import Decimal

import pdfplumber
import pytest

from bots.collections.language import customer_language
from bots.collections.statement import Seller, letter_pdf, statement_pdf
from bots.receivables.ledger import Invoice, Ledger, Receipt

ON = date(2026, 12, 3)
SELLER = Seller("Northwind Supply Co.", ["1 Harbor Way"], "ar@northwind.example")
NAME = "Van der Berg Groothandel B.V."
LEDGER = Ledger(
    [Invoice("C1042", NAME, "INV-10041", date(2026, 9, 1), date(2026, 10, 1), "EUR", Decimal("12345.50")),
     Invoice("C1042", NAME, "INV-10077", date(2026, 10, 20), date(2026, 11, 19), "EUR", Decimal("1080.25")),
     Invoice("C1042", NAME, "CM-2001", date(2026, 11, 2), date(2026, 11, 2), "EUR", Decimal("-150.00"))],
    [Receipt("C1042", "INV-10077", date(2026, 11, 20), Decimal("80.25"))])
# The oracle, written by hand: each language's title, a heading, the due date of INV-10041,
# its amount and the total open (12,345.50 + 1,000.00 - 150.00).
EXPECTED = {
    "en": ("Statement of account", "Invoice date", "2026-10-01", "12345.50", "13195.50"),
    "de": ("Kontoauszug", "Rechnungsdatum", "01.10.2026", "12.345,50", "13.195,50"),
    "fr": ("Relevé de compte", "Date de facture", "01/10/2026", "12 345,50", "13 195,50"),
    "es": ("Estado de cuenta", "Fecha de factura", "01/10/2026", "12.345,50", "13.195,50"),
    "nl": ("Rekeningoverzicht", "Factuurdatum", "01-10-2026", "12.345,50", "13.195,50"),
    "it": ("Estratto conto", "Data fattura", "01/10/2026", "12.345,50", "13.195,50"),
    "pt": ("Extrato de conta", "Data da fatura", "01/10/2026", "12.345,50", "13.195,50"),
}
# The English statement's labels ("Date" and "Total" are French too, so they are not among them alone).
ENGLISH = re.compile(r"\b(statement|account|customer|currency|invoice|due date|days past due|amount|open|"
                     r"total open|aging|current)\b", re.I)
POINT_AMOUNT = re.compile(r"(?<![\d.,])-?\d+\.\d{2}(?![\d.,])")   # 1234.50, not 1.234,50 nor 03.12.2026


def text_of(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages).replace("\xa0", " ")


@pytest.mark.parametrize("language", EXPECTED)
def test_the_statement_is_written_in_the_customers_language(language):
    text = text_of(statement_pdf(LEDGER, ON, SELLER, language=language))
    title, heading, due, amount, total = EXPECTED[language]
    assert title in text and heading in text and due in text and f"{amount} {amount}" in text
    assert total in text and "-150" in text and "INV-10041" in text and NAME in text
    if language == "en":
        assert "2026-12-03" in text and "1000.00" in text
        return
    left = ENGLISH.findall(text.replace(NAME, "").replace(SELLER.name, ""))
    assert left == [], f"English labels in the {language} statement: {left}"
    assert POINT_AMOUNT.findall(text) == [], "an amount with a decimal point"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), "an ISO date in a statement that is not English"
    assert "1\u202f000" not in text and "\u25a0" not in text  # no glyph Helvetica lacks


def test_the_printed_letter_has_the_same_language_below_its_text():
    text = text_of(letter_pdf(LEDGER, ON, SELLER, subject="Zweite Mahnung", text="Sehr geehrte Damen und Herren,",
                              language="de"))
    assert "Zweite Mahnung" in text and "Rechnungsdatum" in text and "Summe offen 13.195,50" in text
    assert ENGLISH.findall(text.replace(NAME, "").replace(SELLER.name, "")) == []


@pytest.mark.parametrize("language, title", [("de-CH", "Kontoauszug"), ("PT_br", "Extrato de conta"),
                                             ("fi", "Statement of account"), (None, "Statement of account")])
def test_a_regional_or_unknown_language_falls_back_sensibly(language, title):
    assert title in text_of(statement_pdf(LEDGER, ON, SELLER, language=language))


def test_the_check_for_english_labels_can_fail():
    assert ENGLISH.findall("Total open 13.195,50 Invoice") == ["Total open", "Invoice"]
    assert POINT_AMOUNT.findall("12.345,50 03.12.2026 1234.50") == ["1234.50"]


def test_the_customers_language_is_its_first_dunning_contacts_then_the_settings_then_english(tmp_path):
    from bots.runtime.store.models import CustomerContact
    from bots.runtime.workqueue import WorkQueue

    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'store.db'}")
    with queue.session() as session, session.begin():
        session.add_all([CustomerContact(customer_id="C1", name="Kim", language="fr", receives_dunning=False),
                         CustomerContact(customer_id="C1", name="Jo", language="de", receives_dunning=True),
                         CustomerContact(customer_id="C1", name="Al", language="nl", receives_dunning=True)])
    with queue.session() as session:
        assert customer_language(session, "C1", {"C1": "es"}) == "de"    # the dunning letter's language
        assert customer_language(session, "C2", {"c2": "it"}) == "it"    # no contact: the settings
        assert customer_language(session, "C3") == "en"
    queue.close()
