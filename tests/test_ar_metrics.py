"""Contract 4, ``o2c ar-metrics``, against figures worked out by hand on small ledgers.

Each ledger's comment shows the arithmetic; the expected strings are those sums rounded
half-up to two places. Days past due are counted on a calendar in the comments.
"""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import bots.cli.ar_metrics  # noqa: F401  (adds the command to the app)
from bots.cli.main import app

INVOICE_HEADER = "customer_id,customer_name,invoice,invoice_date,due_date,currency,amount"
RECEIPT_HEADER = "customer_id,invoice,receipt_date,amount"


def write_ledger(folder, invoices, receipts, *, invoice_header=INVOICE_HEADER, receipt_header=RECEIPT_HEADER):
    invoices_csv, receipts_csv = folder / "invoices.csv", folder / "receipts.csv"
    invoices_csv.write_text("\n".join([invoice_header, *invoices]) + "\n", encoding="utf-8")
    receipts_csv.write_text("\n".join([receipt_header, *receipts]) + "\n", encoding="utf-8")
    return invoices_csv, receipts_csv


def ar_metrics(invoices_csv, receipts_csv, start, end):
    result = CliRunner().invoke(app, ["ar-metrics", "--invoices", str(invoices_csv), "--receipts", str(receipts_csv),
                                      "--from", start, "--to", end, "--json"])
    return result.exit_code, json.loads(result.stdout)


def aging(current="0.00", d30="0.00", d60="0.00", d90="0.00", over="0.00"):
    return {"current": current, "1-30": d30, "31-60": d60, "61-90": d90, "91+": over}


# Ledger A, 2026-07-01..2026-09-30 (92 days): a partial payment, a credit memo, a receipt and
# an invoice after `to`, a receipt before `from`.
LEDGER_A_INVOICES = [
    "C1,Alpha Foods,A1,2026-06-15,2026-07-15,USD,1000.00",
    "C1,Alpha Foods,A2,2026-07-10,2026-08-09,USD,500.00",
    "C1,Alpha Foods,A3,2026-09-05,2026-10-05,USD,300.00",
    "C1,Alpha Foods,CM1,2026-08-20,2026-08-20,USD,-100.00",
    "C2,Beta Stores,B1,2026-05-01,2026-05-31,USD,2000.00",
    "C2,Beta Stores,B2,2026-08-01,2026-08-31,USD,800.00",
    "C2,Beta Stores,B3,2026-10-10,2026-11-09,USD,999.00",
]
LEDGER_A_RECEIPTS = [
    "C1,A1,2026-07-20,600.00",
    "C1,A1,2026-10-02,400.00",
    "C1,A2,2026-08-09,500.00",
    "C2,B1,2026-06-10,2000.00",
    "C2,B2,2026-09-15,300.00",
]


def test_ledger_with_credit_memo_partial_payments_and_items_after_to(tmp_path):
    code, out = ar_metrics(*write_ledger(tmp_path, LEDGER_A_INVOICES, LEDGER_A_RECEIPTS), "2026-07-01", "2026-09-30")
    assert code == 0
    # Open at 09-30: A1 1000-600 = 400 (the 10-02 receipt is after `to`), due 07-15, 16+31+30 = 77 days: 61-90.
    # A2 paid. A3 300, due 10-05: current. CM1 -100, due 08-20, 11+30 = 41 days: 31-60.
    # B1 paid; B2 800-300 = 500, due 08-31, 30 days: 1-30; B3 dated after `to`: not counted.
    assert out["currency"] == "USD" and out["from"] == "2026-07-01" and out["to"] == "2026-09-30"
    assert out["ar"] == "1100.00"
    assert out["aging"] == aging(current="300.00", d30="500.00", d60="-100.00", d90="400.00")
    assert out["sales"] == "1500.00"            # A2 500 + A3 300 + CM1 -100 + B2 800
    assert out["dso"] == "67.47"                # 1100 / 1500 * 92 = 67.4666...
    # Count-back: Sep (30 days) sales 300: 1100-300 = 800, 30; Aug (31) sales 700: 800-700 = 100, 61;
    # Jul (31) sales 500 > 100: 61 + 31 * 100 / 500 = 67.2.
    assert out["dso_countback"] == "67.20"
    # AR(06-30) = A1 1000 (B1 was paid 06-10). CEI = (1000 + 1500 - 1100) / (1000 + 1500 - 300) = 1400/2200.
    assert out["cei"] == "63.64"
    # Receipts in the period: A1 600 after 35 days (5 late), A2 500 after 30 (0 late), B2 300 after 45 (15 late).
    assert out["average_days_to_pay"] == "35.36"   # (21000 + 15000 + 13500) / 1400 = 35.357...
    assert out["average_days_late"] == "5.36"      # (3000 + 4500) / 1400 = 5.357...
    c1, c2 = out["customers"]
    assert (c1["customer_id"], c1["customer_name"], c2["customer_id"]) == ("C1", "Alpha Foods", "C2")
    assert c1["ar"] == "600.00" and c1["aging"] == aging(current="300.00", d60="-100.00", d90="400.00")
    assert c1["sales"] == "700.00"
    assert c1["dso"] == "78.86"                 # 600 / 700 * 92 = 78.857...
    assert c1["average_days_to_pay"] == "32.73"    # (21000 + 15000) / 1100
    assert c1["average_days_late"] == "2.73"       # 3000 / 1100
    # C1 count-back: Sep 300 -> 300 left, 30; Aug sales -100 (<= 0) adds 31; Jul 500 > 300: 61 + 31 * 0.6 = 79.6.
    assert c1["dso_countback"] == "79.60"
    assert c2["ar"] == "500.00" and c2["aging"] == aging(d30="500.00") and c2["sales"] == "800.00"
    assert c2["dso"] == "57.50"                 # 500 / 800 * 92
    # C2 count-back: Sep no sales adds 30; Aug 800 > 500: 30 + 31 * 500 / 800 = 49.375, half-up 49.38.
    assert c2["dso_countback"] == "49.38"
    assert c2["cei"] == "37.50"                 # (0 + 800 - 500) / (0 + 800 - 0)
    assert c2["average_days_to_pay"] == "45.00" and c2["average_days_late"] == "15.00"


def test_month_without_sales(tmp_path):
    files = write_ledger(tmp_path, ["K9,Kappa,X1,2026-01-10,2026-02-09,EUR,1200.00",
                                    "K9,Kappa,X2,2026-02-15,2026-03-17,EUR,600.00"],
                         ["K9,X1,2026-02-20,200.00"])
    code, out = ar_metrics(*files, "2026-03-01", "2026-03-31")
    assert code == 0 and out["currency"] == "EUR"
    assert out["ar"] == "1600.00" and out["sales"] == "0.00"
    assert out["dso"] is None                   # no sales in March: the divisor is 0
    # X1 1000 open, due 02-09: 19 + 31 = 50 days; X2 600, due 03-17: 14 days.
    assert out["aging"] == aging(d30="600.00", d60="1000.00")
    # Count-back: Mar no sales adds 31; Feb (28) 600: 1000 left, 59; Jan 1200 > 1000: 59 + 31 * 1000/1200 = 84.833.
    assert out["dso_countback"] == "84.83"
    assert out["cei"] == "0.00"                 # (1600 + 0 - 1600) / (1600 + 0 - 0)
    assert out["average_days_to_pay"] is None and out["average_days_late"] is None   # no receipts in March


def test_zero_divisor_for_cei_and_countback_that_ends_exactly(tmp_path):
    files = write_ledger(tmp_path, ["L1,Lambda,Y0,2026-08-05,2026-09-04,USD,100.00",
                                    "L1,Lambda,Y1,2026-09-10,2026-10-10,USD,500.00"],
                         ["L1,Y0,2026-08-20,100.00"])
    code, out = ar_metrics(*files, "2026-09-01", "2026-09-30")
    assert code == 0
    assert out["ar"] == "500.00" and out["aging"] == aging(current="500.00")
    assert out["dso"] == "30.00"                # 500 / 500 * 30
    assert out["cei"] is None                   # 0 + 500 - 500 current = 0
    # Count-back: Sep 500 >= 500: nothing left, 30; Aug sales 100 > 0 left: 30 + 31 * 0 / 100.
    assert out["dso_countback"] == "30.00"
    assert out["average_days_to_pay"] is None   # the only receipt is before the period


def test_receivables_of_zero_or_less_give_countback_zero(tmp_path):
    files = write_ledger(tmp_path, ["M1,Mu,Z1,2026-09-01,2026-10-01,USD,100.00",
                                    "M1,Mu,Z2,2026-09-10,2026-09-10,USD,-250.00"], [])
    code, out = ar_metrics(*files, "2026-09-01", "2026-09-30")
    assert code == 0
    assert out["ar"] == "-150.00" and out["dso_countback"] == "0.00"
    assert out["aging"] == aging(current="100.00", d30="-250.00")
    assert out["dso"] == "30.00"                # -150 / -150 * 30
    assert out["cei"] == "0.00"                 # (0 - 150 + 150) / (0 - 150 - 100): zero, never "-0.00"


def test_half_up_rounding_and_overpaid_item(tmp_path):
    # N1 1000 is overpaid by 0.05: open -0.05 at `to`, days past due 10 (1-30).
    # Receipt 1000.05 after 8 days, 0 late (due 09-20, paid 09-18).
    files = write_ledger(tmp_path, ["N1,Nu,N1,2026-09-10,2026-09-20,USD,1000.00",
                                    "N1,Nu,N2,2026-09-25,2026-10-25,USD,0.10"],
                         ["N1,N1,2026-09-18,1000.05"])
    code, out = ar_metrics(*files, "2026-09-01", "2026-09-30")
    assert code == 0
    assert out["ar"] == "0.05" and out["aging"] == aging(current="0.10", d30="-0.05")
    assert out["sales"] == "1000.10"
    assert out["dso"] == "0.00"                 # 0.05 / 1000.10 * 30 = 0.0014998
    assert out["average_days_to_pay"] == "8.00" and out["average_days_late"] == "0.00"
    # Count-back: Sep sales 1000.10 > 0.05: 30 * 0.05 / 1000.10 = 0.0015
    assert out["dso_countback"] == "0.00"
    # CEI: (0 + 1000.10 - 0.05) / (0 + 1000.10 - 0.10) * 100 = 100.005 -> half-up 100.01
    assert out["cei"] == "100.01"


@pytest.mark.parametrize("invoices, receipts, message", [
    (["C1,A,I1,2026-09-01,2026-10-01,USD,10.00", "C2,B,I2,2026-09-01,2026-10-01,EUR,10.00"], [],
     "the invoices are in more than one currency (EUR, USD)"),
    (["C1,A,I1,2026-09-01,2026-10-01,USD,10.00"], ["C1,I9,2026-09-05,10.00"], "receipts row 1 (line 2), invoice I9"),
    (["C1,A,I1,2026-09-01,2026-10-01,USD,10.00", "C1,A,I2,2026-13-01,2026-10-01,USD,5.00"], [],
     "invoices row 2 (line 3), invoice I2: invoice_date '2026-13-01' is not a date"),
    (["C1,A,I1,2026-09-01,2026-10-01,USD,10.00"], ["C1,I1,2026-09-05,10.00", "C1,I1,2026-09-06,1O.00"],
     "receipts row 2 (line 3), invoice I1: amount '1O.00' is not an amount"),
    (["C1,A,I1,2026-09-01,2026-10-01,USD,NaN"], [], "invoices row 1 (line 2), invoice I1: amount"),
    (["C1,A,I1,09/01/2026,2026-10-01,USD,10.00"], [], "invoice_date '09/01/2026' is not a date"),
    (["C1,A,I1,2026-09-01,2026-10-01,USD,10.00", "C1,A,I1,2026-09-02,2026-10-02,USD,10.00"], [], "appears twice"),
])
def test_bad_input_exits_2_naming_the_row(tmp_path, invoices, receipts, message):
    code, out = ar_metrics(*write_ledger(tmp_path, invoices, receipts), "2026-09-01", "2026-09-30")
    assert code == 2
    assert set(out) == {"error", "file"} and message in out["error"]


def test_missing_file_column_and_bad_period(tmp_path):
    invoices_csv, receipts_csv = write_ledger(tmp_path, ["C1,A,I1,2026-09-01,2026-10-01,USD,10.00"], [],
                                              receipt_header="customer_id,invoice,amount")
    code, out = ar_metrics(invoices_csv, receipts_csv, "2026-09-01", "2026-09-30")
    assert code == 2 and "lacks column(s) receipt_date" in out["error"] and out["file"] == str(receipts_csv)
    code, out = ar_metrics(tmp_path / "nope.csv", receipts_csv, "2026-09-01", "2026-09-30")
    assert code == 2 and out == {"error": "invoices file not found", "file": str(tmp_path / "nope.csv")}
    receipts_csv.write_text(RECEIPT_HEADER + "\n", encoding="utf-8")
    code, out = ar_metrics(invoices_csv, receipts_csv, "2026-09-30", "2026-09-01")
    assert code == 2 and "after it ends" in out["error"] and out["file"] is None
    code, out = ar_metrics(invoices_csv, receipts_csv, "yesterday", "2026-09-01")
    assert code == 2 and "--from" in out["error"]


def test_the_command_as_another_program_runs_it(tmp_path):
    invoices_csv, receipts_csv = write_ledger(tmp_path, LEDGER_A_INVOICES, LEDGER_A_RECEIPTS)
    base = [sys.executable, "-c", "from bots.cli.main import main; main()", "ar-metrics", "--invoices", str(invoices_csv),
            "--receipts", str(receipts_csv), "--from", "2026-07-01", "--to", "2026-09-30"]
    result = subprocess.run([*base, "--json"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dso_countback"] == "67.20"
    table = subprocess.run(base, capture_output=True, text=True, timeout=60, env={"COLUMNS": "160", "PATH": ""})
    assert table.returncode == 0 and "67.20" in table.stdout and "Alpha Foods" in table.stdout
