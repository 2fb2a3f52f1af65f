"""Screens as data: the elements of one screen, from its YAML file in selectors/.

A bot never writes a CSS string. Each screen it drives has a file such as
``selectors/erp/sales_order.yaml``::

    screen: Create sales order
    elements:
      customer:   {label: "Customer"}
      add_line:   {role: button, name: "Add line"}
      status_bar: {role: status}
      line_item:  {label: "Item, line {n}"}       # filled in with screen.get("line_item", n=3)
      grid_row:   {role: row, name: "{item}", within: lines}

Entries are tried in Playwright's order of preference (role, label, text,
placeholder, alt text, title, test id) and CSS only as a last resort; ``within``
narrows an element to another. ``Screen(page, "erp/sales_order")["customer"]`` gives
a Playwright Locator, strict as Playwright's are.
"""

from functools import lru_cache
from pathlib import Path

import yaml

from bots.resources import data_dir

# How each key of an entry becomes a locator, in Playwright's order of preference.
_FINDERS = ("role", "label", "text", "placeholder", "alt_text", "title", "test_id", "css")


class SelectorError(ValueError):
    """A selectors file or entry is missing or malformed; the message names the file and entry."""


class Screen:
    """The elements of one screen on a Playwright ``page``.

    :param page: a Playwright Page (or a Frame, or a Locator to search within).
    :param name: the selectors file, relative to selectors/ and without ``.yaml``.
    """

    def __init__(self, page, name: str, selectors_dir: Path | None = None):
        self.page = page
        self.name = name
        self.title, self.elements = load_screen(name, str(selectors_dir or data_dir("selectors")))

    def __getitem__(self, element: str):
        return self.get(element)

    def get(self, element: str, **values):
        """Return the Locator for ``element``, filling ``{placeholders}`` from ``values``."""
        entry = self._entry(element)
        scope = self.get(entry["within"], **values) if "within" in entry else self.page
        return locate(scope, _fill(entry, values, f"{self.name}.{element}"))

    def has(self, element: str) -> bool:
        """True when the screen's file names ``element``."""
        return element in self.elements

    def _entry(self, element: str) -> dict:
        try:
            return self.elements[element]
        except KeyError:
            known = ", ".join(sorted(self.elements)) or "none"
            raise SelectorError(f"selectors/{self.name}.yaml has no element {element!r} (it has: {known})") from None

    def __repr__(self) -> str:
        return f"<Screen {self.name!r}: {self.title}>"


def locate(scope, entry: dict):
    """Turn one selectors entry into a Playwright Locator within ``scope`` (a page or locator)."""
    exact = entry.get("exact")
    if "role" in entry:
        options = {key: entry[key] for key in ("name", "checked", "disabled", "expanded", "level", "pressed", "selected") if key in entry}
        if exact is not None and "name" in entry:
            options["exact"] = exact
        return scope.get_by_role(entry["role"], **options)
    if "label" in entry:
        return scope.get_by_label(entry["label"], exact=exact)
    if "text" in entry:
        return scope.get_by_text(entry["text"], exact=exact)
    if "placeholder" in entry:
        return scope.get_by_placeholder(entry["placeholder"], exact=exact)
    if "alt_text" in entry:
        return scope.get_by_alt_text(entry["alt_text"], exact=exact)
    if "title" in entry:
        return scope.get_by_title(entry["title"], exact=exact)
    if "test_id" in entry:
        return scope.get_by_test_id(entry["test_id"])
    return scope.locator(entry["css"])


@lru_cache(maxsize=None)
def load_screen(name: str, selectors_dir: str) -> tuple[str, dict]:
    """Read and check ``selectors/<name>.yaml``; return (title, elements)."""
    path = Path(selectors_dir) / f"{name}.yaml"
    if not path.is_file():
        raise SelectorError(f"no selectors file for screen {name!r}: expected {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    elements = data.get("elements")
    if not isinstance(elements, dict) or not elements:
        raise SelectorError(f"{path}: needs an 'elements:' mapping of name -> locator")
    for element, entry in elements.items():
        if not isinstance(entry, dict) or not any(key in entry for key in _FINDERS):
            raise SelectorError(f"{path}: element {element!r} needs one of {', '.join(_FINDERS)}")
        if "within" in entry and entry["within"] not in elements:
            raise SelectorError(f"{path}: element {element!r} is within {entry['within']!r}, which the file does not define")
    return data.get("screen", name), elements


def _fill(entry: dict, values: dict, where: str) -> dict:
    try:
        return {key: value.format(**values) if isinstance(value, str) else value for key, value in entry.items()}
    except KeyError as missing:
        raise SelectorError(f"{where} needs a value for {missing}") from None
