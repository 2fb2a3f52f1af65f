"""The bank portal: incoming payments, statements and remittance advices, behind a one-time code.

After the password, the user must enter a one-time code (the MFA step bots must handle).
The sandbox shows the code on ``/sandbox/otp`` (for the logged-in user) and writes it to
the app log and to ``<data_dir>/bank.log``; ``one_time_code(seed, user, issue)`` derives it.
Then: incoming payments by booking date, a payment's detail with its remittance advice PDF
when the payer sent one, and the day's statement as camt.053 XML or BAI2.

Seeded from the scenario world of the seed (``sandbox.scenario``): the payments are those of
``payments.json``. Tests read table ``payments`` of ``options.db_path("bank")``.
"""

import hashlib
import hmac
import logging
import sqlite3
import threading
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask import Response, abort, flash, redirect, render_template, request, session, url_for

from sandbox.bank.statements import bai2, camt053, default_accounts
from sandbox.common import SandboxOptions, create_seeded_app, db, reset_database

SYSTEM = "bank"
TITLE = "Sandbox Bank Online"
USERS = {"treasury": "treasury123", "bot": "bot-pass-3"}
LOG = logging.getLogger("sandbox.bank")
# Screens reachable between the password and the one-time code.
_BEFORE_CODE = {"otp", "sandbox_otp", "sandbox_login", "sandbox_logout", "static", "sandbox_stylesheet"}

SCHEMA = """
CREATE TABLE payments (
    bank_reference TEXT PRIMARY KEY,
    position INTEGER NOT NULL,            -- booking order
    payment_reference TEXT NOT NULL,      -- the payer's end-to-end reference
    payer TEXT NOT NULL,
    payer_iban TEXT NOT NULL,
    booking_date TEXT NOT NULL,
    method TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    memo TEXT NOT NULL,
    creditor_reference TEXT
);
CREATE TABLE remittance_advices (
    bank_reference TEXT PRIMARY KEY REFERENCES payments(bank_reference),
    filename TEXT NOT NULL,
    layout TEXT NOT NULL,
    pdf BLOB NOT NULL
);
CREATE TABLE downloads (                  -- what was fetched, for tests and the demo
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    what TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


def one_time_code(seed: int, user: str, issue: int) -> str:
    """The six-digit code of the ``issue``-th code the portal hands out to ``user``."""
    digest = hmac.new(f"o2c-bank:{seed}".encode(), f"{user}:{issue}".encode(), hashlib.sha256).hexdigest()
    return f"{int(digest[:8], 16) % 1_000_000:06d}"


def seed_bank(conn: sqlite3.Connection, options: SandboxOptions) -> None:
    """Fill a fresh bank database with the payments and remittance advices of the seed's world."""
    from sandbox.documents.remittance import remittance_pdf
    from sandbox.scenario import generate_world, remittance_filename

    world = generate_world(options.seed, as_of=options.business_date())
    for position, p in enumerate(world.payments):
        conn.execute("INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (p.bank_reference, position, p.payment_reference, p.payer, p.payer_iban,
                      p.payment_date.isoformat(), p.method, p.currency, f"{p.total:.2f}", p.memo,
                      p.creditor_reference))
        if p.remittance_layout:
            customer = world.customer(p.customer_id) if p.customer_id else None
            conn.execute("INSERT INTO remittance_advices VALUES (?, ?, ?, ?)",
                         (p.bank_reference, remittance_filename(p), p.remittance_layout, remittance_pdf(p, customer)))


def reset_bank(options: SandboxOptions) -> None:
    """Re-create the bank database from the seed, dropping what was done since."""
    reset_database(SYSTEM, SCHEMA, seed_bank, options)


def create_app(options: SandboxOptions):
    """Build the bank portal's Flask app (creating and seeding its database when needed)."""
    app = create_seeded_app(SYSTEM, options, SCHEMA, seed_bank, import_name=__name__, title=TITLE, users=USERS,
                            home_endpoint="payments", layout="bank/layout.html",
                            reset_message="The bank portal was reset to its initial state.")
    codes = _CodeBook(options)
    app.extensions["bank_codes"] = codes

    @app.before_request
    def require_code():
        # Runs after the shared guard, so only logged-in users get here without a redirect.
        if "user" in session and not session.get("code_ok") and request.endpoint not in _BEFORE_CODE:
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("otp", next=target))
        return None

    @app.route("/otp", methods=["GET", "POST"])
    def otp():
        user = session["user"]
        if session.get("code_ok"):
            return redirect(url_for("payments"))
        if "code_issue" not in session:
            session["code_issue"] = codes.issue(user)
        if request.method == "POST":
            sent = request.form.get("code", "").strip()
            if hmac.compare_digest(sent, one_time_code(options.seed, user, session["code_issue"])):
                session["code_ok"] = True
                session.pop("code_issue", None)
                return redirect(_local(request.args.get("next")) or url_for("payments"))
            flash("The one-time code is not valid. Check the code and try again.", "error")
            return render_template("bank/otp.html"), 401
        return render_template("bank/otp.html")

    @app.route("/sandbox/otp")
    def sandbox_otp():
        user = session["user"]
        return render_template("bank/sandbox_otp.html", user=user, code=codes.latest(user))

    @app.route("/payments")
    def payments():
        dates = [row[0] for row in db().execute("SELECT DISTINCT booking_date FROM payments ORDER BY booking_date")]
        chosen = request.args.get("date") or (dates[-1] if dates else "")
        try:
            date.fromisoformat(chosen)
        except ValueError:
            flash(f"'{chosen}' is not a date; use the format YYYY-MM-DD.", "error")
            chosen = dates[-1] if dates else ""
        rows = db().execute(
            """SELECT p.*, r.filename FROM payments p LEFT JOIN remittance_advices r USING (bank_reference)
               WHERE booking_date = ? ORDER BY position""", (chosen,)).fetchall()
        total = sum((Decimal(row["amount"]) for row in rows), Decimal("0"))
        return render_template("bank/payments.html", rows=rows, dates=dates, chosen=chosen, total=total)

    @app.route("/payments/<bank_reference>")
    def payment_detail(bank_reference):
        row = db().execute("""SELECT p.*, r.filename, r.layout FROM payments p
                              LEFT JOIN remittance_advices r USING (bank_reference)
                              WHERE bank_reference = ?""", (bank_reference,)).fetchone()
        if row is None:
            abort(404)
        return render_template("bank/payment.html", p=row)

    @app.route("/payments/<bank_reference>/remittance.pdf")
    def remittance(bank_reference):
        row = db().execute("SELECT filename, pdf FROM remittance_advices WHERE bank_reference = ?",
                           (bank_reference,)).fetchone()
        if row is None:
            abort(404)
        _record_download(f"remittance {bank_reference}")
        return Response(row["pdf"], mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{row["filename"]}"'})

    @app.route("/statements")
    def statements():
        dates = [row[0] for row in db().execute("SELECT DISTINCT booking_date FROM payments ORDER BY booking_date DESC")]
        return render_template("bank/statements.html", dates=dates)

    @app.route("/statements/download")
    def statement_download():
        day, kind = request.args.get("date", ""), request.args.get("format", "")
        if kind not in ("camt053", "bai2"):
            flash("Choose a statement format: camt.053 or BAI2.", "error")
            return redirect(url_for("statements"))
        try:
            booking_date = date.fromisoformat(day)
        except ValueError:
            flash(f"'{day}' is not a statement date; use the format YYYY-MM-DD.", "error")
            return redirect(url_for("statements"))
        entries = _statement_entries(booking_date)
        if not entries:
            flash(f"There is no statement for {day}.", "error")
            return redirect(url_for("statements"))
        created = datetime.combine(booking_date + timedelta(days=1), time(6, 0))
        _record_download(f"statement {kind} {day}")
        if kind == "camt053":
            body, name, mime = camt053(default_accounts(), entries, created=created), f"camt053_{day}.xml", "application/xml"
        else:
            body, name, mime = bai2(default_accounts(), entries, created=created), f"bai2_{day}.txt", "text/plain"
        return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return app


class _CodeBook:
    """Hands out one-time codes and remembers the latest per user for the sandbox page."""

    def __init__(self, options: SandboxOptions):
        self.options = options
        self.lock = threading.Lock()
        self.issued = 0
        self.latest_codes: dict[str, str] = {}

    def issue(self, user: str) -> int:
        with self.lock:
            self.issued += 1
            code = one_time_code(self.options.seed, user, self.issued)
            self.latest_codes[user] = code
            issue = self.issued
        message = f"One-time code for {user}: {code} (issue {issue})"
        LOG.info(message)
        log_file = self.options.data_dir / "bank.log"
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "a", encoding="utf-8") as handle:
            handle.write(f"{datetime.now().isoformat(timespec='seconds')} {message}\n")
        return issue

    def latest(self, user: str) -> str | None:
        with self.lock:
            return self.latest_codes.get(user)


def _statement_entries(booking_date: date) -> list[SimpleNamespace]:
    rows = db().execute("SELECT * FROM payments WHERE booking_date = ? ORDER BY position",
                        (booking_date.isoformat(),)).fetchall()
    return [SimpleNamespace(payment_reference=r["payment_reference"], bank_reference=r["bank_reference"],
                            payer=r["payer"], payer_iban=r["payer_iban"], payment_date=booking_date,
                            currency=r["currency"], total=Decimal(r["amount"]), method=r["method"],
                            memo=r["memo"], creditor_reference=r["creditor_reference"]) for r in rows]


def _record_download(what: str) -> None:
    db().execute("INSERT INTO downloads (user, what, at) VALUES (?, ?, ?)",
                 (session.get("user", ""), what, datetime.now().isoformat(timespec="seconds")))
    db().commit()


def _local(target: str | None) -> str | None:
    """Only a local path is a safe place to go after the code."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None
