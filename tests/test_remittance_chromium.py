"""Remittance advices printed by Chromium, not reportlab: kerned glyph runs, wrapped cells,
headers repeated by the layout engine on every page."""

from collections import Counter

import pytest

from inbox_parsers.remittance import parse_remittance, to_contract
from tests.generators.remittance_html import HTML_LAYOUTS

FIELDS = ["payer", "payment_reference", "payment_date", "payment_method", "currency", "total", "lines"]

pytestmark = pytest.mark.browser


def test_chromium_printed_advices_parse_exactly(chromium_remittances):
    exact, seen, failures = Counter(), Counter(), []
    for path, truth, layout in chromium_remittances:
        got = to_contract(parse_remittance(path))
        got["lines"] = [{k: v for k, v in line.items() if k != "reason"} for line in got["lines"]]
        seen[layout] += 1
        wrong = [name for name in FIELDS if got[name] != truth[name]]
        if wrong:
            failures.append(f"{path.name}: {wrong}")
        else:
            exact[layout] += 1
    print("\nchromium accuracy: " + ", ".join(f"{l} {exact[l]}/{seen[l]}" for l in HTML_LAYOUTS))
    assert not failures, failures
