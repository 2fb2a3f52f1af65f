"""Screens from selectors YAML, driven in real headless Chromium."""

import pytest

from bots.runtime.screens import Screen, SelectorError, load_screen

ORDER_FORM = """
<form aria-label="Sales order">
  <label for="c1">Customer</label><input id="c1" name="customer">
  <table aria-label="Lines">
    <tr><th>Item</th><th>Quantity</th></tr>
    <tr><td><input aria-label="Item, line 1"></td><td><input aria-label="Quantity, line 1"></td></tr>
    <tr><td><input aria-label="Item, line 2"></td><td><input aria-label="Quantity, line 2"></td></tr>
  </table>
  <button type="button" onclick="document.getElementById('s').textContent='Sales order 10000123 saved'">Save</button>
  <div id="s" role="status"></div>
</form>
"""

SCREEN_YAML = """
screen: Sales order (test)
elements:
  form:      {role: form, name: "Sales order"}
  customer:  {label: "Customer", within: form}
  line_item: {label: "Item, line {n}", exact: true}
  save:      {role: button, name: "Save"}
  status:    {role: status}
"""


@pytest.fixture
def selectors(tmp_path):
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "order.yaml").write_text(SCREEN_YAML)
    return tmp_path


@pytest.mark.browser
def test_a_screen_finds_elements_by_label_role_and_placeholders(page, selectors):
    page.set_content(ORDER_FORM)
    screen = Screen(page, "test/order", selectors_dir=selectors)

    screen["customer"].fill("C1001")
    screen.get("line_item", n=2).fill("NW-4410")
    screen["save"].click()

    assert page.locator("#c1").input_value() == "C1001"
    assert page.get_by_label("Item, line 2").input_value() == "NW-4410"
    assert screen["status"].text_content() == "Sales order 10000123 saved"


def test_an_unknown_element_names_the_file_and_what_it_has(selectors):
    screen = Screen(page=None, name="test/order", selectors_dir=selectors)
    with pytest.raises(SelectorError, match=r"selectors/test/order.yaml has no element 'cancel' \(it has: customer, form"):
        screen["cancel"]


def test_a_missing_placeholder_value_is_named(selectors):
    screen = Screen(page=None, name="test/order", selectors_dir=selectors)
    with pytest.raises(SelectorError, match="needs a value for 'n'"):
        screen.get("line_item")


@pytest.mark.parametrize(
    "body, message",
    [
        ("screen: x\n", "needs an 'elements:' mapping"),
        ("elements:\n  save: {nth: 2}\n", "element 'save' needs one of role, label"),
        ("elements:\n  save: {label: Save, within: dialog}\n", "within 'dialog', which the file does not define"),
    ],
)
def test_malformed_selectors_files_are_refused_with_the_fix(tmp_path, body, message):
    (tmp_path / "bad.yaml").write_text(body)
    with pytest.raises(SelectorError, match=message):
        load_screen("bad", str(tmp_path))


def test_every_shipped_selectors_file_loads():
    from bots.runtime.resources import data_dir

    root = data_dir("selectors")
    for path in root.rglob("*.yaml"):
        name = str(path.relative_to(root).with_suffix(""))
        title, elements = load_screen(name, str(root))
        assert elements, name


@pytest.mark.parametrize(
    "body, message",
    [
        ("elements:\n  save: {role: button, name: Save}\n  total: {lable: Total}\n",
         r"bad.yaml, line 3: element 'total' has an unknown key 'lable'; did you mean 'label'\?"),
        ("elements:\n  save: {role: buton, name: Save}\n",
         r"line 2: element 'save': 'buton' is not an ARIA role; did you mean 'button'\?"),
        ("elements:\n  save: {label: Save, text: Save}\n",
         r"line 2: element 'save' has both 'label' and 'text'; keep one"),
        ("elements:\n  save: {label: Save, name: Save}\n", r"line 2: element 'save': 'name' goes with 'role' only"),
        ("elements:\n  a: {label: A}\n  b: {label: B, nth: second}\n", r"line 3: element 'b': 'nth' is a number from 0"),
        ("elements:\n  a: {label: A, wait: shown}\n", r"line 2: element 'a': 'wait' is one of attached, visible"),
        ("elements:\n  a: {label: A, timeout: soon}\n", r"line 2: element 'a': timeout: 'soon' is not a duration; write e.g. 5 seconds"),
        ("elements:\n  a: {label: 'Line {n'}\n", r"line 2: element 'a': label 'Line \{n' has an unmatched brace"),
        ("elements:\n  a: {label: A, within: b}\n  b: {role: row, within: a}\n", r"element 'a' is within itself \(a -> b -> a\)"),
        ("ready: {spinner: busy}\nelements:\n  a: {label: A}\n", r"line 1: ready: spinner 'busy' is not an element of the file"),
        ("ready: {requests: ajax}\nelements:\n  a: {label: A}\n", r"line 1: ready: 'requests' is one of none, network, jquery"),
        ("screen: {title: A, url: '(va01'}\nelements:\n  a: {label: A}\n", r"line 1: screen url '\(va01' is not a regular expression"),
        ("within: tabs\nelements:\n  a: {label: A}\n", r"line 1: the file's 'within: tabs' is not an element of the file"),
        ("elements:\n  a: {label: A}\nlogin:\n  steps: [{fill: user}]\n", r"line 4: login needs 'fields:'"),
        ("elements:\n  a: {label: A}\nlogin:\n  fields: {user: a}\n  steps: [{type: user}]\n  success: {element: a}\n",
         r"line 5: a login step is one of fill: \.\.\., click: \.\.\."),
        ("elements:\n  a: {label: A}\nlogin:\n  fields: {user: a}\n", r"login needs 'success:'"),
        ("elements:\n  a: {label: A}\nsearch:\n  fields: {po: a}\n  results: a\n", r"line 4: search needs 'match'"),
        ("elements:\n  a: {label: A\n", r"bad.yaml, line 3: not valid YAML"),
        ("elemnts:\n  a: {label: A}\n", r"line 1: the file has an unknown key 'elemnts'; did you mean 'elements'\?"),
    ],
)
def test_schema_mistakes_name_the_line_and_the_fix(tmp_path, body, message):
    from bots.runtime.screens import read_screen_file

    (tmp_path / "bad.yaml").write_text(body)
    with pytest.raises(SelectorError, match=message):
        read_screen_file(tmp_path / "bad.yaml")


FULL_YAML = """
screen: {title: Lines (test), url: "lines\\\\.html$", heading: Lines}
ready: {requests: network, quiet: 50 ms, enabled: save, timeout: 3 seconds}
within: form
elements:
  form:      {role: form, name: "Order"}
  row:       {role: row, has_text: "{sku}"}
  quantity:  {role: textbox, within: row}
  second:    {xpath: "//tr", nth: 2}
  first_row: {css: "tr", nth: first}
  save:      {role: button, name: Save, exact: true, wait: enabled, timeout: 2 seconds}
  outside:   {text: "Outside", within: page}
"""


@pytest.mark.browser
def test_scopes_filters_nth_xpath_and_a_default_scope(page, tmp_path):
    from bots.runtime.screens import read_screen_file

    (tmp_path / "lines.yaml").write_text(FULL_YAML)
    page.set_content("""<p>Outside</p><form aria-label="Order"><table>
      <tr><td>NW-1</td><td><input aria-label="q1" value="1"></td></tr>
      <tr><td>NW-2</td><td><input aria-label="q2" value="2"></td></tr>
      <tr><td>NW-3</td><td><input aria-label="q3" value="3"></td></tr></table><button>Save</button></form>""")
    screen = Screen(page, "lines", selectors_dir=tmp_path)
    loaded = read_screen_file(tmp_path / "lines.yaml")

    assert screen.get("quantity", sku="NW-2").input_value() == "2"
    assert screen["second"].inner_text().startswith("NW-3")
    assert screen["first_row"].inner_text().startswith("NW-1")
    assert screen["outside"].count() == 1 and "within" not in loaded.elements["outside"]
    assert loaded.elements["save"]["within"] == "form" and loaded.elements["save"]["timeout"] == 2.0
    assert (loaded.ready.requests, loaded.ready.quiet, loaded.ready.enabled) == ("network", 0.05, ("save",))
    assert loaded.check.url == "lines\\.html$" and loaded.lines["save"] == 11
