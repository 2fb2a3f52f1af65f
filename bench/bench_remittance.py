"""Remittance parsing speed beside pdfplumber's own extract_words (the floor for a pdfplumber parser).

    .venv/bin/python bench/bench_remittance.py [DOCUMENTS]

Writes a generated corpus (all layouts) to a temporary folder, then times, over the same
files: (1) opening each PDF and calling ``extract_words`` on every page, (2) the whole
parser (``parse_remittance``). Prints pages per second for both, the ratio (goal: at most
2x), and the share of documents parsed exactly.
"""

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pdfplumber  # noqa: E402

from inbox_parsers.remittance import parse_remittance, to_contract  # noqa: E402
from tests.generators.remittances import LAYOUTS, generate_corpus  # noqa: E402

FIELDS = ["payer", "payment_reference", "payment_date", "payment_method", "currency", "total", "lines"]


ROUNDS = 3


def _extract_words(paths) -> int:
    """The floor: open each PDF and extract the words of every page; return the page count."""
    pages = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_words()
                pages += 1
    return pages


def _parse(paths) -> None:
    for path in paths:
        parse_remittance(path)


def _time(function, paths) -> float:
    start = time.perf_counter()
    function(paths)
    return time.perf_counter() - start


def main(count: int = 80) -> None:
    with tempfile.TemporaryDirectory() as folder:
        corpus = generate_corpus(folder, count, seed=77000)
        paths = [path for path, _, _ in corpus]
        # Alternate the two measurements and keep each one's best run, so neither pays
        # for a cold file cache or for the other engineers' load on the machine.
        floors, parses = [], []
        for _ in range(ROUNDS):
            floors.append(_time(_extract_words, paths))
            parses.append(_time(_parse, paths))
        pages = _extract_words(paths)
        floor, parse = min(floors), min(parses)
        results = [to_contract(parse_remittance(path)) for path in paths]

        exact = {layout: [0, 0] for layout in LAYOUTS}
        for (path, truth, layout), got in zip(corpus, results):  # noqa: B007
            got["lines"] = [{k: v for k, v in l.items() if k != "reason"} for l in got["lines"]]
            exact[layout][1] += 1
            exact[layout][0] += all(got[f] == truth[f] for f in FIELDS)

    print(f"documents: {len(corpus)}, pages: {pages}, best of {ROUNDS} alternating runs")
    print(f"pdfplumber extract_words: {pages / floor:8.1f} pages/s ({floor:.2f} s)")
    print(f"parse_remittance:         {pages / parse:8.1f} pages/s ({parse:.2f} s)")
    print(f"ratio parse / extract_words: {parse / floor:.2f}x (goal <= 2.00x)")
    for layout, (ok, total) in exact.items():
        print(f"  {layout:18s} {ok}/{total} exact")
    ok = sum(v[0] for v in exact.values())
    print(f"exact: {ok}/{len(corpus)} ({ok / len(corpus):.1%})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 80)
