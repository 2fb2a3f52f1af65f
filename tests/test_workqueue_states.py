"""The work-item state machine against a model.

Long random walks of bot and supervisor actions (seeded, so a failure replays exactly),
with the clock moved by hand: after every step each item must be exactly where the
rules say (state, attempts, lease, backoff), claims must return exactly the items the
rules make claimable, and every illegal action must be refused without changing anything.
"""

import collections
import random
from datetime import timedelta

import pytest

from bots.runtime.clock import FixedClock
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.workqueue import IllegalTransition, LeaseLost, QueueError, WorkQueue

MAX_ATTEMPTS = 3
BACKOFF = 60
LEASE = 300
WORKERS = ("w1", "w2")
# Steps of the clock around the backoffs (60, 120) and the lease (300) on purpose.
STEPS = (1, 30, 59, 60, 61, 119, 120, 121, 240, 299, 300, 301)


class Model:
    """What the rules say one item should look like."""

    def __init__(self):
        self.state, self.attempts = "new", 0
        self.owner = self.lease_expires = self.not_before = None

    def claimable(self, now) -> bool:
        if self.state in ("new", "retried"):
            return self.not_before is None or self.not_before <= now
        return self.state == "in_progress" and self.lease_expires < now


class Walk:
    def __init__(self, queue: WorkQueue, clock: FixedClock, rng: random.Random):
        self.queue, self.clock, self.rng = queue, clock, rng
        self.models: dict[int, Model] = {}
        self.keys: dict[str, int] = {}
        self.seen = collections.Counter()  # which kinds of step happened, to show the walk covered them

    def step(self) -> None:
        actions = [self.add, self.claim, self.complete, self.fail, self.supervise, self.advance]
        self.rng.choices(actions, weights=[15, 20, 15, 20, 15, 15])[0]()
        self.check()

    def add(self):
        # Mostly new work, sometimes the same document again.
        fresh = not self.keys or self.rng.random() < 0.75
        key = f"k{len(self.keys)}" if fresh else self.rng.choice(sorted(self.keys))
        item, created = self.queue.add("order", {"key": key}, key=key)
        assert created == (key not in self.keys)
        if created:
            self.keys[key] = item.id
            self.models[item.id] = Model()
        assert item.id == self.keys[key]
        self.seen["add" if created else "add_again"] += 1

    def claim(self):
        worker, limit = self.rng.choice(WORKERS), self.rng.randint(1, 3)
        now = self.clock.now()
        expected = sorted(i for i, m in self.models.items() if m.claimable(now))[:limit]
        assert [item.id for item in self.queue.claim(worker, limit=limit)] == expected
        for item_id in expected:
            model = self.models[item_id]
            if model.state == "in_progress":
                self.seen["lease_taken_over"] += 1
            model.state, model.owner, model.not_before = "in_progress", worker, None
            model.attempts += 1
            model.lease_expires = now + timedelta(seconds=LEASE)
        self.seen["claim" if expected else "claim_nothing"] += 1

    def complete(self):
        item_id, worker = self.pick_held()
        if item_id is None:
            return
        model = self.models[item_id]
        if model.state == "in_progress" and model.owner == worker:
            assert self.queue.complete(item_id, worker).state == "done"
            model.state, model.owner = "done", None
            self.seen["complete"] += 1
        else:
            self.refused(LeaseLost, self.queue.complete, item_id, worker)

    def fail(self):
        item_id, worker = self.pick_held()
        if item_id is None:
            return
        model = self.models[item_id]
        business = self.rng.random() < 0.4
        error = BusinessException("bad_data", "bad") if business else ApplicationException("busy", "System busy")
        if not (model.state == "in_progress" and model.owner == worker):
            self.refused(LeaseLost, self.queue.fail, item_id, worker, error)
            return
        item = self.queue.fail(item_id, worker, error)
        model.owner = None
        if business or model.attempts >= MAX_ATTEMPTS:
            model.state = "exception"
            self.seen["business_exception" if business else "attempts_exhausted"] += 1
        else:
            model.state = "new"
            model.not_before = self.clock.now() + timedelta(seconds=BACKOFF * 2 ** (model.attempts - 1))
            self.seen["retry_later"] += 1
        assert item.state == model.state

    def supervise(self):
        action = self.rng.choice(["retry", "resolve", "dismiss"])
        waiting = sorted(i for i, m in self.models.items() if m.state == "exception")
        # Mostly a waiting item; now and then any item, which must be refused unless waiting.
        pool = waiting if self.rng.random() < 0.85 else sorted(self.models)
        if not pool:
            return
        item_id = self.rng.choice(pool)
        model = self.models[item_id]
        act = getattr(self.queue, action)
        if model.state != "exception":
            self.refused(IllegalTransition, act, item_id, by="sam", note="note")
            return
        item = act(item_id, by="sam", note="note")
        model.state = {"retry": "retried", "resolve": "resolved", "dismiss": "dismissed"}[action]
        if action == "retry":
            model.attempts, model.not_before = 0, None
        assert item.state == model.state
        self.seen[action] += 1

    def advance(self):
        self.clock.advance(seconds=self.rng.choice(STEPS))

    def pick_held(self):
        """Mostly an item some worker holds, acted on by its owner; sometimes by the other worker."""
        held = sorted(i for i, m in self.models.items() if m.state == "in_progress")
        pool = held if self.rng.random() < 0.9 else sorted(self.models)
        if not pool:
            return None, None
        item_id = self.rng.choice(pool)
        owner = self.models[item_id].owner or self.rng.choice(WORKERS)
        if self.rng.random() < 0.1:
            owner = "w2" if owner == "w1" else "w1"
        return item_id, owner

    def refused(self, error_type, action, *args, **kwargs):
        before = self.queue.get(args[0])
        try:
            action(*args, **kwargs)
        except error_type:
            self.seen[f"refused_{error_type.__name__}"] += 1
        except QueueError as other:
            raise AssertionError(f"expected {error_type.__name__}, got {other!r}") from None
        else:
            raise AssertionError(f"{action.__name__}{args} should have been refused")
        after = self.queue.get(args[0])
        assert (after.state, after.attempts, after.lease_owner, len(after.history)) == (
            before.state, before.attempts, before.lease_owner, len(before.history))

    def check(self):
        items = self.queue.items(limit=None)
        assert len(items) == len(self.models)
        for item in items:
            model = self.models[item.id]
            assert (item.state, item.attempts) == (model.state, model.attempts), item.id
            if item.state == "in_progress":
                assert (item.lease_owner, item.lease_expires_at) == (model.owner, model.lease_expires)
            else:
                assert item.lease_owner is None and item.lease_expires_at is None
            if item.state == "new":
                assert item.not_before == model.not_before


@pytest.mark.parametrize("seed", [1, 2])
def test_random_walks_follow_the_rules(store_url, seed):
    clock = FixedClock()
    queue = WorkQueue.open(store_url, clock=clock, max_attempts=MAX_ATTEMPTS, retry_backoff_seconds=BACKOFF,
                           lease_seconds=LEASE)
    walk = Walk(queue, clock, random.Random(seed))
    for _ in range(1200):
        walk.step()
    queue.close()
    # The walk must have gone everywhere, or a pass would prove little.
    assert set(walk.seen) >= {"add", "add_again", "claim", "claim_nothing", "lease_taken_over", "complete",
                         "business_exception", "attempts_exhausted", "retry_later", "retry", "resolve", "dismiss",
                         "refused_LeaseLost", "refused_IllegalTransition"}
