"""Read a script Playwright's codegen wrote (Python target) into plain actions, with ``ast``.

``read_actions(source)`` returns one ``Action`` per recorded step, in order::

    page.get_by_label("Customer PO").fill("4500012345")
        -> Action(kind="fill", page="page", chain=(Step("get_by_label", ("Customer PO",), ()),), value="4500012345")

A chain is the locator as codegen built it: ``get_by_*`` and ``locator`` calls, narrowed by
``filter``, ``nth``, ``first``, ``last``, with ``content_frame`` / ``frame_locator`` where it
enters an iframe. Pop-ups (``with page.expect_popup() as page1_info``, then
``page1 = page1_info.value``) become a ``popup`` action, ``page1.close()`` a ``close``.
Nothing is executed: the script is only parsed, so any script, even one recorded elsewhere,
is safe to convert.
"""

import ast
import re
from dataclasses import dataclass

# The locator calls codegen writes, and what each action call becomes.
LOCATOR_CALLS = ("get_by_role", "get_by_label", "get_by_text", "get_by_placeholder", "get_by_alt_text",
                 "get_by_title", "get_by_test_id", "locator", "frame_locator")
NARROWING = ("filter", "nth", "first", "last", "content_frame")
ACTIONS = {"click": "click", "dblclick": "click", "fill": "fill", "press": "press", "check": "check",
           "uncheck": "uncheck", "select_option": "select", "set_checked": "check", "type": "fill",
           "press_sequentially": "fill"}
EXPECTATIONS = {"to_have_text": "expect_text", "to_contain_text": "expect_contains", "to_have_value": "expect_value",
                "to_be_visible": "expect_visible", "to_be_checked": "expect_checked"}


class CodegenError(ValueError):
    """The script is not one codegen wrote in Python (or is cut short); the message says where."""


@dataclass(frozen=True)
class Step:
    """One link of a locator chain: ``get_by_role("button", name="Save")`` is Step("get_by_role", ("button",), (("name", "Save"),))."""

    method: str
    args: tuple = ()
    kwargs: tuple = ()

    def option(self, name: str, default=None):
        return dict(self.kwargs).get(name, default)


@dataclass(frozen=True)
class Action:
    """One recorded step: ``kind`` (goto, click, fill, press, check, uncheck, select, popup, close,
    expect_*), the page variable it ran on, the locator ``chain`` and the ``value`` typed or chosen."""

    kind: str
    page: str
    chain: tuple = ()
    value: str | None = None
    line: int = 0


def read_actions(source: str, filename: str = "script.py") -> list[Action]:
    """The actions of a codegen script, in the order they were recorded."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise CodegenError(f"{filename}, line {error.lineno}: not a Python script ({error.msg})") from None
    body = _recorded_body(tree)
    actions: list[Action] = []
    _statements(body, actions, popups={})
    return actions


def _recorded_body(tree: ast.Module) -> list:
    """The statements of ``def run(playwright)`` (sync codegen) or of the module itself."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("run", "main"):
            return node.body
    return tree.body


def _statements(body: list, actions: list, popups: dict) -> None:
    for node in body:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                call = item.context_expr
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "expect_popup" and isinstance(item.optional_vars, ast.Name)):
                    popups[item.optional_vars.id] = True
            _statements(node.body, actions, popups)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if (isinstance(value, ast.Attribute) and value.attr == "value" and isinstance(value.value, ast.Name)
                    and value.value.id in popups):
                actions.append(Action("popup", node.targets[0].id, line=node.lineno))
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == "new_page":
                actions.append(Action("new_page", node.targets[0].id, line=node.lineno))
        elif isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Await)):
            action = _action(node.value.value if isinstance(node.value, ast.Await) else node.value)
            if action is not None:
                actions.append(action)


def _action(call: ast.Call) -> Action | None:
    if not isinstance(call.func, ast.Attribute):
        return None
    verb, target = call.func.attr, call.func.value
    line = call.lineno
    # expect(locator).to_have_text("...")
    if verb in EXPECTATIONS and isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "expect":
        page, chain = _chain(target.args[0])
        return Action(EXPECTATIONS[verb], page, chain, _text(call.args[0]) if call.args else None, line)
    if verb == "goto":
        page, chain = _chain(target)
        return Action("goto", page, (), _text(call.args[0]), line) if not chain else None
    if verb == "close":
        page, chain = _chain(target)
        return Action("close", page, line=line) if not chain and page.startswith("page") else None
    if verb == "press" and isinstance(target, ast.Attribute) and target.attr == "keyboard":
        page, _ = _chain(target.value)
        return Action("press", page, (), _text(call.args[0]), line)
    if verb in ACTIONS:
        page, chain = _chain(target)
        if not chain:
            return None
        value = None
        if verb in ("fill", "press", "type", "press_sequentially", "select_option") and call.args:
            value = _text(call.args[0])
        if verb == "set_checked" and call.args and isinstance(call.args[0], ast.Constant) and not call.args[0].value:
            return Action("uncheck", page, chain, None, line)
        return Action(ACTIONS[verb], page, chain, value, line)
    return None


def _chain(node) -> tuple[str, tuple]:
    """(page variable, locator steps) of an expression such as ``page.get_by_role(...).first``."""
    steps = []
    while True:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            args = tuple(_text(a) if not isinstance(a, ast.Constant) or isinstance(a.value, str) else a.value
                         for a in node.args)
            kwargs = tuple(sorted((k.arg, _value(k.value)) for k in node.keywords if k.arg))
            if method in LOCATOR_CALLS or method in NARROWING:
                steps.append(Step(method, args, kwargs))
            node = node.func.value
        elif isinstance(node, ast.Attribute):
            if node.attr in ("first", "last", "content_frame"):
                steps.append(Step(node.attr))
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, tuple(reversed(steps))
        else:
            return "page", tuple(reversed(steps))


def _value(node):
    if isinstance(node, ast.Constant):
        return node.value
    return _text(node)


def _text(node) -> str:
    """A string argument: a constant, or the text of ``re.compile("...")`` without its anchors."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "compile" and node.args:
        pattern = _text(node.args[0])
        return re.sub(r"\\(.)", r"\1", pattern.strip("^$"))
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(value) if isinstance(value, ast.Constant) else "{}" for value in node.values)
    return ast.unparse(node)
