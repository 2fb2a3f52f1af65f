"""A recording (codegen actions) into a selectors file and a Robot task that uses the generic keywords.

``convert(actions, name)`` gives a ``Conversion``: ``elements`` (name -> selectors entry,
named from their labels, the same locator recorded twice merged into one element), the
Robot ``steps`` and the ``variables`` the typed values became. ``selectors_yaml()`` and
``robot_task()`` write them out. Pure: no browser, no files.

What becomes what:

- the first ``page.goto`` -> ``Open Browser To    ${url}``; later ones -> ``Go To``;
- ``fill`` -> ``Fill Field    element    ${element}`` (the value typed is the variable's default;
  a password field's default comes from an environment variable, never from the recording);
- a ``fill`` followed by a click on a suggestion (role option, listitem or an ``li``) ->
  ``Choose From Completion    element    ${element}    choice=...``, the field's entry
  pointing at the suggestions with ``completion:``;
- ``click``, ``press``, ``check``/``uncheck``, ``select_option`` -> ``Click``, ``Press Keys``,
  ``Check Box``, ``Select Option``; the click codegen records before each fill is dropped;
- a pop-up -> ``Switch To Tab    last``; acting on another page again -> ``Switch To Tab    N``;
  closing it -> ``Close Tab``;
- ``expect(...).to_have_text`` / ``to_have_value`` -> ``Field Should Be``.
"""

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bots.recorder.codegen import Action, Step

SUGGESTION_ROLES = ("option", "listitem", "menuitem", "treeitem")
_SECRET = re.compile(r"pass(word|wd)?|secret|pin\b", re.I)
_FINDER_OF = {"get_by_role": "role", "get_by_label": "label", "get_by_text": "text", "get_by_placeholder": "placeholder",
              "get_by_alt_text": "alt_text", "get_by_title": "title", "get_by_test_id": "test_id"}
_ROLE_KEYS = ("name", "exact", "checked", "level", "pressed", "selected", "expanded", "disabled")


@dataclass
class Conversion:
    """What a recording becomes: elements, Robot steps, variables (name -> default)."""

    name: str
    elements: dict = field(default_factory=dict)
    steps: list = field(default_factory=list)
    variables: dict = field(default_factory=dict)
    secrets: set = field(default_factory=set)
    url: str | None = None

    def selectors_yaml(self) -> str:
        """The selectors file: one line per element, flow style, in the order first used."""
        lines = [f"# Recorded with `o2c record {self.name}`: one entry per element the recording used.",
                 "# Rename elements freely (then rename them in the task too); add url: or heading: under",
                 "# screen: so Use Screen checks the page, and ready: for screens that load in the background.",
                 "screen:", f"  title: {json.dumps(self.name)}", "elements:"]
        width = max((len(name) for name in self.elements), default=0) + 1
        for name, entry in self.elements.items():
            body = ", ".join(f"{key}: {_yaml_value(value)}" for key, value in entry.items())
            lines.append(f"  {(name + ':').ljust(width)} {{{body}}}")
        return "\n".join(lines) + "\n"

    def robot_task(self, work_item_kind: str | None = None) -> str:
        """The Robot task: the recorded steps as generic keywords, typed values as ${variables}.

        With ``work_item_kind`` the task keys each waiting work item of that kind, each
        variable taken from the item's field of the same name when it has one.
        """
        title = _title(self.name)
        out = ["*** Settings ***",
               f"Documentation       {title}: recorded with `o2c record {self.name}`.",
               "...                 Run it: o2c run robot " + f"robots/tasks/{_stem(self.name)}.robot"
               + " --variable NAME:VALUE (one per value to change).",
               "Library             robots.O2C",
               "Suite Teardown      Close Browser", "", "", "*** Variables ***"]
        width = max((len(v) for v in self.variables), default=0) + 4
        for variable, default in self.variables.items():
            if variable in self.secrets:
                value = "%{" + f"O2C_{_stem(self.name).upper()}_{variable.upper()}=" + "}"
            else:
                value = _robot_value(default)
            out.append(f"${{{variable}}}".ljust(width) + f"    {value}")
        out += ["", "", "*** Tasks ***", title]
        if work_item_kind:
            out += [f"    For Each Work Item    {title} Steps    kind={work_item_kind}", "", "",
                    "*** Keywords ***", f"{title} Steps", "    [Arguments]    ${item}"]
            for variable in self.variables:
                if variable not in self.secrets and variable != "url":
                    out.append(f"    ${{{variable}}}=    Get Work Item Field    {variable}    default=${{{variable}}}")
        out += ["    " + "    ".join(step) for step in self.steps]
        if work_item_kind:
            out.append("    Complete Work Item With    recorded=done")
        return "\n".join(out) + "\n"


def convert(actions: list[Action], name: str) -> Conversion:
    """Turn codegen ``actions`` into a ``Conversion`` for the screen ``name``."""
    result = Conversion(name)
    namer = _Namer(result.elements)
    pages: list[str] = []
    current = None
    actions = _without_focus_clicks(actions)
    i = 0
    while i < len(actions):
        action = actions[i]
        if action.kind == "new_page":
            if action.page not in pages:
                pages.append(action.page)
            current = current or action.page
            i += 1
            continue
        if action.kind == "popup":
            pages.append(action.page)
            result.steps.append(("Switch To Tab", "last"))
            current = action.page
            i += 1
            continue
        if action.page not in pages:
            pages.append(action.page)
        if current is not None and action.page != current and action.kind != "close":
            result.steps.append(("Switch To Tab", "first" if pages.index(action.page) == 0 else str(pages.index(action.page))))
        current = action.page
        if action.kind == "goto":
            if result.url is None:
                result.url = action.value
                result.variables["url"] = action.value
                result.steps.append(("Open Browser To", "${url}"))
                result.steps.append(("Use Screen", name))
            else:
                result.steps.append(("Go To", _same_site(result.url, action.value)))
        elif action.kind == "close":
            result.steps.append(("Close Tab",))
            pages.remove(action.page)
            current = pages[0] if pages else None
        else:
            element = namer.element(action.chain)
            following = actions[i + 1] if i + 1 < len(actions) else None
            if action.kind == "fill" and following and following.kind == "click" and _is_suggestion(following.chain):
                suggestions = namer.suggestions(following.chain, element)
                result.elements[element]["completion"] = suggestions
                variable = _variable(result, element, action.value)
                result.steps.append(("Choose From Completion", element, f"${{{variable}}}",
                                     f"choice={_robot_value(_choice_text(following.chain))}"))
                i += 2
                continue
            result.steps.append(_step(result, action, element))
        i += 1
    if result.url is None:
        result.steps.insert(0, ("Use Screen", name))
    _drop_unused(result)
    return result


def _drop_unused(result: Conversion) -> None:
    """Keep the elements a step uses and those they are within, in a frame of, or complete from."""
    used = {cell for step in result.steps for cell in step[1:2]} & set(result.elements)
    pending = list(used)
    while pending:
        entry = result.elements[pending.pop()]
        for key in ("within", "frame", "completion"):
            if entry.get(key) in result.elements and entry[key] not in used:
                used.add(entry[key])
                pending.append(entry[key])
    for name in list(result.elements):
        if name not in used:
            del result.elements[name]


def _step(result: Conversion, action: Action, element: str) -> tuple:
    if action.kind == "click":
        return ("Click", element)
    if action.kind == "fill":
        return ("Fill Field", element, f"${{{_variable(result, element, action.value)}}}")
    if action.kind == "select":
        return ("Select Option", element, f"${{{_variable(result, element, action.value)}}}")
    if action.kind == "press":
        return ("Press Keys", element if action.chain else "NONE", action.value or "Enter")
    if action.kind == "check":
        return ("Check Box", element)
    if action.kind == "uncheck":
        return ("Check Box", element, "checked=False")
    if action.kind in ("expect_text", "expect_value"):
        return ("Field Should Be", element, _robot_value(action.value))
    return ("Comment", f"recorded {action.kind} on {element}")


def _without_focus_clicks(actions: list[Action]) -> list[Action]:
    """Drop the click codegen records before a fill or a key press on the same field."""
    kept = []
    for n, action in enumerate(actions):
        following = actions[n + 1] if n + 1 < len(actions) else None
        if (action.kind == "click" and following is not None and following.kind in ("fill", "press")
                and following.chain == action.chain and following.page == action.page):
            continue
        kept.append(action)
    return kept


def _variable(result: Conversion, element: str, value) -> str:
    """The ${variable} for a value typed into ``element``: the element's name (numbered when it takes two values)."""
    name, n = element, 1
    while name in result.variables and result.variables[name] != value:
        n += 1
        name = f"{element}_{n}"
    result.variables[name] = value
    if _SECRET.search(element) or _SECRET.search(str(result.elements[element].get("label", ""))):
        result.secrets.add(name)
    return name


class _Namer:
    """Element names from what the user sees (label, name, text), the same locator always one element."""

    def __init__(self, elements: dict):
        self.elements = elements

    def element(self, chain: tuple) -> str:
        scope = frame = None
        name = None
        for step in chain:
            if step.method in ("frame_locator",):
                frame = self.add({"css": step.args[0]}, scope=scope, frame=frame)
                scope = None
            elif step.method == "content_frame":
                frame, scope, name = name, None, None
            elif step.method in _FINDER_OF or step.method == "locator":
                if name is not None:
                    scope = name
                name = self.add(_entry(step), scope=scope, frame=frame)
            elif name is not None:
                name = self.narrow(name, step)
        return name

    def suggestions(self, chain: tuple, field_name: str) -> str:
        """The element of all the suggestions of ``field_name``: the clicked one's locator without its text."""
        last = [step for step in chain if step.method in _FINDER_OF or step.method == "locator"][-1]
        entry = _entry(last)
        entry.pop("name", None)
        entry.pop("exact", None)
        if "text" in entry:
            entry = {"role": "option"}
        return self.add(entry, preferred=f"{field_name}_suggestions")

    def add(self, entry: dict, scope=None, frame=None, preferred: str | None = None) -> str:
        if scope:
            entry["within"] = scope
        if frame:
            entry["frame"] = frame
        for existing, known in self.elements.items():
            if known == entry or {k: v for k, v in known.items() if k != "completion"} == entry:
                return existing
        base = preferred or _name_for(entry)
        if scope and base == entry.get("role"):
            base = f"{scope}_{base}"  # a checkbox in row INV-10102: inv_10102_checkbox
        name, n = base, 1
        while name in self.elements:
            n += 1
            name = f"{base}_{entry['role']}" if n == 2 and "role" in entry and not base.endswith(entry["role"]) \
                else f"{base}_{n}"
        self.elements[name] = entry
        return name

    def narrow(self, name: str, step: Step) -> str:
        entry = dict(self.elements[name])
        if step.method == "first":
            entry["nth"] = "first"
        elif step.method == "last":
            entry["nth"] = "last"
        elif step.method == "nth" and step.args:
            entry["nth"] = int(step.args[0])
        elif step.method == "filter" and step.option("has_text") is not None:
            entry["has_text"] = str(step.option("has_text"))
        else:
            return name
        for existing, known in self.elements.items():
            if known == entry:
                return existing
        suffix = entry.get("has_text") or entry.get("nth")
        return self.add(entry, preferred=f"{name}_{_snake(str(suffix))}" if suffix is not None else None)


def _entry(step: Step) -> dict:
    if step.method == "locator":
        selector = str(step.args[0]) if step.args else ""
        if selector.startswith("xpath=") or selector.startswith("//"):
            return {"xpath": selector.removeprefix("xpath=")}
        return {"css": selector}
    finder = _FINDER_OF[step.method]
    entry = {finder: step.args[0] if step.args else ""}
    options = dict(step.kwargs)
    if finder == "role":
        for key in _ROLE_KEYS:
            if key in options:
                entry[key] = options[key]
    elif options.get("exact"):
        entry["exact"] = True
    return entry


def _name_for(entry: dict) -> str:
    for key in ("label", "name", "placeholder", "text", "title", "alt_text", "test_id"):
        if entry.get(key):
            words = str(entry[key]).split()
            name = _snake(" ".join(words[:5]))
            if name:
                return name if not name[0].isdigit() else f"{entry.get('role', 'item')}_{name}"
    if "role" in entry:
        return entry["role"]
    selector = entry.get("css") or entry.get("xpath") or "element"
    found = re.findall(r"[#.]?([A-Za-z][\w-]*)", selector.split()[-1])
    return _snake(found[-1] if found else "element") or "element"


def _is_suggestion(chain: tuple) -> bool:
    finders = [step for step in chain if step.method in _FINDER_OF or step.method == "locator"]
    if not finders:
        return False
    last = finders[-1]
    if last.method == "get_by_role":
        return last.args[0] in SUGGESTION_ROLES
    return last.method == "locator" and bool(re.search(r"(^|[\s>])li\b|\bli[.#\[:]|\.completion|option", str(last.args[0])))


def _choice_text(chain: tuple) -> str:
    for step in reversed(chain):
        if step.method == "get_by_role" and step.option("name"):
            return str(step.option("name"))
        if step.method == "filter" and step.option("has_text"):
            return str(step.option("has_text"))
        if step.method == "get_by_text" and step.args:
            return str(step.args[0])
    return ""


def _same_site(first: str, url: str) -> str:
    a, b = urlsplit(first), urlsplit(url)
    if (a.scheme, a.netloc) == (b.scheme, b.netloc):
        return b.path + (f"?{b.query}" if b.query else "") or "/"
    return url


def _snake(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", text.lower()).strip("_")[:40].strip("_")


def _stem(name: str) -> str:
    return _snake(name.rsplit("/", 1)[-1]) or "recorded"


def _title(name: str) -> str:
    return " ".join(word.capitalize() for word in _stem(name).split("_"))


def _yaml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if re.fullmatch(r"[a-z][a-z0-9_]*", str(value)) and value not in ("yes", "no", "on", "off", "true", "false", "null"):
        return str(value)  # roles, element names, first/last
    return json.dumps(str(value), ensure_ascii=False)


def _robot_value(value) -> str:
    """A value as a Robot cell: empty -> ${EMPTY}, spaces kept, backslashes and ${ escaped."""
    text = "" if value is None else str(value)
    if not text:
        return "${EMPTY}"
    text = text.replace("\\", "\\\\").replace("${", "\\${").replace("@{", "\\@{").replace("%{", "\\%{")
    text = re.sub(r" {2,}", lambda m: " " + "${SPACE}" * (len(m.group(0)) - 1), text)
    if text.startswith(" "):
        text = "${SPACE}" + text[1:]
    if text.endswith(" "):
        text = text[:-1] + "${SPACE}"
    if text.startswith("#"):
        text = "\\" + text
    return text
