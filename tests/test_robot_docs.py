"""The keyword manual in docs/ is the library's docstrings: regenerated, it must be what is committed."""

import json
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT / "docs"))

from generate import spec  # noqa: E402


def test_the_committed_manual_matches_the_docstrings():
    committed = json.loads((CHECKOUT / "docs" / "O2C.json").read_text(encoding="utf-8"))
    assert committed == spec(), "docs/ is older than robots/O2C: run .venv/bin/python docs/generate.py"
    html = (CHECKOUT / "docs" / "O2C.html").read_text(encoding="utf-8")
    for keyword in committed["keywords"]:
        assert keyword["name"] in html, keyword["name"]


def test_every_keyword_starts_its_manual_with_a_sentence_and_shows_an_example():
    for keyword in spec()["keywords"]:
        first = keyword["shortdoc"]
        assert first[0].isupper() and first.rstrip().endswith((".", ":")), (keyword["name"], first)
        assert "<table" in keyword["doc"], f"{keyword['name']} shows no example table in Robot syntax"
