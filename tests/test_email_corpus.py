"""Generated order emails (tests/generators/order_emails.py) parse to exactly their truth."""

import collections

import pytest

from inbox_parsers.email import parse_email
from tests.generators.order_emails import FORMATS, NOT_ORDER_FORMATS, ORDER_FORMATS, make_case, mismatch


def test_generator_covers_at_least_twelve_order_formats_and_the_not_orders():
    assert len(ORDER_FORMATS) >= 12
    assert set(NOT_ORDER_FORMATS) == {"out_of_office", "invoice_question", "bounce", "newsletter"}


def test_generator_is_deterministic_and_varied():
    assert make_case(3, "csv_attachment").orders == make_case(3, "csv_attachment").orders
    assert len({make_case(seed, "text_table").orders[0]["po_number"] for seed in range(20)}) >= 15


def test_at_least_99_percent_of_the_corpus_is_exactly_right(order_email_corpus):
    assert len(order_email_corpus) >= 400
    wrong = {}
    for case in order_email_corpus:
        problem = mismatch(case, parse_email(case.raw))
        if problem:
            wrong[case.name] = problem
    exact = 1 - len(wrong) / len(order_email_corpus)
    assert exact >= 0.99, f"{exact:.1%} exact; wrong: {dict(list(wrong.items())[:10])}"


def test_every_format_is_in_the_corpus(order_email_corpus):
    counts = collections.Counter(case.format for case in order_email_corpus)
    assert set(counts) == set(FORMATS)
    assert min(counts.values()) >= 20


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_exactly(fmt):
    for seed in range(1000, 1006):
        case = make_case(seed, fmt)
        assert mismatch(case, parse_email(case.raw)) is None, case.name


def test_not_orders_have_no_orders_and_say_why(order_email_corpus):
    reasons = collections.defaultdict(set)
    for case in order_email_corpus:
        if case.format in NOT_ORDER_FORMATS:
            result = parse_email(case.raw)
            assert result["status"] == "not_order" and result["orders"] == []
            reasons[case.format].add(result["reason"])
    assert reasons["bounce"] == {"bounce"}
    assert reasons["newsletter"] == {"newsletter"}
    assert reasons["out_of_office"] == {"auto-reply"}
    assert reasons["invoice_question"] == {"invoice query"}
