"""Orders are prioritized before keying: the queue hands out the most urgent first."""

from datetime import date

from bots.credit.priority import PriorityRules, order_priority, prioritize_orders
from bots.runtime.workqueue import WorkQueue

TODAY = date(2026, 11, 25)
RULES = PriorityRules(tiers={"C1004": "gold", "BLUEBONNET MARKETS INC.": "silver"})


def order(po, requested=None, customer=None, lines=(("1", "10.00"),)):
    return {"po_number": po, "requested_date": requested, "customer": customer or {"name": "Someone"},
            "lines": [{"sku": "X-1", "quantity": q, "unit_price": p} for q, p in lines]}


def test_sooner_dates_better_tiers_and_larger_orders_score_higher():
    assert order_priority(order("a", "2026-11-26"), RULES, TODAY) == 29 * 10
    assert order_priority(order("a", "2026-11-20"), RULES, TODAY) == 30 * 10  # already late: most urgent
    assert order_priority(order("a", "2027-03-01"), RULES, TODAY) == 0
    assert order_priority(order("a", None, {"customer_id": "C1004"}), RULES, TODAY) == 200
    assert order_priority(order("a", None, {"name": "Bluebonnet Markets Inc."}), RULES, TODAY) == 100
    assert order_priority(order("a", None, lines=(("10", "2500.00"),)), RULES, TODAY) == 25
    assert order_priority(order("a", None, lines=(("1000", "2500.00"),)), RULES, TODAY) == 100  # capped


def test_the_queue_hands_out_the_most_urgent_order_first(tmp_path):
    queue = WorkQueue.open(url=f"sqlite:///{tmp_path / 'q.db'}")
    wanted_late = queue.add("order", {"order": order("late", "2027-02-01")}, key="1")[0]
    big = queue.add("order", {"order": order("big", None, lines=(("40", "2500.00"),))}, key="2")[0]
    gold = queue.add("order", {"order": order("gold", "2027-02-01", {"customer_id": "C1004"})}, key="3")[0]
    tomorrow = queue.add("order", {"order": order("soon", "2026-11-26")}, key="4")[0]
    other = queue.add("payment", {"x": 1}, key="5")[0]

    assert prioritize_orders(queue, RULES, TODAY) == 4
    assert prioritize_orders(queue, RULES, TODAY) == 0  # each order is prioritized once

    claimed = [queue.claim("w", kinds=["order"])[0].id for _ in range(4)]
    assert claimed == [tomorrow.id, gold.id, big.id, wanted_late.id]
    assert queue.claim("w")[0].id == other.id  # items without a priority come after, oldest first
    queue.close()
