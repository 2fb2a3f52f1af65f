"""A card and direct-debit payment provider's hosted payment page (the sandbox's "PayFlow").

A merchant (our customer portal) sends the payer's browser to ``/checkout`` with the
amount, currency, its own reference, where to return, and an HMAC-SHA256 signature of those
with the merchant's key. The payer picks card or direct debit and pays. Test numbers, as
real providers publish them:

- card ``4242 4242 4242 4242``: succeeds; ``4000 0000 0000 0002``: declined;
  ``4000 0000 0000 0119``: the bank does not answer in time (the payment stays ``pending``);
- direct debit (SEPA) IBAN ``DE89370400440532013000``: succeeds; any other: refused.

The browser is sent back to ``return_url`` with the reference; the merchant must then ask
``GET /api/payments/<reference>`` (header ``Authorization: Bearer <merchant key>``) for the
payment's real status, never trust the redirect. No login: this page is for payers.
Tests read ``options.db_path("payments")``, table ``payments``.
"""

import hashlib
import hmac
import secrets
import sqlite3
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

from flask import Flask, abort, g, jsonify, redirect, render_template, request

from sandbox.common import SandboxOptions, open_db, prepare_database

SYSTEM = "payments"
MERCHANT_KEYS = {"northwind": "pf-test-key-northwind"}
CARDS = {"4242424242424242": "succeeded", "4000000000000002": "declined", "4000000000000119": "pending"}
GOOD_IBAN = "DE89370400440532013000"

SCHEMA = """
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,          -- "PF-3F9A21C0"
    merchant TEXT NOT NULL,
    reference TEXT NOT NULL,              -- the merchant's reference (one payment per reference)
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    method TEXT,                          -- card, direct_debit
    status TEXT NOT NULL,                 -- open, succeeded, declined, pending
    payer TEXT,
    created_at TEXT NOT NULL,
    paid_at TEXT,
    UNIQUE (merchant, reference)
);
"""


def sign(key: str, *values) -> str:
    """The signature a merchant puts on a checkout (and the provider checks)."""
    return hmac.new(key.encode(), "|".join(str(v) for v in values).encode(), hashlib.sha256).hexdigest()


def create_app(options: SandboxOptions) -> Flask:
    """The provider's app: the hosted payment page and the merchants' status API."""
    path = options.db_path(SYSTEM)
    prepare_database(path, SCHEMA, lambda conn, opts: None, options)
    app = Flask(__name__, template_folder="templates")
    app.config.update(SANDBOX_SYSTEM=SYSTEM, SANDBOX_USERS={}, PAYMENTS_DB=path)

    def db() -> sqlite3.Connection:
        if "payments_db" not in g:
            g.payments_db = open_db(path)
        return g.payments_db

    @app.teardown_appcontext
    def _close(_exc):
        conn = g.pop("payments_db", None)
        if conn is not None:
            conn.close()

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = "default-src 'self'; frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.get("/checkout")
    def checkout():
        args = request.args
        merchant, reference, currency = args.get("merchant", ""), args.get("reference", ""), args.get("currency", "")
        amount, back = args.get("amount", ""), args.get("return_url", "")
        key = MERCHANT_KEYS.get(merchant)
        if not key or not hmac.compare_digest(args.get("signature", ""), sign(key, merchant, reference, amount,
                                                                              currency, back)):
            return render_template("error.html", message="This payment link is not valid."), 400
        if urlsplit(back).scheme not in ("http", "https"):
            return render_template("error.html", message="This payment link has no valid return address."), 400
        try:
            if Decimal(amount) <= 0:
                raise InvalidOperation
        except InvalidOperation:
            return render_template("error.html", message="This payment link has no valid amount."), 400
        conn = db()
        row = conn.execute("SELECT * FROM payments WHERE merchant = ? AND reference = ?", (merchant, reference)).fetchone()
        if row is None:
            conn.execute("INSERT INTO payments (payment_id, merchant, reference, amount, currency, status, created_at)"
                         " VALUES (?, ?, ?, ?, ?, 'open', ?)",
                         (f"PF-{secrets.token_hex(4).upper()}", merchant, reference, amount, currency, _now()))
            conn.commit()
            row = conn.execute("SELECT * FROM payments WHERE merchant = ? AND reference = ?",
                               (merchant, reference)).fetchone()
        if row["status"] != "open":
            return redirect(_back(back, reference))
        return render_template("checkout.html", payment=row, return_url=back, signature=args.get("signature"),
                               nonce=sign(key, "nonce", row["payment_id"]))

    @app.post("/checkout/<payment_id>")
    def pay(payment_id):
        conn = db()
        row = conn.execute("SELECT * FROM payments WHERE payment_id = ?", (payment_id,)).fetchone()
        if row is None:
            abort(404)
        key = MERCHANT_KEYS[row["merchant"]]
        if not hmac.compare_digest(request.form.get("nonce", ""), sign(key, "nonce", payment_id)):
            return render_template("error.html", message="The form expired; open the payment link again."), 400
        back = request.form.get("return_url", "")
        if row["status"] != "open":
            return redirect(_back(back, row["reference"]))
        method = request.form.get("method", "card")
        if method == "direct_debit":
            iban = "".join(request.form.get("iban", "").split()).upper()
            status = "succeeded" if iban == GOOD_IBAN else "declined"
        else:
            status = CARDS.get("".join(request.form.get("card_number", "").split()), "declined")
        conn.execute("UPDATE payments SET method = ?, status = ?, payer = ?, paid_at = ? WHERE payment_id = ?",
                     (method, status, request.form.get("holder", "").strip() or None,
                      _now() if status == "succeeded" else None, payment_id))
        conn.commit()
        if status == "pending":
            return render_template("pending.html", payment=row, return_url=_back(back, row["reference"])), 202
        return redirect(_back(back, row["reference"]))

    @app.get("/api/payments/<reference>")
    def status(reference):
        merchant = next((name for name, key in MERCHANT_KEYS.items()
                         if hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {key}")), None)
        if merchant is None:
            return jsonify({"error": "unknown merchant key"}), 401
        row = db().execute("SELECT * FROM payments WHERE merchant = ? AND reference = ?", (merchant, reference)).fetchone()
        if row is None:
            return jsonify({"error": "no such payment"}), 404
        return jsonify({key: row[key] for key in row.keys()})

    return app


def _back(url: str, reference: str) -> str:
    return url + ("&" if "?" in url else "?") + urlencode({"reference": reference})


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
