"""Dates as printed on documents, to ``datetime.date``.

Documents print ``11/09/2026``, ``11/09/26``, ``09.11.2026``, ``09-Nov-2026``,
``November 9, 2026``, ``9 Nov 2026`` or ISO ``2026-11-09``. Whether ``11/09`` is
November 9 or 11 September cannot be told from one date: ``day_first_in`` decides
from the whole document (a part over 12, the separator, the currency), and
``parse_date`` then reads each date with that answer.
"""

import re
from datetime import date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            # English, German, French, Spanish, Dutch, Italian, Portuguese (and their short forms)
            ("jan", "january", "januar", "janvier", "janv", "enero", "ene", "januari", "gennaio", "gen", "janeiro"),
            ("feb", "february", "februar", "fevrier", "février", "févr", "fevr", "febrero", "februari", "febbraio",
             "fevereiro", "fev"),
            ("mar", "march", "märz", "maerz", "mars", "marzo", "mrz", "maart", "mrt", "março", "marco"),
            ("apr", "april", "avril", "avr", "abril", "abr", "aprile"),
            ("may", "mai", "mayo", "mei", "maggio", "mag", "maio"),
            ("jun", "june", "juni", "juin", "junio", "giugno", "giu", "junho"),
            ("jul", "july", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho"),
            ("aug", "august", "aout", "août", "agosto", "augustus"),
            ("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"),
            ("oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro"),
            ("nov", "november", "novembre", "noviembre", "novembro"),
            ("dec", "december", "dezember", "dez", "decembre", "décembre", "déc", "diciembre", "dic", "dicembre",
             "dezembro"),
        ],
        start=1,
    )
    for name in names
}

_MONTH_WORD = r"([^\W\d_]{3,10})\.?"
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})$")
# "13 January 2027", "13. Januar 2027", and Spanish and Portuguese "13 de enero de 2027".
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|º)?[-\s./]+(?:de\s+)?" + _MONTH_WORD + r"(?:\s+de)?[-\s.,/]+(\d{2}|\d{4})$")
_MONTH_DAY_YEAR = re.compile(r"^" + _MONTH_WORD + r"[-\s.]+(\d{1,2})(?:st|nd|rd|th)?,?[-\s.,/]+(\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(20\d{2})(\d{2})(\d{2})$")

_WEEKDAY = re.compile(
    r"(?i)^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?\s+(?=\d|[a-z]{3})"
    r"|^(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa|so)\.?,?\s+(?=\d)"
    r"|^(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche),?\s+(?=\d)"
)

DAY_FIRST_CURRENCIES = {"EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "AUD", "NZD", "INR", "BRL"}


def parse_date(text: str, day_first: bool | None = None) -> date | None:
    """Read one printed date; return None when ``text`` is not a date.

    :param day_first: for all-numeric dates such as ``11/09/2026``: True reads day/month,
        False month/day. None decides from the separator (dots are day-first in every
        country that uses them) and from a part over 12, else month/day.
    """
    if not text:
        return None
    s = " ".join(text.strip().strip(",;").split())
    s = _WEEKDAY.sub("", s)  # "Thursday, November 12, 2026", "Fri 04.12.2026"
    try:
        if m := _ISO.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _NUMERIC.match(s):
            first, sep, second, year = int(m[1]), m[2], int(m[3]), _year(m[4])
            if day_first is None:
                day_first = sep == "." or (first > 12 >= second)
            if day_first and first <= 12 < second:
                day_first = False  # the document's rule cannot hold for this date
            elif not day_first and second <= 12 < first:
                day_first = True
            day, month = (first, second) if day_first else (second, first)
            return date(year, month, day)
        if m := _DAY_MONTH_YEAR.match(s):
            month = MONTHS.get(m[2].lower())
            return date(_year(m[3]), month, int(m[1])) if month else None
        if m := _MONTH_DAY_YEAR.match(s):
            month = MONTHS.get(m[1].lower())
            return date(_year(m[3]), month, int(m[2])) if month else None
        if m := _COMPACT.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def iso(text: str, day_first: bool | None = None) -> str | None:
    """``parse_date`` as an ISO 8601 string, or None."""
    parsed = parse_date(text, day_first)
    return parsed.isoformat() if parsed else None


def day_first_in(date_texts, currency: str | None = None, country: str | None = None) -> bool | None:
    """Decide whether a document's all-numeric dates are day/month or month/day.

    Looks at every date it prints: a first part over 12 means day first, a second part
    over 12 means month first; dotted dates are day first. When the dates cannot tell,
    the currency (EUR, GBP... day first; USD month first) or the country code decides.
    Returns None when nothing tells.
    """
    day_votes = month_votes = 0
    for text in date_texts:
        m = _NUMERIC.match((text or "").strip())
        if not m:
            continue
        first, sep, second = int(m[1]), m[2], int(m[3])
        if first > 12 >= second or sep == ".":
            day_votes += 1
        elif second > 12 >= first:
            month_votes += 1
    if day_votes != month_votes:
        return day_votes > month_votes
    if currency:
        if currency.upper() in DAY_FIRST_CURRENCIES:
            return True
        if currency.upper() in {"USD", "CAD"}:
            return False
    if country:
        return country.upper() not in {"US", "USA", "PH", "CA"}
    return None


def find_dates(text: str) -> list[str]:
    """Every substring of ``text`` that reads as a date, in order (for headers and free text)."""
    pattern = re.compile(
        r"\b\d{4}-\d{1,2}-\d{1,2}\b"
        r"|\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})\b"
        r"|\b\d{1,2}(?:st|nd|rd|th|\.)?[-\s](?:de\s)?" + _MONTH_WORD + r"(?:\sde)?[-\s,]+\d{2,4}\b"
        r"|\b" + _MONTH_WORD + r"\s\d{1,2}(?:st|nd|rd|th)?,?\s\d{4}\b"
        r"|\b20\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\b"  # EDI's CCYYMMDD
    )
    return [m.group(0) for m in pattern.finditer(text) if parse_date(m.group(0)) is not None]


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year
