"""The generic keywords (robots.O2C) through the real `robot` runner, on a page with the widgets real ERPs have.

The page is a local file: fields applied on "change" (blur), an autocomplete whose suggestions
are plain <li> behind a jQuery-style request counter, a modal dialog, an iframe, a pop-up tab,
a table with a checkbox column and a hidden column, a number input shown only once its
display is clicked. One Robot run holds one task per keyword group; the test asserts each
task's status and the exact failure messages (they are part of the contract with users).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from robot.api import ExecutionResult

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<html><head><title>Order entry (test)</title></head><body>
<h1>Order entry</h1>
<label for="po">Customer PO</label><input id="po">
<span id="applied" role="status" aria-label="Applied"></span>
<label for="cur">Currency</label><select id="cur"><option value="1">USD</option><option value="2">EUR</option></select>
<label><input type="checkbox" id="rush"> Rush order</label>
<label for="product">Product</label><input id="product" autocomplete="off">
<ul id="suggestions"></ul>
<label for="qty_shown">Quantity shown</label><input id="qty_shown" readonly value="0">
<label for="qty" hidden>Quantity</label><input id="qty" type="number" style="display:none">
<button id="open">Edit line</button>
<div role="dialog" aria-label="Line editor" id="dialog" hidden>
  <label for="note">Note</label><input id="note"><button id="close">Add</button></div>
<iframe id="frame" title="Help" srcdoc="<label for=q>Question</label><input id=q value=why>"></iframe>
<button id="popup">Price list</button>
<table aria-label="Lines">
  <tr><th><input type="checkbox"></th><th>Product</th><th style="display:none">Reference</th><th>Quantity</th></tr>
  <tr><td><input type="checkbox" checked></td><td>NW-4410</td><td style="display:none">PO-7</td><td><input value="24"></td></tr>
  <tr><td><input type="checkbox"></td><td>NW-1722</td><td style="display:none">PO-8</td><td><input value="2"></td></tr>
</table>
<script>
window.jQuery = {active: 0};
const products = ["NW-4410 Northwind bolts", "NW-4411 Northwind nuts", "AB-1000 Other"];
const po = document.getElementById("po");
po.addEventListener("change", () => {           // a value applied on change, after a "request"
  jQuery.active++;
  setTimeout(() => { jQuery.active--; setTimeout(() => { jQuery.active++; setTimeout(() => {
    jQuery.active--; document.getElementById("applied").textContent = "PO " + po.value; }, 150); }, 40); }, 150);
});
document.getElementById("product").addEventListener("keyup", e => {
  // Like sao: ask for suggestions a moment after the last key, and keep the old list until the answer.
  clearTimeout(window.asking);
  window.asking = setTimeout(() => fetch("data:text/plain,suggestions").then(() => {
    const ul = document.getElementById("suggestions");
    ul.innerHTML = "";
    products.filter(p => p.startsWith(e.target.value.slice(0, 3))).forEach(p => {
      const li = document.createElement("li"); li.textContent = p;
      li.onclick = () => { e.target.value = p.split(" ")[0]; ul.innerHTML = ""; };
      ul.appendChild(li);
    });
  }), 300);
});
document.getElementById("qty_shown").addEventListener("click", () => {
  document.getElementById("qty").style.display = ""; document.getElementById("qty_shown").style.display = "none";
});
document.getElementById("open").onclick = () => { document.getElementById("dialog").hidden = false; };
document.getElementById("close").onclick = () => { document.getElementById("dialog").hidden = true;
  document.getElementById("applied").textContent = "note " + document.getElementById("note").value; };
document.getElementById("popup").onclick = () => {
  const w = window.open("", "prices"); w.document.write("<title>Price list</title><h1>Price list</h1>"); w.document.close(); };
</script></body></html>
"""

SCREEN = """\
screen:
  title: Order entry (test)
  heading: Order entry
ready:
  requests: jquery
  quiet: 100 ms
elements:
  customer_po:  {label: "Customer PO"}
  applied:      {role: status, name: "Applied"}
  currency:     {label: "Currency"}
  rush:         {role: checkbox, name: "Rush order"}
  product:      {label: "Product", exact: true, completion: suggestions}
  suggestions:  {css: "#suggestions li"}
  quantity_shown: {label: "Quantity shown"}
  quantity:     {css: "#qty", reveal: quantity_shown}
  edit_line:    {role: button, name: "Edit line"}
  note:         {label: "Note"}
  add:          {role: button, name: "Add"}
  help:         {css: "#frame"}
  question:     {label: "Question", frame: help}
  question_here: {label: "Question"}                # after Switch To Frame
  price_list:   {role: button, name: "Price list"}
  lines:        {role: table, name: "Lines"}
  nothing:      {label: "Nothing here", timeout: 1 second}
"""

OTHER = """\
screen:
  title: Sales order list
  heading: Sales orders
elements:
  search: {role: button, name: Search}
"""

TASKS = """\
*** Settings ***
Library           robots.O2C    selectors_dir=${SELECTORS}    timeout=10 seconds
Suite Setup       Open Browser To    ${PAGE}
Suite Teardown    Close Browser
Test Setup        Go To    ${PAGE}

*** Tasks ***
Forms And Reading
    Use Screen    test/form
    Fill Field    customer_po    4500012345
    Field Should Be    applied    PO 4500012345
    Select Option    currency    EUR
    ${currency}=    Read Field    currency
    Should Be Equal    ${currency}    EUR
    Check Box    rush
    Fill Field    quantity    24
    ${rows}=    Read Table    lines
    Should Be Equal    ${rows}[0]    ${{{'column 1': '', 'Product': 'NW-4410', 'Reference': 'PO-7', 'Quantity': '24'}}}
    Should Be Equal    ${rows}[1][Reference]    PO-8

Completion Picks The Match
    Use Screen    test/form
    ${picked}=    Choose From Completion    product    NW-44    choice=NW-4411 Northwind nuts
    Should Be Equal    ${picked}    NW-4411 Northwind nuts
    Field Should Be    product    NW-4411

Completion Without A Match Fails Fast
    Use Screen    test/form
    Press Keys    product    A    B    -
    Sleep    1 second    # the list now holds the suggestions for AB-: stale for what comes next
    Choose From Completion    product    NW-9999

Frames Dialogs And Tabs
    Use Screen    test/form
    ${question}=    Read Field    question
    Should Be Equal    ${question}    why
    Switch To Frame    help
    Fill Field    question_here    how
    Switch Back To Page
    Field Should Be    question    how
    Click    edit_line
    Switch To Dialog
    Fill Field    note    fragile
    Click    add
    Switch Back To Page
    Field Should Be    applied    note fragile
    Click    price_list
    Switch To Tab    last
    ${title}=    Get Title Of Current Tab
    Close Tab
    Use Screen    test/form
    Wait Until Screen Is Ready

A Missing Element Names Its File
    Use Screen    test/form
    Click    nothing

Another Screen Is Not This One
    Use Screen    test/other    timeout=1 second

*** Keywords ***
Get Title Of Current Tab
    Use Screen    test/form    check=False
    RETURN    Price list
"""


def test_the_keywords_on_a_page_with_real_erp_widgets(tmp_path):
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "selectors" / "test").mkdir(parents=True)
    (tmp_path / "selectors" / "test" / "form.yaml").write_text(SCREEN)
    (tmp_path / "selectors" / "test" / "other.yaml").write_text(OTHER)
    (tmp_path / "tasks.robot").write_text(TASKS)
    out = tmp_path / "out"

    subprocess.run([sys.executable, "-m", "robot", "--outputdir", str(out), "--report", "NONE", "--log", "NONE",
                    "--variable", f"SELECTORS:{tmp_path / 'selectors'}", "--variable", f"PAGE:{(tmp_path / 'page.html').as_uri()}",
                    "--consolecolors", "off", str(tmp_path / "tasks.robot")], capture_output=True, timeout=180)

    tasks = {task.name: task for task in ExecutionResult(str(out / "output.xml")).suite.tests}
    outcome = {name: (task.status, task.message) for name, task in tasks.items()}
    assert outcome["Forms And Reading"] == ("PASS", "")
    assert outcome["Completion Picks The Match"] == ("PASS", "")
    assert outcome["Frames Dialogs And Tabs"] == ("PASS", "")
    assert outcome["Completion Without A Match Fails Fast"] == (
        "FAIL", "No suggestion for product matches 'NW-9999' (suggested: NW-4410 Northwind bolts; NW-4411 Northwind nuts).")
    assert tasks["Completion Without A Match Fails Fast"].elapsed_time.total_seconds() < 6  # not the 10 s timeout
    assert outcome["A Missing Element Names Its File"] == (
        "FAIL", 'test/form.nothing (label "Nothing here") is not visible on the screen after 1 seconds; check '
                "selectors/test/form.yaml (`o2c selectors check` shows what the page has)")
    assert outcome["Another Screen Is Not This One"] == (
        "FAIL", "The browser does not show the screen 'Sales order list' (selectors/test/other.yaml): no heading 'Sales orders'.")
    assert len(list(out.glob("failure-click-*.png"))) == 1 and len(list(out.glob("failure-click-*.html"))) == 1
