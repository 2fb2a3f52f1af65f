"""A credit agency's website: sign in, search a company by name and country, open its report.

The report shows a rating (A1 best ... D worst), a payment index (0-100: how promptly the
company pays its suppliers), a recommended credit limit and the date the report was made.
The quirks of real agency sites:

- a daily lookup quota per user (``app.config["AGENCY_DAILY_QUOTA"]``, default 25 reports):
  the report past it is refused with "Daily lookup quota used up" (status 429);
- an occasional "This report is being updated" page (status 503) instead of the report:
  a seeded fifth of the companies show it on the first look of the day, then the report.
  Neither counts against the quota.

The companies are the sandbox ERP's customers (same seed, same legal names and countries),
with ratings drawn from the seed. Tests read ``options.db_path("credit_agency")``: tables
``companies`` and ``lookups`` (one row per report shown).
"""

import sqlite3
from datetime import timedelta

from flask import abort, flash, render_template, request, session

from sandbox.common import SandboxOptions, create_seeded_app, db

SYSTEM = "credit_agency"
TITLE = "Meridian Credit Reports"
USERS = {"o2c": "agency-pass-1", "analyst": "analyst123"}
DAILY_QUOTA = 25
RATINGS = ("A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "D")

SCHEMA = """
CREATE TABLE companies (
    ref TEXT PRIMARY KEY,                 -- "MCR-482113"
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    city TEXT NOT NULL,
    rating TEXT NOT NULL,
    payment_index INTEGER NOT NULL,
    recommended_limit TEXT NOT NULL,
    currency TEXT NOT NULL,
    report_date TEXT NOT NULL,
    updating INTEGER NOT NULL             -- 1: the first look of the day shows "being updated"
);
CREATE TABLE lookups (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL,
    day TEXT NOT NULL,
    ref TEXT NOT NULL,
    outcome TEXT NOT NULL                 -- report, updating, quota
);
"""


def seed_agency(conn: sqlite3.Connection, options: SandboxOptions) -> None:
    """The ERP's customers as the agency knows them, with seeded ratings and report dates."""
    from sandbox.erp.seed import master_data

    rng = options.rng("credit-agency")
    customers, _ = master_data(options)
    for customer in customers:
        rank = min(len(RATINGS) - 1, max(0, int(rng.gauss(3, 2))))
        index = max(5, min(99, int(rng.gauss(88 - rank * 8, 8))))
        limit = customer.credit_limit * (10 + 4 - rank) / 10  # a better grade: a larger limit
        conn.execute("INSERT INTO companies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (f"MCR-{rng.randint(100000, 999999)}", customer.name, customer.country, customer.city,
                      RATINGS[rank], index, f"{limit:.2f}", customer.currency,
                      (options.business_date() - timedelta(days=rng.randint(3, 120))).isoformat(),
                      int(rng.random() < 0.2)))


def create_app(options: SandboxOptions):
    """Build the agency's Flask app (creating and seeding its database when needed)."""
    app = create_seeded_app(SYSTEM, options, SCHEMA, seed_agency, import_name=__name__, title=TITLE, users=USERS,
                            home_endpoint="search", layout="agency/layout.html",
                            reset_message="The credit agency was reset to its initial state.")
    app.config.setdefault("AGENCY_DAILY_QUOTA", DAILY_QUOTA)

    @app.route("/search")
    def search():
        name, country = request.args.get("name", "").strip(), request.args.get("country", "").strip().upper()
        rows = []
        if name:
            rows = db().execute("SELECT ref, name, country, city FROM companies WHERE upper(name) LIKE upper(?)"
                                " AND (? = '' OR country = ?) ORDER BY name LIMIT 20",
                                (f"%{name}%", country, country)).fetchall()
            if not rows:
                flash(f"No company named like {name} found{' in ' + country if country else ''}.", "info")
        return render_template("agency/search.html", rows=rows, name=name, country=country,
                               used=_used_today(), quota=app.config["AGENCY_DAILY_QUOTA"])

    @app.route("/reports/<ref>")
    def report(ref):
        conn = db()
        company = conn.execute("SELECT * FROM companies WHERE ref = ?", (ref,)).fetchone()
        if company is None:
            abort(404)
        today, user = options.business_date().isoformat(), session["user"]
        if company["updating"] and not conn.execute(
                "SELECT 1 FROM lookups WHERE ref = ? AND day = ? AND outcome = 'updating'", (ref, today)).fetchone():
            _log(conn, user, today, ref, "updating")
            return render_template("agency/updating.html", company=company), 503
        if _used_today() >= app.config["AGENCY_DAILY_QUOTA"]:
            _log(conn, user, today, ref, "quota")
            return render_template("agency/quota.html", quota=app.config["AGENCY_DAILY_QUOTA"]), 429
        _log(conn, user, today, ref, "report")
        return render_template("agency/credit_report.html", company=company)

    def _used_today() -> int:
        return db().execute("SELECT count(*) FROM lookups WHERE user = ? AND day = ? AND outcome = 'report'",
                            (session.get("user"), options.business_date().isoformat())).fetchone()[0]

    return app


def _log(conn, user: str, day: str, ref: str, outcome: str) -> None:
    conn.execute("INSERT INTO lookups (user, day, ref, outcome) VALUES (?, ?, ?, ?)", (user, day, ref, outcome))
    conn.commit()
