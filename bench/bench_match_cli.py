"""Benchmark of ``o2c match`` end to end, against a bare pandas join of the same files.

    .venv/bin/python bench/bench_match_cli.py                # 300,000 open items / 30,000 payments
    .venv/bin/python bench/bench_match_cli.py --scale 0.1    # a quick look

The data is ``bench_match.generate``'s (seeded), written to a temporary folder. Each run is a
fresh process, timed from outside:

- the floor: read the open-items CSV and the payments JSON with pandas, join the remittance
  lines to the open items on the invoice reference, write the joined rows as JSON;
- ``o2c match --open-items CSV --payments JSON --json`` with its output sent to a file, as a
  scheduler runs it (interpreter start, command-line parsing, reading, matching, writing).

Prints both wall times, CPU times and their ratio. Target: at most 3x the floor.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_match import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 3.0

FLOOR = """
import json, sys
import pandas as pd
items = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
lines = pd.DataFrame([dict(line, payment_reference=p["payment_reference"]) for p in json.load(open(sys.argv[2]))
                      for line in p["lines"]])
joined = lines.merge(items, on="invoice", how="left")
joined.to_json(sys.argv[3], orient="records")
"""


def timed(command: list[str], stdout=None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=stdout or subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    seconds = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(completed.stderr.decode(errors="replace"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 300,000 items / 30,000 payments")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts (shared machines)")
    args = parser.parse_args()
    items, payments = int(300_000 * args.scale), int(30_000 * args.scale)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        items_path, payments_path = generate(folder, items, payments)
        print(f"data: {items:,} open items, {payments:,} payments")
        floors, matches = [], []
        for _ in range(args.repeat):
            floors.append(timed([sys.executable, "-c", FLOOR, str(items_path), str(payments_path),
                                 str(folder / "joined.json")]))
            with open(folder / "result.json", "wb") as out:
                matches.append(timed([sys.executable, "-c", "from bots.cli.main import main; main()", "match",
                                      "--open-items", str(items_path), "--payments", str(payments_path), "--json"],
                                     stdout=out))
        result_size = (folder / "result.json").stat().st_size
    floor_wall, floor_cpu = min(floors)
    match_wall, match_cpu = min(matches)
    print(f"floor (pandas read, join, write): {floor_wall:6.2f} s wall, {floor_cpu:6.2f} s CPU")
    print(f"o2c match --json:                 {match_wall:6.2f} s wall, {match_cpu:6.2f} s CPU "
          f"({result_size / 2**20:.1f} MiB of JSON)")
    print(f"ratio o2c match / floor:          {match_wall / floor_wall:6.2f} x wall, {match_cpu / floor_cpu:.2f} x CPU")
    print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (fastest of {args.repeat} runs)")
    ok = match_wall <= TARGET_RATIO * floor_wall
    print(f"target (<= {TARGET_RATIO:.0f}x the floor): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
