"""Accuracy and speed of ``parse_email`` on the independent order-email corpus.

    .venv/bin/python bench/bench_wild_order_emails.py [N] [SEED]

Builds N emails (tests/generators/wild_order_emails.py, PDFs printed by headless Chromium),
parses each, and prints per format: exact / total (the contract fields the corpus knows
exactly), how often the customer name is the ordering company (case aside), and
milliseconds per email.
"""

import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inbox_parsers.email import parse_email  # noqa: E402
from tests.generators.wild_order_emails import FORMATS, WEAK_FORMATS, comparable, corpus  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else (len(FORMATS) + len(WEAK_FORMATS)) * 10
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    started = time.perf_counter()
    names = list(FORMATS) + list(WEAK_FORMATS)
    cases = corpus(n, seed=seed, formats=names)
    print(f"built {len(cases)} emails in {time.perf_counter() - started:.1f} s")
    exact, total, seconds = collections.Counter(), collections.Counter(), collections.Counter()
    named, orders = collections.Counter(), collections.Counter()
    for case in cases:
        started = time.perf_counter()
        result = parse_email(case.raw)
        seconds[case.fmt] += time.perf_counter() - started
        total[case.fmt] += 1
        exact[case.fmt] += comparable(result) == case.truth
        for order, company in zip(result["orders"], case.companies):
            orders[case.fmt] += 1
            named[case.fmt] += (order["customer"]["name"] or "").lower() == company.lower()
    print(f"{'format':28s} {'exact':>9s} {'name':>9s} {'ms/email':>9s}")
    for fmt in names:
        print(f"{fmt:28s} {exact[fmt]:>4d}/{total[fmt]:<4d} {named[fmt]:>4d}/{orders[fmt]:<4d}"
              f" {1000 * seconds[fmt] / max(total[fmt], 1):9.1f}")
    all_exact, all_total = sum(exact.values()), sum(total.values())
    print(f"{'overall':28s} {all_exact:>4d}/{all_total:<4d} {sum(named.values()):>4d}/{sum(orders.values()):<4d}"
          f" {1000 * sum(seconds.values()) / all_total:9.1f}"
          f"   exact ratio {all_exact / all_total:.4f}")


if __name__ == "__main__":
    main()
