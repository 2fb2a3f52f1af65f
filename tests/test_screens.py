"""Screens from selectors YAML, driven in real headless Chromium."""

import pytest

from bots.screens import Screen, SelectorError, load_screen

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
    from bots.resources import data_dir

    root = data_dir("selectors")
    for path in root.rglob("*.yaml"):
        name = str(path.relative_to(root).with_suffix(""))
        title, elements = load_screen(name, str(root))
        assert elements, name
