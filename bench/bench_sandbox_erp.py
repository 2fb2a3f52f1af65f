"""How fast the sandbox ERP answers over real HTTP: seeding, screens, saves, the CSV export.

    .venv/bin/python bench/bench_sandbox_erp.py [--orders 50]

Starts the ERP on a free loopback port in a temporary folder (no faults, no latency), logs
in as a clerk would, and prints timings. Bots' own timings include the browser on top.
"""

import argparse
import http.cookiejar
import re
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from sandbox import masterdata
from sandbox.common import SandboxOptions
from sandbox.server import start_all


class Session:
    """A cookie-keeping HTTP client that posts forms with the screen's CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, fields: list[tuple[str, str]], token_from: str = "/start") -> str:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.get(token_from)).group(1)
        body = urllib.parse.urlencode(fields + [("csrf_token", token)]).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50, help="sales orders to save")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        options = SandboxOptions(seed=42, data_dir=Path(folder), today=date(2026, 11, 25))
        began = time.perf_counter()
        sandbox = start_all(options, port_base=0, systems=["erp"])
        seeding_ms = (time.perf_counter() - began) * 1000
        try:
            session = Session(sandbox.url("erp"))
            login = session.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
            session.opener.open(sandbox.url("erp") + "/login", data=urllib.parse.urlencode(
                {"user": "clerk", "password": "clerk123", "csrf_token": token}).encode(), timeout=30).read()

            item = masterdata.items(42)[0].sku
            screens = {path: timed(lambda p=path: session.get(p), 20)
                       for path in ("/start", "/va01", "/va05", "/fbl5n", "/f-28?customer=C1001")}
            counter = iter(range(10**6))
            saves = timed(lambda: session.post("/va01", [
                ("customer", "C1001"), ("customer_po", f"BENCH-{next(counter)}"), ("order_date", "2026-11-25"),
                ("ship_to", "Dock 1"), ("item", item), ("quantity", "3"), ("price", "")]), args.orders)
            export = timed(lambda: session.get("/fbl5n/export.csv"), 10)
        finally:
            sandbox.stop()

    print(f"seed and start the ERP        {seeding_ms:8.1f} ms")
    for path, times in screens.items():
        print(f"GET {path:<26} median {statistics.median(times):6.1f} ms   max {max(times):6.1f} ms")
    print(f"save a sales order (token+POST) median {statistics.median(saves):6.1f} ms   "
          f"{len(saves) / (sum(saves) / 1000):.1f} orders/s")
    print(f"open items CSV export          median {statistics.median(export):6.1f} ms")


if __name__ == "__main__":
    main()
