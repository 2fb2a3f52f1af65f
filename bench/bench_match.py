"""Benchmark of ``o2c match``: a million open items, a hundred thousand payments.

    .venv/bin/python bench/bench_match.py                 # full scale (1,000,000 / 100,000)
    .venv/bin/python bench/bench_match.py --scale 0.05    # a quick look while developing

Generates the data (seeded) into a temporary folder: an open-items CSV and a payments JSON,
90% of payments with remittance lines (1-5 lines, a tenth of the references mangled), 10%
without (bank memo and payer name only). Then runs, each in its own process so peak memory
(``ru_maxrss``) is that run's alone:

- the floor: a bare pandas join of the remittance references to the invoice numbers on the
  same data (reading the files, then one merge);
- ``match``: loading both files and matching, as ``o2c match --json`` does (the JSON is built
  but not printed).

Targets: at most 3x the floor's wall time and under 1 GiB peak for the full scale.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_RATIO = 3.0
TARGET_BYTES = 1024 ** 3
SYLLABLES = ["ka", "ro", "vel", "dos", "trin", "ma", "bel", "lor", "zen", "qui", "par", "ten", "hol", "mir",
             "sa", "tor", "vin", "gal", "rup", "nes", "cor", "bri", "fal", "dun", "wex", "yor", "pim", "lax"]
TRADES = ["Grocers", "Foods", "Supply", "Outfitters", "Hardware", "Textiles", "Logistics", "Pharma"]


def generate(folder: Path, items: int, payments: int, seed: int = 7) -> tuple[Path, Path]:
    """Write ``open_items.csv`` and ``payments.json`` with the given sizes; return their paths."""
    rng = np.random.default_rng(seed)
    customers = max(items // 20, 1)
    words = [a + b + c + d for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES for d in SYLLABLES[:4]]
    rng.shuffle(words)
    names = [f"{words[i].capitalize()} {TRADES[i % len(TRADES)]} {'Inc' if i % 2 else 'LLC'}" for i in range(customers)]
    customer_of = rng.integers(0, customers, items)
    cents = rng.integers(5_000, 5_000_000, items)
    invoice_days = rng.integers(0, 90, items)
    invoice_dates = (np.datetime64("2026-08-01") + invoice_days).astype(str)
    due_dates = (np.datetime64("2026-08-31") + invoice_days).astype(str)
    amounts = [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]
    frame = pd.DataFrame({
        "customer_id": [f"C{100000 + c}" for c in customer_of.tolist()],
        "customer_name": [names[c] for c in customer_of.tolist()],
        "invoice": [f"INV-{1_000_000 + i}" for i in range(items)],
        "invoice_date": invoice_dates, "due_date": due_dates, "currency": "USD",
        "amount": amounts, "open_amount": amounts,
    })
    items_path = folder / "open_items.csv"
    frame.to_csv(items_path, index=False)

    # Each payment pays some of one customer's items; each item is paid at most once.
    order = np.argsort(customer_of, kind="stable")
    bounds = np.searchsorted(customer_of[order], np.arange(customers + 1))
    unpaid = {c: order[bounds[c]:bounds[c + 1]].tolist() for c in range(customers) if bounds[c + 1] > bounds[c]}
    payers = rng.choice(list(unpaid), payments)
    records = []
    for number in range(payments):
        with_lines = number % 10 != 0
        count = int(rng.integers(1, 6)) if with_lines else 1
        customer = int(payers[number])
        if not unpaid.get(customer):
            customer = next(c for c, rows in unpaid.items() if rows)
        rows = unpaid[customer][:count]
        del unpaid[customer][:count]
        total = sum(int(cents[row]) for row in rows)
        lines = []
        if with_lines:
            for row in rows:
                reference = f"INV-{1_000_000 + row}"
                if rng.random() < 0.1:   # a tenth of the references arrive mangled
                    reference = str(1_000_000 + row) if rng.random() < 0.5 else reference.lower() + "/1"
                paid = f"{cents[row] // 100}.{cents[row] % 100:02d}"
                lines.append({"invoice": reference, "gross": paid, "discount": "0.00", "deduction": "0.00",
                              "paid": paid})
        records.append({"payment_reference": f"P{number:06d}", "payer": names[customer].upper(),
                        "payment_date": "2026-11-10", "currency": "USD", "total": f"{total // 100}.{total % 100:02d}",
                        "memo": "ACH CREDIT", "lines": lines})
    payments_path = folder / "payments.json"
    payments_path.write_text(json.dumps(records), encoding="utf-8")
    return items_path, payments_path


FLOOR = """
import json, resource, sys, time
import pandas as pd
start = time.perf_counter()
items = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
lines = pd.DataFrame([line for p in json.load(open(sys.argv[2])) for line in p["lines"]])
loaded = time.perf_counter()
joined = lines.merge(items, on="invoice", how="left")
done = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"load": loaded - start, "join": done - loaded, "rows": len(joined), "peak": peak}))
"""

MATCH = """
import json, resource, sys, time
import orjson
from bots.cash import load_open_items, load_payments, match_payments
start = time.perf_counter()
items = load_open_items(sys.argv[1])
payments = load_payments(sys.argv[2])
loaded = time.perf_counter()
output = match_payments(items, payments).to_json()
text = orjson.dumps(output)   # as o2c match --json writes a large result
done = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"load": loaded - start, "match": done - loaded, "summary": output["summary"], "peak": peak}))
"""


def run(script: str, *args) -> tuple[dict, float, float, int]:
    """Run ``script`` in a fresh interpreter; return its JSON line, wall seconds, CPU seconds
    (user + system: what the run costs when the machine is shared) and its own peak RSS bytes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True,
                               cwd=Path(__file__).resolve().parent.parent)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(completed.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    return report, seconds, cpu, report["peak"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 1,000,000 items / 100,000 payments")
    args = parser.parse_args()
    items, payments = int(1_000_000 * args.scale), int(100_000 * args.scale)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        items_path, payments_path = generate(Path(folder), items, payments)
        print(f"data: {items:,} open items, {payments:,} payments "
              f"({time.perf_counter() - started:.1f} s to generate)")
        floor, floor_seconds, floor_cpu, floor_peak = run(FLOOR, items_path, payments_path)
        match, match_seconds, match_cpu, match_peak = run(MATCH, items_path, payments_path)
    load = os.getloadavg()[0]
    summary = match["summary"]
    print(f"floor (bare pandas join): {floor_seconds:6.2f} s wall, {floor_cpu:6.2f} s CPU  (read {floor['load']:.2f} s, "
          f"join {floor['join']:.2f} s)  peak {floor_peak / 2**20:,.0f} MiB")
    print(f"match (o2c match):        {match_seconds:6.2f} s wall, {match_cpu:6.2f} s CPU  (load {match['load']:.2f} s, "
          f"match {match['match']:.2f} s)  peak {match_peak / 2**20:,.0f} MiB")
    print(f"ratio match / floor:      {match_seconds / floor_seconds:6.2f} x wall, {match_cpu / floor_cpu:.2f} x CPU, "
          f"{match['match'] / max(floor['join'], 1e-9):.1f} x the join alone")
    print(f"machine load average {load:.1f} on {os.cpu_count()} cores (wall time stretches when it is above the cores)")
    print(f"payments {summary['payments']:,}: applied {summary['applied']:,}, exceptions {summary['exceptions']:,} "
          f"({summary['applied'] / max(summary['payments'], 1):.1%} straight through)")
    ok = match_seconds <= TARGET_RATIO * floor_seconds and match_peak < TARGET_BYTES
    print(f"targets (<= {TARGET_RATIO:.0f}x the floor, < 1 GiB peak): {'met' if ok else 'NOT met'}"
          + ("" if args.scale >= 1.0 else " (at this scale; the targets are for the full scale)"))


if __name__ == "__main__":
    main()
