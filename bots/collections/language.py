"""How collections writes to a customer: in which language, and amounts and dates as it writes them.

::

    language = customer_language(session, "C1042", configured_languages(settings))   # "de", "fr", ... or "en"
    amount_in(Decimal("12425.75"), "de")    # "12.425,75"
    date_in(date(2026, 12, 3), "de")        # "03.12.2026"

The customer's language is the one its dunning letters are written in: the language of its
first collections contact who receives dunning (``o2c collections contacts``), else the
language configured for it (``bots.invoice-delivery.languages``), else the configured default
(``bots.dunning.language``), else English. Dunning letters, the statement of account, the
collections page and the customer portal all take it from ``customer_language``, so a customer
reads one language from us.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class ConfiguredLanguages:
    """The languages the settings give: per customer number (any case), and a default for the rest."""

    by_customer: Mapping[str, str] = field(default_factory=dict)
    default: str = "en"

    def __post_init__(self):
        if self.default.strip().replace("_", "-").split("-")[0].lower() not in LANGUAGES:
            raise ValueError(f"bots.dunning.language: {self.default!r} is not a language collections writes "
                             f"({', '.join(LANGUAGES)})")
        object.__setattr__(self, "by_customer", {str(k).upper(): str(v) for k, v in self.by_customer.items() if v})

    def of(self, customer_id: str) -> str:
        """The language configured for ``customer_id``, else the default."""
        return self.by_customer.get(str(customer_id).upper(), self.default)


def configured_languages(settings) -> ConfiguredLanguages:
    """The configured languages: per customer ``bots.invoice-delivery.languages`` (the language
    invoices are sent in), the default ``bots.dunning.language`` (English when not set); none without settings.

    :raises ValueError: the default is not a language collections writes.
    """
    if settings is None:
        return ConfiguredLanguages()
    return ConfiguredLanguages(settings.bot("invoice-delivery").get("languages") or {},
                               str(settings.bot("dunning").get("language") or "en"))


def customer_language(session, customer_id: str, configured: ConfiguredLanguages | Mapping | None = None) -> str:
    """The language collections writes to ``customer_id`` in: its first collections contact's who
    receives dunning, else the configured one (``configured_languages``), else the configured default.

    :param session: an ORM session on the store (its collections contacts).
    :param configured: ``configured_languages(settings)``; a plain mapping is customer number -> language.
    """
    from sqlalchemy import select

    from bots.runtime.store.models import CustomerContact

    if not isinstance(configured, ConfiguredLanguages):
        configured = ConfiguredLanguages(configured or {})
    first = session.scalars(select(CustomerContact.language).where(
        CustomerContact.customer_id == customer_id, CustomerContact.receives_dunning.is_(True))
        .order_by(CustomerContact.id).limit(1)).first()
    return first or configured.of(customer_id)
