"""Tryton 8.0 and its web client (sao) as a real ERP for the tests to drive.

Everything slow is built once and kept in a cache folder keyed by the versions, so a
second test session starts Tryton in seconds:

- ``install()``: Tryton's server in its own virtual environment (pip: trytond, the sale
  module and proteus, 8.0 series), and the sao web client from npm with the packages
  its ``index.html`` loads from ``node_modules``;
- ``seeded_database()``: a database with every module the sale needs, seeded by
  tests/tryton_seed.py (company, chart of accounts, fiscal year, customers, goods), kept
  as a template SQLite file outside any database folder;
- ``TrytonServer``: one server on a free loopback port over a copy of that template;
  ``reset()`` puts the template back; ``sales()`` reads the sale orders back with SQL.

The cache lives in ``$O2C_TEST_CACHE``, else ``$XDG_CACHE_HOME/o2c-tests``, else
``~/.cache/o2c-tests``. Building takes a lock, so two test sessions never build at once.
"""

import fcntl
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

SERIES = "8.0"
PIP_REQUIREMENTS = ("trytond==8.0.*", "trytond_sale==8.0.*", "proteus==8.0.*")
SAO_PACKAGE = "tryton-sao@8.0"
DATABASE = "o2c"
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "tryton-admin-8"
SEED_SCRIPT = Path(__file__).with_name("tryton_seed.py")

# What the seeded company sells and to whom. Orders in the tests are drawn from here.
CATALOG = {
    "company": "Northwind Wholesale",
    "currency": "USD",
    "customers": [
        "Pinecrest Grocers", "Harbor Freight Outfitters", "Bluewater Provisions",
        "Summit Office Supply", "Redwood Hardware", "Lakeside Cafe Group",
    ],
    "products": [
        {"code": "NW-4410", "name": "Stainless Bolt M8", "list_price": "18.75"},
        {"code": "NW-2210", "name": "Copper Fitting 15mm", "list_price": "4.20"},
        {"code": "NW-7730", "name": "Pallet Wrap Roll", "list_price": "32.00"},
        {"code": "NW-1180", "name": "Safety Gloves Box", "list_price": "11.40"},
        {"code": "NW-5505", "name": "LED Work Lamp", "list_price": "64.90"},
        {"code": "NW-3321", "name": "Cable Ties 300mm", "list_price": "2.35"},
        {"code": "NW-8800", "name": "Label Printer Tape", "list_price": "9.99"},
        {"code": "NW-6120", "name": "Packing Tape Clear", "list_price": "3.15"},
    ],
}


def sample_orders(count: int, prefix: str, seed: int = 12) -> list[dict]:
    """``count`` parsed purchase orders (contract 2's shape) for the seeded catalog, with the truth in them.

    PO numbers are ``prefix`` and a number, all of one length (so none is a part of another);
    one to three lines each, whole quantities, the catalog's prices or a customer's own.
    """
    import random

    rng = random.Random(seed)
    orders = []
    for n in range(1, count + 1):
        products = rng.sample(CATALOG["products"], rng.randint(1, 3))
        orders.append({
            "po_number": f"{prefix}{n:04d}",
            "requested_date": None,
            "customer": {"name": rng.choice(CATALOG["customers"]), "email": None},
            "ship_to": None,
            "lines": [{"sku": product["code"], "description": product["name"], "quantity": str(rng.randint(1, 40)),
                       "unit_price": rng.choice([product["list_price"], f"{Decimal(product['list_price']) * Decimal('0.95'):.2f}"])}
                      for product in products],
        })
    return orders


class TrytonError(RuntimeError):
    """A step of installing, seeding or running Tryton failed; the message says which and why."""


# -- the cache --------------------------------------------------------------------------

def cache_root() -> Path:
    """Where the installed Tryton and the seeded template are kept between test sessions."""
    if os.environ.get("O2C_TEST_CACHE"):
        return Path(os.environ["O2C_TEST_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "o2c-tests"


def install_dir() -> Path:
    """The folder for this Tryton series, keyed by what is installed into it."""
    key = _digest(SERIES, *PIP_REQUIREMENTS, SAO_PACKAGE, f"{sys.version_info[0]}.{sys.version_info[1]}")
    return cache_root() / f"tryton-{SERIES}-{key}"


@contextmanager
def _build_lock(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


# -- installing -------------------------------------------------------------------------

def install() -> Path:
    """Install Tryton's server and the sao client into the cache (once); return the folder."""
    folder = install_dir()
    with _build_lock(folder):
        if not (folder / "venv" / ".complete").exists():
            _install_server(folder / "venv")
        if not (folder / "sao" / ".complete").exists():
            _install_sao(folder / "sao")
    return folder


def _install_server(venv: Path) -> None:
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(venv)], "create Tryton's virtual environment")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
          *PIP_REQUIREMENTS], "pip install Tryton")
    (venv / ".complete").touch()


def _install_sao(sao: Path) -> None:
    if not shutil.which("npm"):
        raise TrytonError("npm is missing: scripts/install.sh installs nodejs and npm (Debian packages)")
    shutil.rmtree(sao, ignore_errors=True)
    unpack = sao.with_name("sao-unpack")
    shutil.rmtree(unpack, ignore_errors=True)
    unpack.mkdir(parents=True)
    npm = ["npm", "--no-audit", "--no-fund", "--loglevel=error"]
    _run([*npm, "pack", SAO_PACKAGE], "npm pack the sao web client", cwd=unpack)
    tarball, = unpack.glob("tryton-sao-*.tgz")
    shutil.unpack_archive(tarball, unpack)
    (unpack / "package").rename(sao)
    shutil.rmtree(unpack)
    # index.html loads jquery, bootstrap, d3... from ./node_modules; a dev dependency pins
    # an old grunt, hence --legacy-peer-deps.
    _run([*npm, "install", "--omit=dev", "--legacy-peer-deps"], "npm install sao's packages", cwd=sao)
    for name in ("custom.js", "custom.css"):  # sao asks for both; empty ones save two 405s
        (sao / name).touch()
    (sao / ".complete").touch()


# -- the seeded database ----------------------------------------------------------------

def seeded_database(folder: Path) -> Path:
    """Return the seeded template SQLite file, creating it (once per catalog and seed script)."""
    key = _digest(SEED_SCRIPT.read_text(encoding="utf-8"), json.dumps(CATALOG, sort_keys=True))
    template = folder / "templates" / f"seeded-{key}.sqlite"
    with _build_lock(folder):
        if not template.exists():
            build = folder / "templates" / f"build-{key}"
            shutil.rmtree(build, ignore_errors=True)
            (build / "db").mkdir(parents=True)
            conf = write_config(build, build / "db", folder / "sao", port=0)
            database = build / "db" / f"{DATABASE}.sqlite"
            database.touch()
            env = _tryton_env(build)
            admin = str(folder / "venv" / "bin" / "trytond-admin")
            _run([admin, "-c", str(conf), "-d", DATABASE, "--all", "--email", "admin@northwind.example",
                  "-u", "sale", "--activate-dependencies"], "create the Tryton database", env=env)
            _run([str(folder / "venv" / "bin" / "python"), str(SEED_SCRIPT), str(conf), DATABASE],
                 "seed the Tryton database", env=env, stdin=json.dumps(CATALOG))
            _checkpoint(database)
            database.rename(template)
            shutil.rmtree(build)
    return template


def write_config(folder: Path, database_dir: Path, sao: Path, port: int) -> Path:
    """Write a trytond.conf: SQLite in ``database_dir``, the web client served on ``port``."""
    conf = folder / "trytond.conf"
    conf.write_text(
        "[database]\nuri = sqlite://\n"
        f"path = {database_dir}\n"
        "[web]\n"
        f"listen = 127.0.0.1:{port}\n"
        f"root = {sao}\n"
        "[session]\n"
        # The tests keep one browser logged in for minutes; do not time it out.
        "timeout = 86400\n",
        encoding="utf-8",
    )
    return conf


def _checkpoint(database: Path) -> None:
    """Fold the WAL into the file, so one file is the whole database."""
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


# -- the server -------------------------------------------------------------------------

class TrytonServer:
    """A trytond on a loopback port, over a copy of the seeded template.

    >>> server = TrytonServer(install(), workdir).start()
    >>> server.url      # http://127.0.0.1:PORT/ serves the sao web client
    >>> server.sales()  # the sale orders, read back from the database
    >>> server.stop()
    """

    def __init__(self, folder: Path, workdir: Path):
        self.folder = folder
        self.template = seeded_database(folder)
        self.workdir = Path(workdir)
        # The template stays outside the database folder: every *.sqlite file there is a database.
        self.database_dir = self.workdir / "db"
        self.database_dir.mkdir(parents=True, exist_ok=True)
        self.database = self.database_dir / f"{DATABASE}.sqlite"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.conf = write_config(self.workdir, self.database_dir, folder / "sao", self.port)
        self.log = self.workdir / "trytond.log"
        self._process = None

    def start(self, timeout: float = 60) -> "TrytonServer":
        """Copy the template in (when there is no database yet) and start the server; wait until it answers."""
        if not self.database.exists():
            self._restore()
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                # -d loads the database's modules at start: trytond 8.0 fails every login with
                # KeyError 'res.user' when another request touched the database first.
                [str(self.folder / "venv" / "bin" / "trytond"), "-c", str(self.conf), "-d", DATABASE],
                stdout=log, stderr=subprocess.STDOUT, env=_tryton_env(self.workdir), start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise TrytonError(f"trytond exited with {self._process.returncode}: {self._log_tail()}")
            if self._logs_in():
                return self
            time.sleep(0.2)
        self.stop()
        raise TrytonError(f"trytond did not answer on {self.url} within {timeout:.0f} s: {self._log_tail()}")

    def login(self) -> dict:
        """Log in as the admin over JSON-RPC, as sao does; return the answer ({"result": ...} or {"error": ...})."""
        request = urllib.request.Request(
            f"{self.url}{DATABASE}/session/login", headers={"Content-Type": "application/json"},
            data=json.dumps({"id": 1, "method": "common.db.login",
                             "params": [ADMIN_LOGIN, {"password": ADMIN_PASSWORD}, "en"]}).encode())
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def _logs_in(self) -> bool:
        """True once the web client is served and the admin can log in (the modules are loaded)."""
        try:
            with urllib.request.urlopen(self.url, timeout=2) as answer:
                if answer.status != 200:
                    return False
            return "result" in self.login()
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def reset(self) -> None:
        """Put the freshly seeded database back (a few seconds): stop, copy the template, start."""
        running = self._process is not None
        self.stop()
        self._restore()
        if running:
            self.start()

    def _restore(self) -> None:
        for stale in self.database_dir.glob(f"{DATABASE}.sqlite*"):
            stale.unlink()
        shutil.copyfile(self.template, self.database)

    def _log_tail(self) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return text[-2000:] or "(no output)"

    # -- reading results back (SQL on the SQLite file; safe while the server runs: WAL) --

    def query(self, sql: str, *params) -> list[dict]:
        """Rows of ``sql`` as dictionaries; Numeric columns (stored as bytes) come back as Decimal."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as connection:
            connection.row_factory = sqlite3.Row
            rows = [dict(row) for row in connection.execute(sql, params)]
        connection.close()
        return [{key: _decimal(value) for key, value in row.items()} for row in rows]

    def sales(self, reference: str | None = None) -> list[dict]:
        """The sale orders (id, number, reference, customer, state) with their lines, oldest first."""
        where, params = ("WHERE s.reference = ?", (reference,)) if reference is not None else ("", ())
        sales = self.query(
            "SELECT s.id, s.number, s.reference, s.state, p.name AS customer FROM sale_sale s "
            f"JOIN party_party p ON p.id = s.party {where} ORDER BY s.id", *params)
        for sale in sales:
            sale["lines"] = self.query(
                "SELECT pp.code AS product, l.quantity, l.unit_price, l.description FROM sale_line l "
                "JOIN product_product pp ON pp.id = l.product WHERE l.sale = ? ORDER BY l.sequence, l.id",
                sale["id"])
        return sales


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- private helpers --------------------------------------------------------------------

def _tryton_env(workdir: Path) -> dict:
    """The environment for Tryton's commands: its admin password file, nothing of .venv."""
    password_file = Path(workdir) / "admin-password"
    password_file.write_text(ADMIN_PASSWORD, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["TRYTONPASSFILE"] = str(password_file)
    return env


def _run(command: list[str], what: str, cwd: Path | None = None, env: dict | None = None, stdin: str | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()[-3000:]
        raise TrytonError(f"could not {what} (exit {result.returncode}): {output}")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def _decimal(value):
    if isinstance(value, bytes):
        return Decimal(value.decode())
    return value
