"""The Tryton test helpers: a seeded company a clerk can sell from, a reset in seconds, SQL read-back."""

import time
from decimal import Decimal

from tests.tryton_erp import CATALOG, TrytonServer


def test_the_seeded_database_has_the_company_customers_and_goods(tryton):
    products = {row["code"]: row for row in tryton.query(
        "SELECT pp.code, t.name, lp.list_price FROM product_product pp "
        "JOIN product_template t ON t.id = pp.template "
        "JOIN product_list_price lp ON lp.template = t.id")}
    assert {code: (row["name"], row["list_price"]) for code, row in products.items()} == {
        product["code"]: (product["name"], Decimal(product["list_price"])) for product in CATALOG["products"]}
    parties = {row["name"] for row in tryton.query("SELECT name FROM party_party")}
    assert set(CATALOG["customers"]) | {CATALOG["company"]} <= parties
    assert tryton.query("SELECT count(*) AS n FROM account_period")[0]["n"] >= 12
    assert tryton.query("SELECT count(*) AS n FROM ir_module_config_wizard_item WHERE state != 'done'")[0]["n"] == 0


def test_the_admin_logs_in_over_json_rpc(tryton):
    assert "result" in tryton.login()


def test_reset_puts_the_seeded_database_back_in_seconds(tryton, tmp_path):
    server = TrytonServer(tryton.folder, tmp_path).start()
    try:
        import sqlite3

        with sqlite3.connect(server.database) as connection:
            connection.execute("UPDATE party_party SET name = 'Changed' WHERE name = ?", (CATALOG["customers"][0],))
        connection.close()
        assert server.query("SELECT count(*) AS n FROM party_party WHERE name = 'Changed'")[0]["n"] == 1
        started = time.monotonic()
        server.reset()
        assert time.monotonic() - started < 15
        assert server.query("SELECT count(*) AS n FROM party_party WHERE name = 'Changed'")[0]["n"] == 0
        assert "result" in server.login()
    finally:
        server.stop()
    # The template stays outside the database folder: only the working copy is listed there.
    assert [path.name for path in server.database_dir.glob("*.sqlite")] == ["o2c.sqlite"]
