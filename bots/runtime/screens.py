"""Screens as data: the elements of one screen, from its YAML file in selectors/.

A bot or a Robot task never writes a CSS string. Each screen it drives has a file such
as ``selectors/erp/sales_order.yaml``::

    screen:                                   # or just a title: "screen: Create sales order"
      title: Create sales order
      url: "/va01"                            # a regular expression searched in the page's URL
      heading: "Create sales order"           # a heading the screen shows
    ready:                                    # what "Wait Until Screen Is Ready" waits for
      requests: network                       # no fetch/XHR in flight (or: jquery, for jQuery.active)
      quiet: 300 ms                           # ... and none for this long (clients that chain requests)
      spinner: busy_indicator                 # this element is hidden
      enabled: save                           # this element is enabled
    elements:
      customer:   {label: "Customer", exact: true}
      add_line:   {role: button, name: "Add line"}
      line_item:  {label: "Item, line {n}"}       # filled in with screen.get("line_item", n=3)
      grid_row:   {role: row, name: "{item}", within: lines}
      product:    {label: "Product", completion: suggestions}
      suggestions: {css: "ul.dropdown-menu li"}   # CSS only where nothing better exists
      editor:     {css: "iframe#editor"}
      total:      {label: "Total", frame: editor, wait: visible, timeout: 5 seconds}

How an element is found, one of (in Playwright's order of preference): ``role`` (with
``name``, ``level``, ``checked``...), ``label``, ``text``, ``placeholder``, ``alt_text``,
``title``, ``test_id``, ``css``, ``xpath``. What narrows it: ``exact`` (whole text,
case-sensitive), ``within`` (another element of the file), ``frame`` (an iframe element of
the file), ``has_text`` (only matches containing this text), ``nth`` (0-based, ``first``,
``last``; a last resort). How it is waited for: ``wait`` (attached, visible, hidden,
enabled, editable) and ``timeout``. ``completion`` names the element holding the
suggestions of an autocomplete field; ``reveal`` an element to click first when this one
is hidden (a number input shown only once its display is clicked). Any text may hold
``{placeholders}``. A top-level ``within: NAME`` puts every element within NAME (the
active tab of a client with tabs), except those marked ``within: page``.

Optional sections: ``login:`` (a log-in recipe: fields, steps, what success looks like)
and ``search:`` (how to look a record up on a search screen, for "Find Existing Record").

Every file is checked when it is loaded: a mistake raises ``SelectorError`` naming the
file, the line and the fix. ``Screen(page, "erp/sales_order")["customer"]`` gives a
Playwright Locator, strict as Playwright's are.
"""

import difflib
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bots.runtime.resources import data_dir

# How each key of an entry becomes a locator, in Playwright's order of preference.
_FINDERS = ("role", "label", "text", "placeholder", "alt_text", "title", "test_id", "css", "xpath")
_ROLE_OPTIONS = ("name", "checked", "disabled", "expanded", "level", "pressed", "selected", "include_hidden")
_MODIFIERS = ("exact", "within", "frame", "nth", "has_text", "wait", "timeout", "completion", "reveal", "note")
_ELEMENT_KEYS = (*_FINDERS, *_ROLE_OPTIONS, *_MODIFIERS)
_REFERENCES = ("within", "frame", "completion", "reveal")  # keys whose value is another element of the file
WHOLE_PAGE = "page"  # "within: page": not within the file's default scope
WAITS = ("attached", "visible", "hidden", "enabled", "editable")
REQUEST_SIGNALS = ("none", "network", "jquery")
_TOP_KEYS = ("screen", "ready", "within", "elements", "login", "search")
_SCREEN_KEYS = ("title", "url", "heading", "open")
_READY_KEYS = ("requests", "quiet", "spinner", "enabled", "visible", "timeout")
_LOGIN_KEYS = ("fields", "steps", "success", "failure", "timeout")
_LOGIN_STEPS = ("fill", "click", "press", "wait", "choose")
_SUCCESS_KEYS = ("url", "element", "heading")
_SEARCH_KEYS = ("fields", "submit", "results", "match", "returns", "next_page")
# The ARIA roles Playwright's get_by_role knows (a misspelt role would silently find nothing).
ROLES = frozenset("""alert alertdialog application article banner blockquote button caption cell checkbox code
columnheader combobox complementary contentinfo definition deletion dialog directory document emphasis feed figure
form generic grid gridcell group heading img insertion link list listbox listitem log main marquee math meter menu
menubar menuitem menuitemcheckbox menuitemradio navigation none note option paragraph presentation progressbar radio
radiogroup region row rowgroup rowheader scrollbar search searchbox separator slider spinbutton status strong
subscript superscript switch tab table tablist tabpanel term textbox time timer toolbar tooltip tree treegrid
treeitem""".split())


class SelectorError(ValueError):
    """A selectors file or entry is missing or malformed; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class ScreenCheck:
    """How to tell that the browser shows this screen: a URL pattern and/or a heading."""

    title: str
    url: str | None = None
    heading: str | None = None
    open: str | None = None


@dataclass(frozen=True)
class Readiness:
    """What "ready" means on a screen: no request in flight, no spinner, an element enabled or visible."""

    requests: str = "none"
    quiet: float = 0.0  # seconds the request signal must stay idle (clients that chain requests)
    spinner: tuple[str, ...] = ()
    enabled: tuple[str, ...] = ()
    visible: tuple[str, ...] = ()
    timeout: float | None = None


@dataclass(frozen=True)
class ScreenFile:
    """One selectors file, checked: its screen check, readiness, elements and optional recipes."""

    name: str
    path: Path
    check: ScreenCheck
    ready: Readiness
    elements: dict
    login: dict | None = None
    search: dict | None = None
    lines: dict = field(default_factory=dict)  # element -> line in the file, for messages


class Screen:
    """The elements of one screen on a Playwright ``page``.

    :param page: a Playwright Page (or a Frame, FrameLocator or Locator to search within).
    :param name: the selectors file, relative to selectors/ and without ``.yaml``.
    """

    def __init__(self, page, name: str, selectors_dir: Path | None = None):
        self.page = page
        self.name = name
        self.file = load_screen_file(name, str(selectors_dir or data_dir("selectors")))
        self.title, self.elements = self.file.check.title, self.file.elements

    def __getitem__(self, element: str):
        return self.get(element)

    def get(self, element: str, **values):
        """Return the Locator for ``element``, filling ``{placeholders}`` from ``values``."""
        entry = self.entry(element)
        scope = self.page
        if "frame" in entry:
            scope = self.get(entry["frame"], **values).content_frame
        if entry.get("within") not in (None, WHOLE_PAGE):
            scope = self.get(entry["within"], **values)
        locator = locate(scope, _fill(entry, values, f"{self.name}.{element}"))
        if "has_text" in entry:
            locator = locator.filter(has_text=_fill({"t": entry["has_text"]}, values, f"{self.name}.{element}")["t"])
        nth = entry.get("nth")
        if nth is not None:
            locator = locator.first if nth == "first" else locator.last if nth == "last" else locator.nth(int(nth))
        return locator

    def has(self, element: str) -> bool:
        """True when the screen's file names ``element``."""
        return element in self.elements

    def entry(self, element: str) -> dict:
        """The file's entry for ``element`` (a SelectorError listing the known ones when there is none)."""
        try:
            return self.elements[element]
        except KeyError:
            known = ", ".join(sorted(self.elements)) or "none"
            close = difflib.get_close_matches(element, list(self.elements), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SelectorError(f"selectors/{self.name}.yaml has no element {element!r} (it has: {known}){hint}") from None

    def wait_of(self, element: str) -> tuple[str | None, float | None]:
        """The element's own ``wait`` state and ``timeout`` in seconds (None where the file sets none)."""
        entry = self.entry(element)
        return entry.get("wait"), entry.get("timeout")

    def describe(self, element: str) -> str:
        """The element's entry in words a user recognises from the YAML, e.g. ``label "Customer"``."""
        entry = self.entry(element)
        finder = next(key for key in _FINDERS if key in entry)
        text = f'{finder} "{entry[finder]}"'
        if finder == "role" and "name" in entry:
            text += f' named "{entry["name"]}"'
        return text

    def __repr__(self) -> str:
        return f"<Screen {self.name!r}: {self.title}>"


def locate(scope, entry: dict):
    """Turn one selectors entry into a Playwright Locator within ``scope`` (a page, frame or locator)."""
    exact = entry.get("exact")
    if "role" in entry:
        options = {key: entry[key] for key in _ROLE_OPTIONS if key in entry}
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
    if "xpath" in entry:
        return scope.locator(f"xpath={entry['xpath']}")
    return scope.locator(entry["css"])


def load_screen(name: str, selectors_dir: str) -> tuple[str, dict]:
    """Read and check ``selectors/<name>.yaml``; return (title, elements)."""
    screen = load_screen_file(name, selectors_dir)
    return screen.check.title, screen.elements


@lru_cache(maxsize=None)
def load_screen_file(name: str, selectors_dir: str) -> ScreenFile:
    """Read and check ``selectors/<name>.yaml`` into a ``ScreenFile``."""
    path = Path(selectors_dir) / f"{name}.yaml"
    if not path.is_file():
        raise SelectorError(f"no selectors file for screen {name!r}: expected {path}")
    return read_screen_file(path, name)


def read_screen_file(path: Path, name: str | None = None) -> ScreenFile:
    """Read and check one selectors file at ``path`` (any location)."""
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise SelectorError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', None) or error}); "
                            f"check the indentation and quote texts that hold ':' or '#'") from None
    return _Checker(path, name or path.stem).screen(root)


def parameters(entry: dict) -> list[str]:
    """The ``{placeholders}`` an entry's texts need, in order of appearance."""
    found = []
    for value in entry.values():
        if isinstance(value, str):
            for _, field_name, _, _ in string.Formatter().parse(value):
                if field_name and field_name not in found:
                    found.append(field_name)
    return found


def seconds(value, where: str = "timeout") -> float:
    """``5``, ``2.5``, ``"5 seconds"``, ``"500 ms"``, ``"1 minute"`` as seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", str(value).lower())
    unit = match.group(2) if match else ""
    for names, factor in ((("", "s", "sec", "secs", "second", "seconds"), 1.0),
                          (("ms", "millisecond", "milliseconds"), 0.001),
                          (("m", "min", "mins", "minute", "minutes"), 60.0)):
        if match and unit in names:
            return float(match.group(1)) * factor
    raise ValueError(f"{where}: {value!r} is not a duration; write e.g. 5 seconds or 500 ms")


# --- checking a file ------------------------------------------------------------------


class _Checker:
    """Checks one parsed file against the schema; each failure names the line and the fix."""

    def __init__(self, path: Path, name: str):
        self.path = path
        self.name = name

    def fail(self, node, message: str):
        line = f", line {node.start_mark.line + 1}" if node is not None else ""
        raise SelectorError(f"{self.path}{line}: {message}")

    def mapping(self, node, what: str) -> dict:
        """A mapping node as {key: (key node, value node)}."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of 'name: value' lines")
        return {key.value: (key, value) for key, value in node.value}

    def known(self, keys: dict, allowed, what: str) -> None:
        for key, (key_node, _) in keys.items():
            if key not in allowed:
                close = difflib.get_close_matches(str(key), list(allowed), n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(allowed)}"
                self.fail(key_node, f"{what} has an unknown key {key!r}; {hint}")

    def screen(self, root) -> ScreenFile:
        if root is None:
            self.fail(None, "the file is empty; it needs an 'elements:' mapping of name -> locator")
        top = self.mapping(root, "the file")
        self.known(top, _TOP_KEYS, "the file")
        data = yaml.safe_load(yaml.serialize(root))
        if "elements" not in top or not isinstance(data.get("elements"), dict) or not data["elements"]:
            self.fail(top["elements"][1] if "elements" in top else root,
                      "needs an 'elements:' mapping of name -> locator, e.g. 'save: {role: button, name: Save}'")
        element_nodes = self.mapping(top["elements"][1], "elements")
        elements, lines = {}, {}
        for element, (key_node, value_node) in element_nodes.items():
            elements[element] = self.element(element, value_node, data["elements"][element], element_nodes)
            lines[element] = key_node.start_mark.line + 1
        if "within" in top:
            elements = self.default_scope(top["within"][1], data["within"], elements)
        self.no_cycles(elements, element_nodes)
        check = self.screen_check(top.get("screen"), data.get("screen"))
        ready = self.readiness(top.get("ready"), data.get("ready"), element_nodes)
        login = self.login(top["login"], data["login"], element_nodes) if "login" in top else None
        search = self.search(top["search"], data["search"], element_nodes) if "search" in top else None
        return ScreenFile(self.name, self.path, check, ready, elements, login, search, lines)

    def element(self, element: str, node, entry, elements: dict) -> dict:
        what = f"element {element!r}"
        keys = self.mapping(node, what) if isinstance(node, yaml.MappingNode) else None
        if keys is None:
            self.fail(node, f"{what} needs one of {', '.join(_FINDERS)}, e.g. {element}: {{label: \"Customer\"}}")
        self.known(keys, _ELEMENT_KEYS, what)
        finders = [key for key in _FINDERS if key in entry]
        if not finders:
            self.fail(node, f"{what} needs one of {', '.join(_FINDERS)}, e.g. {element}: {{label: \"Customer\"}}")
        if len(finders) > 1:
            self.fail(node, f"{what} has both {finders[0]!r} and {finders[1]!r}; keep one (narrow with 'within')")
        options = [key for key in _ROLE_OPTIONS if key in entry]
        if options and finders[0] != "role":
            self.fail(keys[options[0]][0], f"{what}: {options[0]!r} goes with 'role' only")
        if finders[0] == "role" and entry["role"] not in ROLES:
            close = difflib.get_close_matches(str(entry["role"]), sorted(ROLES), n=1)
            hint = f"did you mean {close[0]!r}?" if close else "see the ARIA roles (button, textbox, link, row...)"
            self.fail(keys["role"][1], f"{what}: {entry['role']!r} is not an ARIA role; {hint}")
        if "exact" in entry and not isinstance(entry["exact"], bool):
            self.fail(keys["exact"][1], f"{what}: 'exact' is true or false")
        for reference in _REFERENCES:
            if reference in entry and not (reference == "within" and entry[reference] == WHOLE_PAGE):
                target = entry[reference]
                if target not in elements:
                    self.fail(keys[reference][1], f"{what} is {reference} {target!r}, which the file does not define; "
                                                  f"add it under elements or fix the name")
                if target == element:
                    self.fail(keys[reference][1], f"{what} cannot be {reference} itself")
        if "nth" in entry and not (entry["nth"] in ("first", "last") or
                                   (isinstance(entry["nth"], int) and not isinstance(entry["nth"], bool))):
            self.fail(keys["nth"][1], f"{what}: 'nth' is a number from 0, 'first' or 'last'")
        if "wait" in entry and entry["wait"] not in WAITS:
            self.fail(keys["wait"][1], f"{what}: 'wait' is one of {', '.join(WAITS)}")
        if "timeout" in entry:
            entry = {**entry, "timeout": self.duration(keys["timeout"][1], entry["timeout"], what)}
        for key, value in entry.items():
            if isinstance(value, str):
                try:
                    list(string.Formatter().parse(value))
                except ValueError:
                    self.fail(keys[key][1], f"{what}: {key} {value!r} has an unmatched brace; "
                                            f"write parameters as {{name}} and a literal brace as {{{{ or }}}}")
        return entry

    def default_scope(self, node, scope, elements: dict) -> dict:
        """``within: tab`` at the top: every element not placed otherwise is within ``tab``.

        The scope element itself, the elements it is within, elements in a frame and those
        marked ``within: page`` are left as they are.
        """
        if scope not in elements:
            self.fail(node, f"the file's 'within: {scope}' is not an element of the file; add it under elements")
        chain, current = set(), scope
        while current is not None and current not in chain:
            chain.add(current)
            current = elements[current].get("within")
        placed = {}
        for name, entry in elements.items():
            if entry.get("within") == WHOLE_PAGE:
                entry = {k: v for k, v in entry.items() if k != "within"}
            elif name not in chain and "within" not in entry and "frame" not in entry:
                entry = {**entry, "within": scope}
            placed[name] = entry
        return placed

    def duration(self, node, value, what: str) -> float:
        try:
            return seconds(value)
        except ValueError as error:
            self.fail(node, f"{what}: {error}")

    def no_cycles(self, elements: dict, nodes: dict) -> None:
        for start in elements:
            seen, current = [start], start
            while True:
                entry = elements[current]
                current = entry.get("within") or entry.get("frame")
                if current is None:
                    break
                if current in seen:
                    self.fail(nodes[start][1], f"element {start!r} is within itself ({' -> '.join([*seen, current])}); "
                                               f"break the loop")
                seen.append(current)

    def screen_check(self, nodes, value) -> ScreenCheck:
        if nodes is None:
            return ScreenCheck(self.name)
        if isinstance(value, str):
            return ScreenCheck(value)
        keys = self.mapping(nodes[1], "screen")
        self.known(keys, _SCREEN_KEYS, "screen")
        if "url" in value:
            try:
                re.compile(str(value["url"]))
            except re.error as error:
                self.fail(keys["url"][1], f"screen url {value['url']!r} is not a regular expression ({error}); "
                                          f"escape . ? ( with a backslash")
        return ScreenCheck(str(value.get("title") or self.name), value.get("url"), value.get("heading"), value.get("open"))

    def readiness(self, nodes, value, elements: dict) -> Readiness:
        if nodes is None:
            return Readiness()
        keys = self.mapping(nodes[1], "ready")
        self.known(keys, _READY_KEYS, "ready")
        requests = value.get("requests", "none")
        requests = "none" if requests is False else "network" if requests is True else requests
        if requests not in REQUEST_SIGNALS:
            self.fail(keys["requests"][1], f"ready: 'requests' is one of {', '.join(REQUEST_SIGNALS)}")
        names = {}
        for key in ("spinner", "enabled", "visible"):
            listed = value.get(key) or []
            listed = [listed] if isinstance(listed, str) else list(listed)
            for element in listed:
                if element not in elements:
                    self.fail(keys[key][1], f"ready: {key} {element!r} is not an element of the file")
            names[key] = tuple(listed)
        timeout = self.duration(keys["timeout"][1], value["timeout"], "ready") if "timeout" in value else None
        quiet = self.duration(keys["quiet"][1], value["quiet"], "ready") if "quiet" in value else 0.0
        return Readiness(requests, quiet, names["spinner"], names["enabled"], names["visible"], timeout)

    def element_name(self, node, value, elements: dict, what: str) -> None:
        if value not in elements:
            self.fail(node, f"{what}: {value!r} is not an element of the file; add it under elements or fix the name")

    def login(self, nodes, value, elements: dict) -> dict:
        keys = self.mapping(nodes[1], "login")
        self.known(keys, _LOGIN_KEYS, "login")
        if "fields" not in value or not isinstance(value["fields"], dict):
            self.fail(nodes[1], "login needs 'fields:', the values Log In is given and the element each goes in, "
                                "e.g. fields: {user: user, password: password}")
        field_nodes = self.mapping(keys["fields"][1], "login fields")
        for name, element in value["fields"].items():
            self.element_name(field_nodes[name][1], element, elements, f"login field {name!r}")
        steps = value.get("steps") or [{"fill": name} for name in value["fields"]]
        if not isinstance(steps, list):
            self.fail(keys["steps"][1], "login steps are a list, e.g. '- fill: user' / '- click: log_on'")
        step_nodes = keys["steps"][1].value if "steps" in keys else [None] * len(steps)
        for step, node in zip(steps, step_nodes):
            if not isinstance(step, dict) or len(step) != 1 or next(iter(step)) not in _LOGIN_STEPS:
                self.fail(node or nodes[1], f"a login step is one of {', '.join(f'{s}: ...' for s in _LOGIN_STEPS)}")
            kind, target = next(iter(step.items()))
            if kind == "fill" and target not in value["fields"]:
                self.fail(node, f"login step 'fill: {target}' names no field; the fields are {', '.join(value['fields'])}")
            if kind in ("click", "wait") and target not in elements:
                self.element_name(node, target, elements, f"login step '{kind}'")
        success = value.get("success") or {}
        if not isinstance(success, dict) or not success:
            self.fail(keys["success"][1] if "success" in keys else nodes[1],
                      "login needs 'success:', what the screen shows once logged in, e.g. success: {url: /start}")
        self.known(self.mapping(keys["success"][1], "login success"), _SUCCESS_KEYS, "login success")
        if "element" in success:
            self.element_name(keys["success"][1], success["element"], elements, "login success")
        if "failure" in value:
            self.element_name(keys["failure"][1], value["failure"], elements, "login failure")
        return {**value, "steps": steps}

    def search(self, nodes, value, elements: dict) -> dict:
        keys = self.mapping(nodes[1], "search")
        self.known(keys, _SEARCH_KEYS, "search")
        for needed in ("fields", "results", "match"):
            if needed not in value:
                self.fail(nodes[1], f"search needs {needed!r}: fields (key -> element to fill), submit, results "
                                    f"(the table), match (the column compared with the key), returns (the column given back)")
        if not isinstance(value["fields"], dict):
            self.fail(keys["fields"][1], "search fields map each key to the element it is typed in")
        for name, element in value["fields"].items():
            self.element_name(keys["fields"][1], element, elements, f"search field {name!r}")
        for key in ("submit", "results", "next_page"):
            if key in value:
                self.element_name(keys[key][1], value[key], elements, f"search {key}")
        return value


def _fill(entry: dict, values: dict, where: str) -> dict:
    try:
        return {key: value.format(**values) if isinstance(value, str) else value for key, value in entry.items()}
    except KeyError as missing:
        raise SelectorError(f"{where} needs a value for {missing}") from None
