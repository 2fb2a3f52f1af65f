"""Each rule and each exception reason of cash application, on small hand-made ledgers."""

from datetime import date
from decimal import Decimal

import pytest

from bots.cash import DiscountPolicy, LearnedAccounts, MatchSettings, Payment, RemittanceLine, Terms, match_payments
from bots.cash.open_items import load_open_items
from bots.cash.payers import PayerDirectory, normalize_name
from bots.cash.references import digits_key, keys_of, memo_references, stem_key, transpositions
from bots.cash.subset_sum import find_lump_sums

HEADER = "customer_id,customer_name,invoice,invoice_date,due_date,currency,amount,open_amount\n"
LEDGER = [
    "C1001,Pinecrest Grocers LLC,INV-10006,2026-10-20,2026-11-19,USD,1000.00,1000.00",
    "C1001,Pinecrest Grocers LLC,INV-10007,2026-10-01,2026-10-31,USD,2500.00,2500.00",
    "C1001,Pinecrest Grocers LLC,INV-10008,2026-10-02,2026-11-01,USD,730.15,730.15",
    "C1001,Pinecrest Grocers LLC,CM-10009,2026-10-05,2026-11-04,USD,-150.00,-150.00",
    "C1002,Harbor Freight Outfitters Inc.,INV-20001,2026-10-03,2026-11-02,USD,4410.00,4410.00",
    "C1002,Harbor Freight Outfitters Inc.,INV-20002,2026-10-04,2026-11-03,USD,4410.00,4410.00",
    "C1002,Harbor Freight Outfitters Inc.,INV-20003,2026-10-04,2026-11-03,USD,999.99,999.99",
    "C1003,Alpine Supply GmbH,INV-30001,2026-10-10,2026-11-09,EUR,1200.00,1200.00",
    "C1004,Summit Foods East Inc,INV-40001,2026-10-10,2026-11-09,USD,310.00,310.00",
    "C1005,Summit Foods West LLC,INV-40002,2026-10-10,2026-11-09,USD,310.00,310.00",
    "C1006,Larkspur Textiles Ltd,INV-50001,2026-10-10,2026-11-09,USD,100.00,100.00",
    "C1006,Larkspur Textiles Ltd,INV-50002,2026-10-10,2026-11-09,USD,250.00,250.00",
    "C1006,Larkspur Textiles Ltd,INV-50003,2026-10-10,2026-11-09,USD,150.00,150.00",
    "C1006,Larkspur Textiles Ltd,INV-50004,2026-10-10,2026-11-09,USD,200.00,200.00",
    "C1007,Quarry Lane Hardware Co,INV-60001,2026-10-10,2026-11-09,USD,640.00,640.00",
    "C1007,Quarry Lane Hardware Co,INV-60002,2026-10-10,2026-11-09,USD,275.25,275.25",
    "C1007,Quarry Lane Hardware Co,INV-60003,2026-10-10,2026-11-09,USD,1890.40,1890.40",
]


@pytest.fixture
def items(tmp_path):
    path = tmp_path / "open_items.csv"
    path.write_text(HEADER + "\n".join(LEDGER) + "\n", encoding="utf-8")
    return load_open_items(path)


def line(invoice, paid, gross=None, discount="0.00", deduction="0.00"):
    return RemittanceLine(invoice=invoice, paid=Decimal(paid), gross=Decimal(gross or paid),
                          discount=Decimal(discount), deduction=Decimal(deduction))


def pay(reference, total, lines=(), payer="Pinecrest Grocers", currency="USD", memo="", paid_on="2026-11-10",
        **extra):
    return Payment(payment_reference=reference, total=Decimal(total), payer=payer, currency=currency, memo=memo,
                   lines=list(lines), payment_date=date.fromisoformat(paid_on), **extra)


def run(items, *payments, **settings):
    return match_payments(items, list(payments), MatchSettings(**settings)).to_json()


def only_exception(output):
    assert len(output["exceptions"]) == 1, output["exceptions"]
    return output["exceptions"][0]


# -- references -----------------------------------------------------------------------------------

@pytest.mark.parametrize("printed", ["INV-10006", "inv 10006", "10006", "INV00010006", "INV-10006/1", "IN-10006",
                                     "INV-10006-A", "Inv. 10006", "#10006", "RE 0010006"])
def test_every_spelling_of_an_invoice_number_means_the_open_item(items, printed):
    output = run(items, pay("P1", "1000.00", [line(printed, "1000.00")]))
    assert output["exceptions"] == []
    [application] = output["applications"]
    assert application["invoice"] == "INV-10006"
    assert application["customer_id"] == "C1001"
    assert application["rule"] == ("remittance_reference" if printed == "INV-10006" else
                                   "remittance_reference_suffix" if printed in ("INV-10006/1", "INV-10006-A") else
                                   "remittance_reference_normalized")
    assert 0 < application["confidence"] <= 1


def test_keys_and_transpositions():
    assert keys_of("INV-0010102/1") == ("INV-0010102/1", "INV00101021", "101021", "10102")
    assert digits_key("IN10102") == "10102" and stem_key("INV-10102") is None
    assert "10120" in transpositions("10102")
    assert memo_references("PMT INV 10102 6073.26 2026-11-10 P0001", {"P0001"}) == ["10102"]


def test_transposed_digit_applies_only_when_the_amount_agrees(items):
    output = run(items, pay("P1", "730.15", [line("INV-10080", "730.15")]))
    assert [(a["invoice"], a["rule"]) for a in output["applications"]] == [("INV-10008", "remittance_reference_transposed")]
    output = run(items, pay("P2", "731.15", [line("INV-10080", "731.15")]))
    assert output["applications"] == []
    assert only_exception(output)["reason"] == "unknown_invoice"
    assert only_exception(output)["candidates"] == [] and only_exception(output)["hints"] == ["INV-10008"]


# -- amounts on remittance lines --------------------------------------------------------------------

def test_earned_discount_closes_the_invoice(items):
    output = run(items, pay("P1", "980.00", [line("INV-10006", "980.00", "1000.00", discount="20.00")],
                            paid_on="2026-10-28"))
    assert output["exceptions"] == []
    [application] = output["applications"]
    assert (application["amount"], application["discount"]) == ("980.00", "20.00")


def test_late_discount_is_an_underpayment_and_the_rest_stays_open(items):
    late = pay("P1", "980.00", [line("INV-10006", "980.00", "1000.00", discount="20.00")], paid_on="2026-11-24")
    again = pay("P2", "20.00", [line("INV-10006", "20.00")], paid_on="2026-11-25")
    output = run(items, late, again)
    exception = only_exception(output)
    assert exception["reason"] == "underpayment" and exception["payment_reference"] == "P1"
    assert "days" in exception["detail"] and "standard terms" in exception["detail"]
    assert [(a["payment_reference"], a["amount"], a["discount"]) for a in output["applications"]] == [
        ("P1", "980.00", "0.00"), ("P2", "20.00", "0.00")]


def test_excessive_discount_is_an_underpayment(items):
    output = run(items, pay("P1", "950.00", [line("INV-10006", "950.00", "1000.00", discount="50.00")],
                            paid_on="2026-10-25"))
    assert only_exception(output)["reason"] == "underpayment"
    assert "exceeds" in only_exception(output)["detail"]


def test_per_customer_terms_allow_a_larger_discount(items):
    policy = DiscountPolicy(per_customer={"C1001": Terms(Decimal("0.05"), 15)})
    output = run(items, pay("P1", "950.00", [line("INV-10006", "950.00", "1000.00", discount="50.00")],
                            paid_on="2026-11-02"), policy=policy)
    assert output["exceptions"] == [] and output["applications"][0]["discount"] == "50.00"


def test_deduction_applies_what_was_paid_and_keeps_the_rest_open(items):
    short = pay("P1", "2400.00", [line("INV-10007", "2400.00", "2500.00", deduction="100.00")])
    rest = pay("P2", "100.00", [line("INV-10007", "100.00")])
    output = run(items, short, rest)
    assert output["exceptions"] == []
    assert [(a["amount"], a["deduction"]) for a in output["applications"]] == [("2400.00", "100.00"),
                                                                               ("100.00", "0.00")]


def test_short_payment_without_reason_is_an_underpayment(items):
    output = run(items, pay("P1", "900.00", [line("INV-10006", "900.00", "1000.00")]))
    exception = only_exception(output)
    assert exception["reason"] == "underpayment" and exception["unapplied"] == "0.00"
    assert output["applications"][0]["amount"] == "900.00"


def test_overpayment_applies_in_full_and_leaves_the_rest_unapplied(items):
    output = run(items, pay("P1", "1100.00", [line("INV-10006", "1000.00")]))
    exception = only_exception(output)
    assert (exception["reason"], exception["unapplied"]) == ("overpayment", "100.00")
    assert output["applications"][0]["amount"] == "1000.00"
    output = run(items, pay("P2", "1100.00", [line("INV-10006", "1100.00")]))
    assert (only_exception(output)["reason"], only_exception(output)["unapplied"]) == ("overpayment", "100.00")


def test_payment_less_than_its_remittance_applies_nothing(items):
    output = run(items, pay("P1", "3000.00", [line("INV-10006", "1000.00"), line("INV-10007", "2500.00")]))
    assert output["applications"] == []
    assert only_exception(output)["reason"] == "underpayment"


def test_credit_memo_line_reduces_the_payment(items):
    output = run(items, pay("P1", "850.00", [line("INV-10006", "1000.00"), line("CM-10009", "-150.00")]))
    assert output["exceptions"] == []
    assert {a["invoice"]: a["amount"] for a in output["applications"]} == {"INV-10006": "1000.00",
                                                                           "CM-10009": "-150.00"}


def test_currency_mismatch_is_not_applied(items):
    output = run(items, pay("P1", "1200.00", [line("INV-30001", "1200.00")], payer="Alpine Supply", currency="USD"))
    assert output["applications"] == [] and only_exception(output)["reason"] == "currency"


def test_remittance_sent_twice_is_already_paid(items):
    first = pay("P1", "1000.00", [line("INV-10006", "1000.00")])
    second = pay("P2", "1000.00", [line("INV-10006", "1000.00")])
    output = run(items, first, second)
    assert [a["payment_reference"] for a in output["applications"]] == ["P1"]
    exception = only_exception(output)
    assert (exception["payment_reference"], exception["reason"], exception["unapplied"]) == (
        "P2", "already_paid", "1000.00")
    assert "P1" in exception["detail"]


def test_unknown_invoice_leaves_its_money_unapplied(items):
    output = run(items, pay("P1", "1777.77", [line("INV-10006", "1000.00"), line("INV-77777", "777.77")]))
    assert [a["invoice"] for a in output["applications"]] == ["INV-10006"]
    exception = only_exception(output)
    assert (exception["reason"], exception["unapplied"]) == ("unknown_invoice", "777.77")


def test_invoice_of_another_customer_than_the_payer_is_not_applied(items):
    output = run(items, pay("P1", "1000.00", [line("10006", "1000.00")], payer="Larkspur Textiles"))
    assert output["applications"] == []
    assert only_exception(output)["reason"] == "ambiguous"


# -- payments without remittance ----------------------------------------------------------------------

def test_single_open_item_of_that_amount(items):
    output = run(items, pay("P1", "999.99", payer="HARBOR FREIGHT OUTFITTERS"))
    assert [(a["invoice"], a["rule"]) for a in output["applications"]] == [("INV-20003", "single_open_item_amount")]


def test_two_open_items_of_that_amount_are_ambiguous(items):
    output = run(items, pay("P1", "4410.00", payer="Harbor Freight Outfitters, Inc"))
    exception = only_exception(output)
    assert exception["reason"] == "ambiguous" and exception["candidates"] == ["INV-20001", "INV-20002"]
    assert output["applications"] == []


def test_payer_fitting_two_customers_is_ambiguous_unless_the_remittance_settles_it(items):
    output = run(items, pay("P1", "310.00", payer="SUMMIT FOODS"))
    exception = only_exception(output)
    assert exception["reason"] == "ambiguous"
    assert set(exception["candidate_customers"]) == {"C1004", "C1005"}
    assert set(exception["candidates"]) == {"INV-40001", "INV-40002"}
    output = run(items, pay("P2", "310.00", [line("INV-40002", "310.00")], payer="SUMMIT FOODS"))
    assert output["exceptions"] == [] and output["applications"][0]["customer_id"] == "C1005"


def test_unique_lump_sum_is_applied_by_subset_sum(items):
    output = run(items, pay("P1", "2165.65", payer="Quarry Lane Hardware"))
    assert sorted(a["invoice"] for a in output["applications"]) == ["INV-60002", "INV-60003"]
    assert {a["rule"] for a in output["applications"]} == {"subset_sum"}


def test_lump_sum_with_two_combinations_is_ambiguous(items):
    output = run(items, pay("P1", "350.00", payer="Larkspur Textiles Ltd"))   # 100+250 or 150+200
    exception = only_exception(output)
    assert exception["reason"] == "ambiguous"
    assert set(exception["candidates"]) == {"INV-50001", "INV-50002", "INV-50003", "INV-50004"}
    assert output["applications"] == []


def test_memo_reference(items):
    output = run(items, pay("P1", "730.15", payer=None, memo="ACH CREDIT PMT INV 10008 THANK YOU"))
    assert [(a["invoice"], a["rule"]) for a in output["applications"]] == [("INV-10008", "memo_reference")]


def test_memo_number_that_neither_payer_nor_amount_confirms_is_not_trusted(items):
    output = run(items, pay("P1", "55.00", payer="Nobody Known", memo="CUSTOMER 10008"))
    assert output["applications"] == []
    assert only_exception(output)["reason"] == "unmatched"


def test_unknown_payer_without_remittance_is_unmatched(items):
    output = run(items, pay("P1", "640.00", payer="Zephyr Holdings"))
    assert output["applications"] == [] and only_exception(output)["reason"] == "unmatched"
    assert only_exception(output)["candidates"] == [] and only_exception(output)["hints"] == ["INV-60001"]


def test_bank_account_learned_from_an_earlier_payment(items):
    learned = LearnedAccounts()
    first = pay("P1", "640.00", [line("INV-60001", "640.00")], payer="Quarry Lane Hardware",
                payer_account="DE02 1203 0000 0000 2020 51")
    second = pay("P2", "275.25", payer="SEPA CREDIT", payer_account="DE02120300000000202051")
    output = match_payments(items, [first, second], learned=learned).to_json()
    assert output["exceptions"] == []
    assert [a["invoice"] for a in output["applications"]] == ["INV-60001", "INV-60002"]
    assert learned.customer_of("de02120300000000202051") == "C1007"


def test_no_remittance_in_another_currency_is_a_currency_exception(items):
    output = run(items, pay("P1", "1200.00", payer="Alpine Supply AG", currency="USD"))
    assert only_exception(output)["reason"] == "currency"


def test_every_exception_explains_itself(items):
    output = run(items, pay("P1", "4410.00", payer="Harbor Freight Outfitters"))
    exception = only_exception(output)
    assert "4410.00" in exception["explanation"] and "INV-20001" in exception["explanation"]
    assert exception["payer"] == "Harbor Freight Outfitters"


# -- payers, subsets ------------------------------------------------------------------------------------

def test_names_are_compared_without_case_punctuation_and_legal_forms():
    assert normalize_name("Pinecrest Grocers, L.L.C.") == "pinecrest grocers"
    assert normalize_name("ACME S.A.") == normalize_name("Acme SA") == "acme"
    directory = PayerDirectory({"C1": "Pinecrest Grocers LLC", "C2": "Summit Foods East Inc",
                                "C3": "Summit Foods West Inc", "C4": "Acme Corp", "C5": "ACME Inc"})
    assert directory.identify("PINECREST GROCERS INC").customer_id == "C1"
    assert directory.identify("Pinecrest Groc").customer_id == "C1"
    assert directory.identify("Summit Foods").status == "ambiguous"
    assert directory.identify("ACME").status == "ambiguous"
    assert directory.identify("Totally Unrelated").status == "unknown"


def test_subset_search_counts_up_to_two_and_respects_its_bounds():
    assert find_lump_sums({"a": (100,), "b": (250,), "c": (330,)}, 350).unique == (("a", 100), ("b", 250))
    assert find_lump_sums({"a": (100,), "b": (250,), "c": (150,), "d": (200,)}, 350).ambiguous
    # Net of a discount is another way to pay: unique only if no variant makes a second set.
    assert find_lump_sums({"a": (100, 98), "b": (250,), "c": (252,)}, 350).ambiguous
    many = {i: (1000 + i,) for i in range(150)}
    # 6879 is the six largest together: out of reach when the memory bound keeps only the smallest items.
    bounded = find_lump_sums(many, 6879, max_blocks=10_000)
    assert not bounded.complete and "memory bound" in bounded.bound and not bounded.solutions
    assert find_lump_sums(many, 6879).unique == tuple((i, 1000 + i) for i in range(144, 150))
    timed = find_lump_sums(many, 6879, max_seconds=0.0)
    assert not timed.complete and "time bound" in timed.bound


# -- terms, creditor references, payers named in bank text, memos that name some invoices --------------

def test_standard_terms_allow_one_percent_for_fifteen_days_but_two_percent_for_ten(items):
    one_percent = pay("P1", "990.00", [line("INV-10006", "990.00", "1000.00", discount="10.00")], paid_on="2026-11-03")
    assert run(items, one_percent)["exceptions"] == []
    two_percent = pay("P2", "980.00", [line("INV-10006", "980.00", "1000.00", discount="20.00")], paid_on="2026-11-03")
    assert only_exception(run(items, two_percent))["reason"] == "underpayment"


def test_terms_file_gives_each_customer_its_own_terms(items, tmp_path):
    from bots.cash import load_terms

    path = tmp_path / "terms.csv"
    path.write_text("customer_id,discount_rate,discount_days\nC1001,0.0000,0\nC1002,3%,20\n", encoding="utf-8")
    policy = load_terms(path, DiscountPolicy())
    no_terms = pay("P1", "990.00", [line("INV-10006", "990.00", "1000.00", discount="10.00")], paid_on="2026-10-22")
    assert only_exception(run(items, no_terms, policy=policy))["reason"] == "underpayment"
    generous = pay("P2", "969.99", [line("INV-20003", "969.99", "999.99", discount="30.00")],
                   payer="Harbor Freight Outfitters", paid_on="2026-10-20")
    assert run(items, generous, policy=policy)["exceptions"] == []


def test_creditor_reference_in_the_memo(items):
    from bots.cash.references import creditor_reference

    assert creditor_reference("RF18539007547034") == "539007547034"
    assert creditor_reference("RF19539007547034") is None          # check digits do not hold
    output = run(items, pay("P1", "730.15", payer=None, memo="RF78INV10008"))
    assert [(a["invoice"], a["rule"]) for a in output["applications"]] == [("INV-10008", "memo_reference")]


def test_payer_named_at_the_start_of_bank_text(items):
    output = run(items, pay("P1", "999.99", payer=None, memo="HARBOR FREIGHT OUTFITTERS INC. VENDOR PAYMENT"))
    assert [a["invoice"] for a in output["applications"]] == ["INV-20003"]
    output = run(items, pay("P2", "310.00", payer=None, memo="SUMMIT FOODS PAYMENT"))
    assert only_exception(output)["reason"] == "ambiguous"


def test_memo_naming_one_invoice_of_several_is_completed_when_unique(items):
    # INV-60001 named; the rest of the money is exactly INV-60002.
    output = run(items, pay("P1", "915.25", payer="Quarry Lane Hardware", memo="REMIT INV-60001 ET AL"))
    assert {(a["invoice"], a["rule"]) for a in output["applications"]} == {("INV-60001", "memo_reference"),
                                                                          ("INV-60002", "subset_sum")}
    # With a credit memo taken: INV-10007 less CM-10009.
    output = run(items, pay("P2", "2350.00", memo="REMIT INV-10007"))
    assert {a["invoice"]: a["amount"] for a in output["applications"]} == {"INV-10007": "2500.00",
                                                                          "CM-10009": "-150.00"}


def test_memo_naming_an_invoice_that_is_not_open_is_unknown_invoice(items):
    output = run(items, pay("P1", "512.00", memo="REMIT INV-91234"))
    assert output["applications"] == [] and only_exception(output)["reason"] == "unknown_invoice"


def test_memo_short_payment_is_applied_and_flagged(items):
    output = run(items, pay("P1", "800.00", memo="PAYMENT INV-10006"))
    assert [a["amount"] for a in output["applications"]] == ["800.00"]
    assert only_exception(output)["reason"] == "underpayment"
    output = run(items, pay("P2", "1050.00", memo="PAYMENT INV-10006"))
    assert [a["amount"] for a in output["applications"]] == ["1000.00"]
    assert (only_exception(output)["reason"], only_exception(output)["unapplied"]) == ("overpayment", "50.00")


def test_instalment_suffix_from_the_customer_is_the_invoice_even_when_short(items):
    output = run(items, pay("P1", "400.00", [line("INV-10006/1", "400.00")]))
    assert [(a["invoice"], a["amount"], a["rule"]) for a in output["applications"]] == [
        ("INV-10006", "400.00", "remittance_reference_suffix")]
    assert only_exception(output)["reason"] == "underpayment"
    # From a payer we cannot place, a short "INV-10006/1" is not enough to touch INV-10006.
    output = run(items, pay("P2", "400.00", [line("INV-10006/1", "400.00")], payer="Zephyr Holdings"))
    assert output["applications"] == [] and only_exception(output)["reason"] == "unknown_invoice"
