"""`o2c selectors check selectors/NAME.yaml --url URL`: which elements of a screen's file the page really has.

Opens the page in headless Chromium (after the log-in recipe of ``--login``, when given) and
reports each element as found once, found N times (an action on it would fail: narrow it) or
missing, so a user sees at once what an ERP upgrade broke. Elements whose texts need
``{placeholders}`` are checked with the values of ``--param NAME=VALUE``, else listed as
needing them. Exit codes: 0 every element found once, 1 something missing or found more
than once, 2 a file that does not load (the message names the line and the fix).
"""

import os
from pathlib import Path

import typer

from bots.cli.main import app
from bots.cli.output import fail_input, print_json, print_table
from bots.runtime.errors import InputError

selectors_app = typer.Typer(help="Check selectors files against the screens they describe.", no_args_is_help=True)
app.add_typer(selectors_app, name="selectors")


@selectors_app.command("check")
def check_command(
    file: Path = typer.Argument(..., help="The selectors file, e.g. selectors/erp/sales_order.yaml."),
    url: str = typer.Option(..., "--url", help="The page to check it on."),
    login: str = typer.Option(None, "--login", help="A file with a login: recipe to log in with first, e.g. erp/login."),
    field: list[str] = typer.Option([], "--field", help="A log-in field, NAME=VALUE or NAME=env:VARIABLE (repeatable)."),
    param: list[str] = typer.Option([], "--param", help="A value for the elements' {placeholders}, NAME=VALUE (repeatable)."),
    timeout: float = typer.Option(10.0, "--timeout", help="Seconds to wait for the page and the log-in."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Open the page and report each element of the file: found once, found N times, or missing."""
    try:
        report = check_file(file, url, login, _pairs(field, secret_env=True), _pairs(param), timeout)
    except InputError as error:
        fail_input(error, as_json)
    if as_json:
        print_json(report)
    else:
        rows = [[e["element"], e["line"], e["locator"], e["status"]] for e in report["elements"]]
        print_table(f"{report['file']} on {report['url']}", ["Element", "Line", "Found by", "On the page"], rows,
                    right={"Line"})
        typer.echo(f"Screen check: {report['screen']['status']}.  " +
                   "  ".join(f"{k}: {v}" for k, v in report["summary"].items()))
    if not report["ok"]:
        raise typer.Exit(1)


def check_file(file: Path, url: str, login: str | None, fields: dict, params: dict, timeout: float) -> dict:
    """The report ``--json`` prints (see the module's docstring)."""
    from bots.runtime.screens import Screen, SelectorError, parameters, read_screen_file
    from robots.O2C import O2C

    file = Path(file)
    if not file.is_file():
        raise InputError(f"there is no selectors file {file}", str(file))
    try:
        screen_file = read_screen_file(file, _screen_name(file))
    except SelectorError as error:
        raise InputError(str(error), str(file)) from None
    library = O2C(timeout=f"{timeout} seconds", selectors_dir=str(_selectors_root(file)))
    elements, counts = [], {"found once": 0, "found more than once": 0, "missing": 0, "needs parameters": 0}
    try:
        library.call("Open Browser To", url)
        if login:
            library.call("Log In", login, **fields)
            library.call("Go To", url)
        page = library.page
        page.wait_for_load_state()
        screen = Screen(page, screen_file.name, _selectors_root(file))
        screen_status = _screen_status(library, screen_file)
        for name, entry in screen_file.elements.items():
            needed = [p for p in parameters(entry) if p not in params]
            row = {"element": name, "line": screen_file.lines.get(name), "locator": screen.describe(name)}
            if needed:
                row.update(count=None, status=f"needs {', '.join(needed)} (give --param {needed[0]}=...)")
                counts["needs parameters"] += 1
            else:
                found = screen.get(name, **params).count()
                row.update(count=found, status="found once" if found == 1 else "missing" if found == 0
                           else f"found {found} times")
                counts["found once" if found == 1 else "missing" if found == 0 else "found more than once"] += 1
            elements.append(row)
    except AssertionError as error:  # a keyword of the library failed: the page or the log-in
        raise InputError(f"could not open {url}: {error}", str(file)) from None
    finally:
        library.call("Close Browser")
    return {"file": str(file), "url": url, "screen": screen_status, "elements": elements, "summary": counts,
            "ok": counts["missing"] == 0 and counts["found more than once"] == 0 and screen_status["ok"]}


def _screen_status(library, screen_file) -> dict:
    import re

    check, page = screen_file.check, library.page
    problems = []
    if check.url and not re.search(check.url, page.url):
        problems.append(f"the address {page.url} does not match {check.url!r}")
    if check.heading and not page.get_by_role("heading", name=check.heading).count():
        problems.append(f"no heading {check.heading!r}")
    if not (check.url or check.heading):
        return {"ok": True, "status": "not checked (the file's screen: has no url or heading)"}
    return {"ok": not problems, "status": "; ".join(problems) or "this is the screen"}


def _selectors_root(file: Path) -> Path:
    """The selectors/ folder a file is in (its names are relative to it), else the file's own folder."""
    for parent in file.resolve().parents:
        if parent.name == "selectors":
            return parent
    return file.resolve().parent


def _screen_name(file: Path) -> str:
    return str(file.resolve().relative_to(_selectors_root(file)).with_suffix(""))


def _pairs(values: list[str], secret_env: bool = False) -> dict:
    pairs = {}
    for value in values:
        if "=" not in value:
            raise InputError(f"{value!r} is not NAME=VALUE", None)
        name, text = value.split("=", 1)
        if secret_env and text.startswith("env:"):
            text = os.environ.get(text[4:], "")
        pairs[name] = text
    return pairs
