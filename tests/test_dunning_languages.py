"""Dunning letters in the customer's language: every stage in English, German, French, Spanish,
Dutch, Italian and Portuguese, with the due items listed and the amounts written the way that
language writes them, and no English left in a letter that is not English."""

import re
from datetime import date
from decimal import Decimal

import pytest

from bots.collections.dunning import DEFAULT_STAGES, DueItem, Letter, amount_in, render_letter
from bots.collections.statement import Seller

TODAY = date(2026, 12, 3)
LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt")
# Words of the English letters that no other language's letter uses (names and numbers aside).
ENGLISH = re.compile(r"\b(dear|invoices?|overdue|past due|attached|statement|regards|days|accounts receivable|"
                     r"please|reminder|notice|on hold|payment)\b", re.I)
SELLER = Seller("Northwind Supply Co.", ["1 Harbor Way"], "ar@northwind.example")
# The oracle, by hand: INV-10041's due date and TODAY as each language writes a date (English: ISO).
DATES = {"en": ("2026-10-01", "2026-12-03"), "de": ("01.10.2026", "03.12.2026"), "fr": ("01/10/2026", "03/12/2026"),
         "es": ("01/10/2026", "03/12/2026"), "nl": ("01-10-2026", "03-12-2026"), "it": ("01/10/2026", "03/12/2026"),
         "pt": ("01/10/2026", "03/12/2026")}


def letter(stage) -> Letter:
    items = [DueItem("INV-10041", date(2026, 9, 1), date(2026, 10, 1), 63, Decimal("12345.5"), stage, True),
             DueItem("INV-10077", date(2026, 10, 20), date(2026, 11, 19), 14, Decimal("80.25"), stage, True)]
    return Letter("C1042", "Van der Berg Groothandel B.V.", "EUR", stage, items)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("stage", DEFAULT_STAGES, ids=lambda stage: stage.template)
def test_every_stage_is_written_in_the_customers_language(stage, language):
    subject, text, _ = render_letter(letter(stage), language, TODAY, SELLER)
    total, first = amount_in(Decimal("12425.75"), language), amount_in(Decimal("12345.50"), language)
    assert total in subject and "EUR" in subject and "Van der Berg Groothandel B.V." in subject
    assert "INV-10041" in text and "INV-10077" in text and f"{first} EUR" in text and f"{total} EUR" in text
    due, today = DATES[language]
    assert due in text and SELLER.contact in text
    if stage.stops_orders:
        assert today in text  # the day new orders stop
    if language == "en":
        assert total == "12425.75"  # the contract's form, as before
    else:
        assert total.endswith(",75") and total.replace("\u202f", ".") == "12.425,75"
        english = ENGLISH.findall(subject + "\n" + text)
        assert english == [], f"English words in the {language} {stage.template}: {english}"


def test_a_regional_or_unknown_language_falls_back_sensibly():
    stage = DEFAULT_STAGES[0]
    assert render_letter(letter(stage), "pt-BR", TODAY, SELLER)[0].startswith("Lembrete de pagamento")
    assert render_letter(letter(stage), "fi", TODAY, SELLER)[0].startswith("Friendly reminder")  # no Finnish: English
    assert amount_in(Decimal("-0.005"), "de") == "-0,01" and amount_in(Decimal("1000"), "fr") == "1\u202f000,00"


def test_the_check_for_english_words_can_fail():
    assert ENGLISH.findall("Total overdue: 12.425,75 EUR. The statement is attached.") == ["overdue", "statement",
                                                                                          "attached"]
