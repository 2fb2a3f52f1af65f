"""Keywords that act on a screen: fill, choose from a completion list, select, tick, click, press keys.

Every keyword takes an element name of the screen in use (`Use Screen`) and, after it,
the values of the element's ``{placeholders}`` as ``name=value`` (``Fill Field | line_item
| NW-4410 | n=2``). Each action is noted for the audit log of the work item in hand.
"""

import time

from robots.O2C.base import BusinessFailure, KeywordFailure, LibraryComponent, keyword

_SECRET_WORDS = ("password", "passwd", "secret", "pin", "token")
STABLE_SECONDS = 0.5  # a suggestion list unchanged this long, on an idle screen, is the final answer


class FormKeywords(LibraryComponent):
    """Type into fields, pick suggestions and options, tick boxes, click and press keys."""

    @keyword("Fill Field")
    def fill_field(self, element: str, value: str, **values) -> None:
        """Types ``value`` into the field ``element`` (what was in it is replaced) and checks it took it.

        A field that reformats what it gets (a number field showing ``24.00`` for ``24``) is
        fine; a field that kept something else fails. An empty ``value`` empties the field.
        The field is left (blurred) after typing, so screens that apply a value on its
        "change" event do so, and their requests are waited for (``ready: requests:``).

        | Fill Field | customer_po | ${order}[po_number] |
        | Fill Field | line_quantity | 24 | n=2 |
        """
        field = self.ctx.find(element, values)
        text = "" if value is None else str(value)
        secret = any(word in element.lower() for word in _SECRET_WORDS) or field.get_attribute("type") == "password"
        for _ in range(3):  # a screen that redraws may wipe what was typed
            field.fill(text)
            kept = _value_of(field)
            _leave(field)  # clients that apply a value on "change" (fired on blur) start their request now
            self.ctx.settle()
            if kept is None or kept.strip() == text.strip() or _same_number(kept, text):
                break
        else:
            raise KeywordFailure(f"The field {element} kept {'***' if secret else repr(kept)} instead of "
                                 f"{'***' if secret else repr(text)}.")
        self.ctx.record_action("fill", element, "***" if secret else text)

    @keyword("Choose From Completion")
    def choose_from_completion(self, element: str, text: str, choice: str = "", **values) -> str:
        """Types ``text`` into the field ``element``, waits for its suggestions and picks the one matching.

        The suggestions are the element the field's entry names with ``completion:`` (e.g.
        the ``<li>`` of a many2one drop-down), else the page's ``role=option`` elements.
        On a screen whose file sets ``ready: requests:``, the list is the final answer (no
        waiting out the timeout) once a request was sent after the typing, the screen is idle
        again and the list has stayed unchanged for half a second.
        The one picked is the suggestion equal to ``choice`` (default: ``text``), else the
        only one that contains it (case and spaces ignored). No such suggestion: a business
        failure listing what was offered (an unknown product or customer is for a person
        to look at). Returns the text of the suggestion picked.

        | Choose From Completion | party | Pinecrest Grocers |
        | Choose From Completion | product | NW-4410 | choice=[NW-4410] Northwind bolts |
        """
        from playwright.sync_api import Error as PlaywrightError

        field = self.ctx.find(element, values)
        screen, name, _ = self.ctx.element(element, values)
        entry = screen.entry(name)
        wanted = _compact(choice or text)
        page = self.ctx._need_page()
        field.fill("")
        # Let what focusing the field set off (the previous field's change and its chain of
        # requests) finish first: a request counted below must be one the typing started.
        self.ctx.settle()
        field.press_sequentially(str(text), delay=20)  # widgets that listen to key presses see each one
        typed = _requests_started(page)
        suggestions = (screen.get(entry["completion"], **values) if "completion" in entry
                       else self.ctx.scope.get_by_role("option"))
        signal = screen.file.ready.requests
        deadline = time.monotonic() + self.ctx.timeout
        offered: list[str] = []
        stable_since, last = None, None
        while True:
            try:
                offered = [" ".join(t.split()) for t in suggestions.all_inner_texts()]
            except PlaywrightError:
                offered = []
            index = _pick(offered, wanted)
            if index is not None:
                break
            now = time.monotonic()
            # Fail fast only on a final answer: a request went out after the typing (widgets that
            # wait before asking), the screen is idle again, and the list has not changed since.
            answered = signal != "none" and _requests_started(page) > typed and _idle(page, signal)
            stable_since = stable_since if (answered and offered == last and stable_since is not None) else now
            last = offered
            if (answered and now - stable_since >= STABLE_SECONDS) or now > deadline:
                shown = "; ".join(offered[:10]) or "none"
                raise BusinessFailure(f"No suggestion for {element} matches {choice or text!r} (suggested: {shown}).")
            page.wait_for_timeout(100)
        picked = offered[index]
        if index >= suggestions.count():  # the list changed under us; pick it again
            return self.choose_from_completion(element, text, choice, **values)
        suggestions.nth(index).click()
        self.ctx.record_action("choose", element, picked)
        self.ctx.settle()
        self.info(f"Chose {picked!r} for {element}")
        return picked

    @keyword("Select Option")
    def select_option(self, element: str, option: str, **values) -> None:
        """Selects ``option`` (its visible label, else its value) in the drop-down list ``element``.

        | Select Option | currency | EUR |
        """
        field = self.ctx.find(element, values)
        try:
            field.select_option(label=str(option), timeout=2000)
        except Exception:
            try:
                field.select_option(value=str(option), timeout=2000)
            except Exception:
                offered = [" ".join(t.split()) for t in field.locator("option").all_inner_texts()]
                raise BusinessFailure(f"The list {element} has no option {option!r} (it has: {', '.join(offered)}).") from None
        self.ctx.record_action("select", element, str(option))
        self.ctx.settle()

    @keyword("Check Box")
    def check_box(self, element: str, checked: bool = True, **values) -> None:
        """Ticks the checkbox (or radio button) ``element``; ``checked=False`` clears it.

        | Check Box | select_invoice | invoice=INV-10102 |
        | Check Box | send_copy | checked=False |
        """
        state = checked if isinstance(checked, bool) else str(checked).lower() not in ("false", "no", "0", "off")
        self.ctx.find(element, values).set_checked(state)
        self.ctx.record_action("check" if state else "uncheck", element)
        self.ctx.settle()

    @keyword("Click")
    def click(self, element: str, **values) -> None:
        """Clicks ``element`` (a button, a link, a tab, a row...) once it is visible.

        | Click | save |
        | Click | choose | customer=C1001 |
        """
        self.ctx.find(element, values).click()
        page = self.ctx._need_page()
        if not page.is_closed():
            page.wait_for_load_state()  # a click that started a new page: let it load
        self.ctx.record_action("click", element)
        self.ctx.settle()

    @keyword("Press Keys")
    def press_keys(self, element: str, *keys: str, **values) -> None:
        """Presses ``keys`` one after the other in ``element`` (``NONE``: wherever the focus is).

        Key names are Playwright's: ``Enter``, ``Tab``, ``Escape``, ``ArrowDown``,
        ``Control+S``, ``F2``...

        | Press Keys | quantity | Tab |
        | Press Keys | NONE | Control+S |
        """
        if not keys:
            raise KeywordFailure("Press Keys needs at least one key, e.g. Press Keys | quantity | Enter.")
        if element.upper() in ("NONE", ""):
            for key in keys:
                self.ctx._need_page().keyboard.press(key)
        else:
            field = self.ctx.find(element, values)
            for key in keys:
                field.press(key)
        self.ctx.record_action("press", element, " ".join(keys))
        self.ctx.settle()


def _requests_started(page) -> int:
    """How many fetch/XHR requests the page has started (the library's counter; 0 without it)."""
    try:
        return int(page.evaluate("() => (window.__o2c && window.__o2c.started) || 0"))
    except Exception:
        return 0


def _idle(page, signal: str) -> bool:
    """True when no request is in flight now, by the screen's signal and by the library's counter."""
    from robots.O2C.base import IDLE

    try:
        return bool(page.evaluate(f"() => ({IDLE.get(signal, 'true')}) && ({IDLE['network']})"))
    except Exception:
        return False


def _leave(field) -> None:
    """Take the focus off a field, so its "change" event fires (no error when it is gone or hidden)."""
    try:
        field.blur(timeout=2000)
    except Exception:
        pass


def _value_of(field) -> str | None:
    """What a field holds: an input's value, or None for an element that has no value (contenteditable...)."""
    try:
        return field.input_value(timeout=2000)
    except Exception:
        return None


def _same_number(kept: str, typed: str) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(kept.replace(",", "").strip()) == Decimal(typed.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return False


def _compact(text: str) -> str:
    return " ".join(str(text or "").split()).casefold()


def _pick(offered: list[str], wanted: str) -> int | None:
    """The suggestion equal to ``wanted``, else the only one containing it (None: no sure choice)."""
    compact = [_compact(text) for text in offered]
    equal = [i for i, text in enumerate(compact) if text == wanted]
    if equal:
        return equal[0]
    containing = [i for i, text in enumerate(compact) if wanted and wanted in text]
    return containing[0] if len(containing) == 1 else None
