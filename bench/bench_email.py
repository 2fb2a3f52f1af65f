"""Emails parsed per second on the generated order-email corpus, and how many exactly right.

    .venv/bin/python bench/bench_email.py [COUNT]     (default 190: 10 of each of the 19 formats)

Prints the overall rate, the exact-match ratio, and per format the rate and the share of
time it takes, so a slow reader (PDF, XLSX) shows up.
"""

import collections
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inbox_parsers.email import parse_email  # noqa: E402
from tests.generators.order_emails import FORMATS, corpus, mismatch  # noqa: E402


def main(count: int) -> None:
    started = time.perf_counter()
    cases = corpus(count)
    generated = time.perf_counter() - started

    seconds: dict[str, float] = collections.defaultdict(float)
    exact: dict[str, int] = collections.Counter()
    total: dict[str, int] = collections.Counter()
    for case in cases:
        started = time.perf_counter()
        result = parse_email(case.raw)
        seconds[case.format] += time.perf_counter() - started
        total[case.format] += 1
        exact[case.format] += mismatch(case, result) is None

    elapsed = sum(seconds.values())
    size = sum(len(c.raw) for c in cases)
    print(f"corpus: {len(cases)} emails, {size / 1e6:.1f} MB, generated in {generated:.1f} s")
    print(f"parsed: {len(cases) / elapsed:.0f} emails/s ({elapsed * 1000 / len(cases):.1f} ms each, {size / 1e6 / elapsed:.1f} MB/s)")
    print(f"exact:  {sum(exact.values())}/{len(cases)} = {sum(exact.values()) / len(cases):.2%}")
    print(f"{'format':20} {'emails/s':>9} {'time share':>10} {'exact':>8}")
    for fmt in FORMATS:
        if total[fmt]:
            print(f"{fmt:20} {total[fmt] / seconds[fmt]:9.0f} {seconds[fmt] / elapsed:10.1%} {exact[fmt]:>4}/{total[fmt]:<3}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 190)
