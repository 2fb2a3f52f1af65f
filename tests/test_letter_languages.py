"""The language collections writes to a customer in, and dates and amounts as that language writes
them: generated letters in every language checked against an oracle written here (not
``date_in``/``amount_in``); the customer's language by precedence (its first dunning contact's, then
``bots.invoice-delivery.languages`` in any case, then ``bots.dunning.language``, then English);
``o2c run dunning`` end to end through real SMTP and IMAP, where customers with no contact get
letters in the configured languages; the customer portal's statement in the configured default;
and a bad ``bots.dunning.language`` is one clear line and exit code 2."""

import random
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import yaml
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

import bots.cli.collections  # o2c run dunning
import bots.cli.portal  # noqa: F401  (o2c portal)
from bots.cli.main import app
from bots.collections.dunning import DEFAULT_STAGES, DueItem, Letter, render_letter
from bots.collections.language import LANGUAGES, ConfiguredLanguages, configured_languages, customer_language
from bots.collections.statement import Seller
from bots.receivables.store import sync_open_items
from bots.runtime.config import load_settings
from bots.runtime.store.engine import make_engine, upgrade
from bots.runtime.store.models import CustomerContact, OrderStop
from tests.test_dunning import BOOK, NOW, TODAY, book_rows, by_recipient, pdf_text, world  # noqa: F401  (fixture)

SELLER = Seller("Northwind Supply Co.", ["1 Harbor Way"], "ar@northwind.example")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")

# The oracle: how each language writes a date (day, month, year), and the thousands separator
# of the languages with a decimal comma (French: a narrow no-break space); English keeps ISO and "1234.50".
DATE_FORMS = {"en": "{y:04d}-{m:02d}-{d:02d}", "de": "{d:02d}.{m:02d}.{y:04d}", "fr": "{d:02d}/{m:02d}/{y:04d}",
              "es": "{d:02d}/{m:02d}/{y:04d}", "it": "{d:02d}/{m:02d}/{y:04d}", "pt": "{d:02d}/{m:02d}/{y:04d}",
              "nl": "{d:02d}-{m:02d}-{y:04d}"}
THOUSANDS = {"en": None, "de": ".", "es": ".", "it": ".", "nl": ".", "pt": ".", "fr": "\u202f"}


def written_date(day: date, language: str) -> str:
    return DATE_FORMS[language].format(d=day.day, m=day.month, y=day.year)


def written_amount(cents: int, language: str) -> str:
    """Whole cents as ``language`` writes them, grouping the digits by hand."""
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 100)
    separator = THOUSANDS[language]
    if separator is None:
        return f"{sign}{whole}.{fraction:02d}"
    digits = str(whole)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{separator.join(groups)},{fraction:02d}"


def test_the_oracle_writes_what_a_person_from_there_writes():
    assert set(LANGUAGES) == set(DATE_FORMS) == set(THOUSANDS)     # every language collections writes
    assert written_date(date(2026, 12, 3), "de") == "03.12.2026"
    assert written_date(date(2026, 1, 9), "en") == "2026-01-09"
    assert written_date(date(2026, 12, 3), "fr") == "03/12/2026"
    assert written_date(date(2026, 2, 1), "nl") == "01-02-2026"
    assert written_amount(123456789, "de") == "1.234.567,89" and written_amount(-5, "en") == "-0.05"
    assert written_amount(100000, "fr") == "1\u202f000,00" and written_amount(99999, "it") == "999,99"


def generated_letter(rng: random.Random, today: date) -> tuple[Letter, list[int]]:
    """A letter at a random stage with 1-6 due items of random dates and amounts; and their cents."""
    stage = rng.choice(DEFAULT_STAGES)
    items, cents = [], []
    for number in range(rng.randint(1, 6)):
        days_past_due = rng.randint(1, 400)
        due = today - timedelta(days=days_past_due)
        amount = rng.choice([rng.randint(1, 99), rng.randint(100, 99_999), rng.randint(100_000, 99_999_999),
                             rng.randint(100_000_000, 9_999_999_999)])
        cents.append(amount)
        invoiced = due - timedelta(days=rng.choice([0, 14, 30, 60]))
        items.append(DueItem(f"INV-{rng.randint(1, 99999):05d}-{number}", invoiced, due, days_past_due,
                             Decimal(amount) / 100, stage, True))
    name = rng.choice(["Van der Berg Groothandel B.V.", "Müller & Söhne GmbH", "Société Générale de Café",
                       "Alpha Foods"])
    return Letter(f"C{rng.randint(1000, 9999)}", name, rng.choice(["EUR", "USD", "CHF"]), stage, items), cents


@pytest.mark.parametrize("language", LANGUAGES)
def test_generated_letters_write_dates_and_amounts_as_their_language_does(language):
    rng = random.Random(f"letters-{language}")
    for _ in range(30):
        today = date(2024, 1, 1) + timedelta(days=rng.randint(0, 2000))
        letter, cents = generated_letter(rng, today)
        subject, text, _ = render_letter(letter, language, today, SELLER)
        total = written_amount(sum(cents), language)
        assert f"{total} {letter.currency}" in subject and f"{total} {letter.currency}" in text
        lines = text.splitlines()
        for item, amount in zip(letter.items, cents):
            [line] = [line for line in lines if item.invoice in line]
            invoiced, due = written_date(item.invoice_date, language), written_date(item.due_date, language)
            assert invoiced in line and due in line.split(invoiced, 1)[1], line       # invoice date, then due date
            assert line.rstrip().endswith(f"{written_amount(amount, language)} {letter.currency}"), line
        if letter.stage.stops_orders:
            assert written_date(today, language) in text      # the day new orders stop
        if language != "en":
            assert not ISO_DATE.search(subject + text), f"an ISO date in a {language} letter"
            assert not re.search(r"(?<![\d.,])\d+\.\d{2}(?![\d.,])", text.replace(SELLER.contact, "")), \
                f"an amount with a decimal point in a {language} letter"


def test_a_regional_spelling_writes_as_its_language_and_an_unknown_one_as_english():
    rng = random.Random("regional")
    letter, cents = generated_letter(rng, TODAY)
    for language, base in [("de-CH", "de"), ("PT_br", "pt"), ("FR", "fr"), ("fi", "en"), (None, "en")]:
        subject, text, _ = render_letter(letter, language, TODAY, SELLER)
        assert written_date(letter.items[0].due_date, base) in text
        assert written_amount(sum(cents), base) in subject


def test_the_customers_language_is_its_contacts_then_its_configured_then_the_default_then_english(tmp_path):
    """Generated customers with every combination of a dunning contact, a contact who gets no dunning,
    a per-customer language (keys in any case) and a default, against the precedence written out."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    sessions = sessionmaker(engine)
    rng = random.Random("precedence")
    customers, by_customer = {}, {}
    with sessions.begin() as session:
        for number in range(60):
            customer = f"C{number:03d}"
            contact, ignored, configured = (rng.choice((None, *LANGUAGES)) for _ in range(3))
            if ignored:     # not a dunning contact: its language does not count
                session.add(CustomerContact(customer_id=customer, name="Kim", language=ignored, receives_dunning=False))
            if contact:
                session.add(CustomerContact(customer_id=customer, name="Jo", language=contact, receives_dunning=True))
                session.add(CustomerContact(customer_id=customer, name="Al", language="nl", receives_dunning=True))
            if configured:
                by_customer[rng.choice([customer, customer.lower(), customer.capitalize()])] = configured
            customers[customer] = (contact, configured)
    with sessions() as session:
        for default in (None, *LANGUAGES):
            languages = ConfiguredLanguages(by_customer, default) if default else ConfiguredLanguages(by_customer)
            for customer, (contact, configured) in customers.items():
                expected = contact or configured or default or "en"
                assert customer_language(session, customer, languages) == expected, (customer, default)
        assert customer_language(session, "C999") == "en"                       # nothing known, no settings
        assert customer_language(session, "C999", {"c999": "it"}) == "it"       # a plain mapping still works
    engine.dispose()


def test_the_configured_languages_come_from_the_settings_and_a_bad_default_is_refused(tmp_path):
    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({"home": str(tmp_path), "bots": {
        "dunning": {"language": "de-CH"}, "invoice-delivery": {"languages": {"c7": "fr", "C8": None}}}}))
    languages = configured_languages(load_settings(config, env={}))
    assert (languages.of("C7"), languages.of("c7"), languages.of("C8"), languages.of("C9")) == ("fr", "fr", "de-CH",
                                                                                                 "de-CH")
    config.write_text(yaml.safe_dump({"home": str(tmp_path)}))
    assert configured_languages(load_settings(config, env={})).of("C9") == "en"
    assert configured_languages(None).of("C9") == "en"
    for bad in ("xx", "klingon", "english", " ", "-de"):
        with pytest.raises(ValueError, match="bots.dunning.language: .* is not a language collections writes"):
            ConfiguredLanguages(default=bad)


# Two customers dunning has no contact for: C6 takes the default (German), C7 the language
# invoice delivery has for it (French, its key in lower case).
NO_CONTACT = [("C6", "Zeta Handel AG", "Z1", date(2026, 11, 25), "1234.50"),   # 8 days past due
              ("C6", "Zeta Handel AG", "Z2", date(2026, 10, 15), "99.00"),     # 49 days: stop orders
              ("C7", "Eta Distribution SARL", "H1", date(2026, 11, 10), "2000.00")]  # 23 days: second notice


def test_a_dunning_run_writes_to_customers_without_contacts_in_the_configured_languages(world):  # noqa: F811
    config = world["config"]
    config["bots"]["dunning"]["language"] = "de"
    config["bots"]["invoice-delivery"] = {"languages": {"c7": "fr"}}
    (world["tmp"] / "o2c.yaml").write_text(yaml.safe_dump(config))
    with world["sessions"].begin() as session:
        sync_open_items(session, book_rows(BOOK + NO_CONTACT), TODAY, NOW, "test export")

    result = CliRunner().invoke(app, ["run", "dunning", "--date", TODAY.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    letters = world["tmp"] / "home" / "letters" / TODAY.isoformat()
    zeta = pdf_text((letters / "dunning_C6_4_2026-12-03_USD.pdf").read_bytes())
    assert "Auftragssperre: 1.333,50 USD überfällig (Zeta Handel AG)" in zeta
    for day in (date(2026, 10, 26), date(2026, 11, 25), date(2026, 9, 15), date(2026, 10, 15), TODAY):
        assert written_date(day, "de") in zeta, day           # invoice and due dates, the day orders stop
    assert "1.234,50" in zeta and "Kontoauszug" in zeta and not ISO_DATE.search(zeta)
    eta = pdf_text((letters / "dunning_C7_2_2026-12-03_USD.pdf").read_bytes())
    assert "Deuxième relance" in eta and "10/11/2026" in eta and "11/10/2026" in eta and not ISO_DATE.search(eta)
    # Customers with a contact keep its language: Alpha's English contact, Beta's German one.
    sent = by_recipient(world["smtp"])
    assert sent["ap@alpha.example"]["Subject"] == "Second notice: 300.00 USD overdue (Alpha Foods)"
    assert "due 2026-11-10" in sent["ap@alpha.example"].get_body(("plain",)).get_content()
    assert "fällig 15.10.2026" in sent["kreditoren@beta.example"].get_body(("plain",)).get_content()
    gamma = pdf_text((letters / "dunning_C3_1_2026-12-03_USD.pdf").read_bytes())
    assert "Friendly reminder: 80.00 USD past due (Gamma Retail)" in gamma
    with world["sessions"]() as session:
        assert session.get(OrderStop, "C6").lifted_at is None
    assert '"no_contact": 2' in result.output


@pytest.mark.browser
def test_the_portal_statement_of_a_customer_without_contact_is_in_the_configured_default(tmp_path, page, browser,
                                                                                      monkeypatch):
    from bots.customer_portal import add_contact, create_portal_app
    from bots.runtime.web import BackgroundServer
    from bots.runtime.workqueue import WorkQueue
    from tests.test_customer_portal import sign_in

    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({"home": str(tmp_path / "home"), "database_url": f"sqlite:///{tmp_path / 's.db'}",
                                      "bots": {"dunning": {"language": "de"}}}))
    monkeypatch.setenv("O2C_CONFIG", str(config))
    settings = load_settings()
    queue = WorkQueue.open(settings=settings)
    book = [("C1", "Zeta Handel AG", "Z1", date(2026, 10, 15), "12345.50"),
            ("C2", "Delta Stores", "D1", date(2026, 11, 20), "1000.00")]
    with queue.session() as session, session.begin():
        sync_open_items(session, book_rows(book), TODAY, NOW, "test export")
        session.add(CustomerContact(customer_id="C2", name="Dee", email="ap@delta.example", language="fr",
                                    receives_dunning=True))
    add_contact(queue, "ap@zeta.example", "zeta-portal-1", "C1")
    add_contact(queue, "ap@delta.example", "delta-portal-1", "C2")
    portal = create_portal_app(queue, secret_key=b"t" * 32, remittance_dir=tmp_path / "remittances",
                               languages=configured_languages(settings))

    def statement(page, name, password) -> str:
        sign_in(page, server.url, name, password)
        with page.expect_download() as got:
            page.get_by_role("link", name="Statement (PDF)").click()
        return pdf_text(open(got.value.path(), "rb").read())

    with BackgroundServer(portal) as server:
        zeta = statement(page, "ap@zeta.example", "zeta-portal-1")
        other = browser.new_context(accept_downloads=True)
        try:
            delta = statement(other.new_page(), "ap@delta.example", "delta-portal-1")
        finally:
            other.close()
    queue.close()
    assert "Kontoauszug" in zeta and "15.10.2026" in zeta and "12.345,50" in zeta and not ISO_DATE.search(zeta)
    assert "Relevé de compte" in delta and "20/11/2026" in delta      # its contact's language beats the default


@pytest.mark.parametrize("command", [["run", "dunning", "--date", "2026-12-03"], ["portal", "--port", "0"]],
                         ids=["run-dunning", "portal"])
def test_a_bad_default_language_is_one_clear_line_and_exit_code_2(tmp_path, monkeypatch, command):
    config = tmp_path / "o2c.yaml"
    config.write_text(yaml.safe_dump({"home": str(tmp_path / "home"), "database_url": f"sqlite:///{tmp_path / 's.db'}",
                                      "bots": {"dunning": {"language": "Deutsch"}}}))
    monkeypatch.setenv("O2C_CONFIG", str(config))
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    assert result.output.strip() == ("error: bots.dunning.language: 'Deutsch' is not a language collections writes "
                                     "(en, de, fr, es, nl, it, pt)")
    assert not (tmp_path / "s.db").exists()       # refused before the store is opened or a run recorded
