"""What the console reads and how its actions change items, on SQLite and PostgreSQL.

The exception queue's filters, sorts and pages against a known set of items (the oracle is
the same selection made in Python), the dashboard's figures, and the version check that
keeps two people from acting twice on one item.
"""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from bots.runtime.clock import FixedClock
from bots.console import actions, queries
from bots.runtime.workqueue import ItemChanged, WorkQueue

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def queue(store_url):
    clock = FixedClock(NOW - timedelta(days=10))
    with WorkQueue.open(url=store_url, clock=clock) as queue:
        for n in range(40):
            clock.set(NOW - timedelta(hours=6 * n))
            payload = ({"payment": {"payment_reference": f"P{n}", "payer": f"Payer {n % 4}", "total": f"{10 * n + 5}.00",
                                    "currency": "USD"}} if n % 2 else
                       {"order": {"po_number": str(n), "customer": {"name": f"Buyer {n % 4}"}}})
            queue.add("payment" if n % 2 else "order", payload, key=f"q:{n}",
                      source_ref=f"source {n}")
            queue.to_exception(n + 1, "unmatched" if n % 3 else "ambiguous", f"item {n} needs a person",
                               by=f"{'cash-application' if n % 2 else 'email-intake'}@host:1")
        clock.set(NOW)
        yield queue


def page(queue, **args):
    return queries.exception_queue(queue, queries.QueueFilter.from_args(MultiDict(args), me="sam"), NOW)


def test_filters_sorts_pages_and_mine_match_a_selection_made_by_hand(queue):
    n_of = lambda row: int(row["source_ref"].split()[1])  # noqa: E731
    found = page(queue, reason="ambiguous", kind="payment", per_page="200")
    assert sorted(n_of(r) for r in found.rows) == [n for n in range(40) if n % 3 == 0 and n % 2]
    found = page(queue, customer="payer 1", min_amount="50", max_amount="300.00", per_page="200")
    assert sorted(n_of(r) for r in found.rows) == [n for n in range(40) if n % 2 and n % 4 == 1 and 50 <= 10 * n + 5 <= 300]
    found = page(queue, older_than="3d", per_page="200")
    assert sorted(n_of(r) for r in found.rows) == [n for n in range(40) if 6 * n >= 72]
    found = page(queue, bot="email-intake", per_page="200")
    assert {r["raised_by"] for r in found.rows} == {"email-intake"} and found.total == 20
    found = page(queue, search="item 17 ")
    assert [n_of(r) for r in found.rows] == [17]

    # sorting and paging
    by_amount = page(queue, kind="payment", sort="amount", dir="desc", per_page="25")
    amounts = [Decimal(r["amount"]) for r in by_amount.rows]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] == Decimal("395.00")
    first = page(queue, per_page="25")
    assert first.total == 40 and first.pages == 2
    assert [r["waiting_seconds"] for r in first.rows] == sorted((r["waiting_seconds"] for r in first.rows), reverse=True)
    second = page(queue, per_page="25", page="2")
    assert len(second.rows) == 15 and not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}
    past_the_end = page(queue, per_page="25", page="9")
    assert past_the_end.filter.page == 2 and len(past_the_end.rows) == 15
    nothing = page(queue, reason="no_such_reason")
    assert nothing.total == 0 and nothing.rows == []

    # the "mine" view, after an assignment
    item = queue.get(3)
    actions.assign(queue, item, "sue", "sam")
    assert [r["id"] for r in page(queue, view="mine").rows] == [3]
    assert page(queue, assigned="-").total == 39
    with pytest.raises(ItemChanged, match="sue"):
        actions.assign(queue, item, "sue", "otto")  # the page sue saw is out of date now


def test_the_second_of_two_people_is_told_who_acted_and_the_dashboard_counts(queue):
    seen_by_otto = queue.get(5)
    seen_by_sam = queue.get(5)
    actions.dismiss(queue, seen_by_sam, "sam", "duplicate")
    with pytest.raises(ItemChanged, match=r"changed by sam \(dismiss"):
        actions.retry(queue, seen_by_otto, "otto", "try again")
    item = queue.get(5)
    assert item.state == "dismissed" and [e.action for e in item.history].count("dismiss") == 1

    # the dashboard, with that item dismissed
    from bots.runtime.runs import bot_run

    with bot_run(queue, "erp-order-entry") as run:
        run.audit("create_sales_order", "erp", "Sales Order", document_number="SO-1")
    figures = queries.dashboard(queue, NOW)
    assert figures["states"] == {"exception": 39, "dismissed": 1}
    assert sum(figures["aging"].values()) == 39
    assert figures["aging"]["> 7 d"] == len([n for n in range(40) if 6 * n >= 168])  # 7 days and more
    assert figures["orders_keyed_per_day"][NOW.date().isoformat()] == 1
    assert figures["payments"] == 20 and figures["payments_automatic"] == 0 and figures["auto_match_rate"] == 0
    assert figures["runs"][0]["bot"] == "erp-order-entry" and figures["runs"][0]["outcome"] == "success"
