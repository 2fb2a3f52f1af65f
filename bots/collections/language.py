"""How collections writes to a customer: in which language, and amounts and dates as it writes them.

::

    language = customer_language(session, "C1042", configured={"C1042": "nl"})   # "de", "fr", ... or "en"
    amount_in(Decimal("12425.75"), "de")    # "12.425,75"
    date_in(date(2026, 12, 3), "de")        # "03.12.2026"

The customer's language is the one its dunning letters are written in: the language of its
first collections contact who receives dunning (``o2c collections contacts``), else the
language configured for it (``bots.invoice-delivery.languages``), else English. Dunning letters, the statement of account and the
customer portal all take it from here, so a customer reads one language from us.
"""

from datetime import date
from decimal import Decimal

from bots.receivables.metrics import two_places

# The languages collections writes in (dunning templates, statement labels); others get English.
LANGUAGES = ("en", "de", "fr", "es", "nl", "it", "pt")

# The thousands separator of the languages that write a decimal comma (French: a narrow no-break
# space); a language not here (English) keeps the contract's "1234.50".
_THOUSANDS = {"de": ".", "es": ".", "it": ".", "nl": ".", "pt": ".", "fr": "\u202f"}

# Day, month, year as each language writes a date; English keeps ISO 8601 (unambiguous on
# both sides of the Atlantic, and the form the rest of o2c prints).
_DATES = {"de": "%d.%m.%Y", "fr": "%d/%m/%Y", "es": "%d/%m/%Y", "it": "%d/%m/%Y", "pt": "%d/%m/%Y", "nl": "%d-%m-%Y"}


def base_language(language: str | None) -> str:
    """``"de-CH"``, ``"DE"``, ``"de_DE"`` -> ``"de"``; a language collections does not write -> ``"en"``."""
    base = (language or "en").strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def amount_in(value: Decimal, language: str | None) -> str:
    """``value`` to two places as a letter in ``language`` writes it ("1.234,50" in German)."""
    thousands = _THOUSANDS.get(base_language(language))
    if thousands is None:
        return two_places(value)
    return f"{Decimal(two_places(value)):,.2f}".replace(",", "\0").replace(".", ",").replace("\0", thousands)


def date_in(day: date, language: str | None) -> str:
    """``day`` as ``language`` writes it ("03.12.2026" in German); English: "2026-12-03"."""
    pattern = _DATES.get(base_language(language))
    return day.strftime(pattern) if pattern else day.isoformat()


def configured_languages(settings) -> dict:
    """Customer number -> language from the settings (``bots.invoice-delivery.languages``, the
    language invoices are sent in), for customers collections has no contact for; {} without settings."""
    return dict((settings.bot("invoice-delivery").get("languages") or {}) if settings is not None else {})


def customer_language(session, customer_id: str, configured: dict | None = None) -> str:
    """The language collections writes to ``customer_id`` in (the one its dunning letters use).

    :param session: an ORM session on the store (its collections contacts).
    :param configured: customer number -> language from the settings, for customers with no contact.
    """
    from sqlalchemy import select

    from bots.runtime.store.models import CustomerContact

    first = session.scalars(select(CustomerContact.language).where(
        CustomerContact.customer_id == customer_id, CustomerContact.receives_dunning.is_(True))
        .order_by(CustomerContact.id).limit(1)).first()
    if first:
        return first
    wanted = {str(k).upper(): v for k, v in (configured or {}).items()}.get(str(customer_id).upper())
    return str(wanted) if wanted else "en"
