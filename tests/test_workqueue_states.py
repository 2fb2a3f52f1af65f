"""The work-item state machine against a model: random sequences of bot and supervisor
actions (hypothesis), with the clock moved by hand, must leave every item exactly where
the rules say, and every illegal action must be refused without changing anything."""

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from bots.clock import FixedClock
from bots.errors import ApplicationException, BusinessException
from bots.workqueue import IllegalTransition, LeaseLost, QueueError, WorkQueue

MAX_ATTEMPTS = 3
BACKOFF = 60
LEASE = 300
WORKERS = st.sampled_from(["w1", "w2"])


class Model:
    """What the rules say one item should look like."""

    def __init__(self):
        self.state = "new"
        self.attempts = 0
        self.owner = None
        self.lease_expires = None
        self.not_before = None

    def claimable(self, now) -> bool:
        if self.state in ("new", "retried"):
            return self.not_before is None or self.not_before <= now
        return self.state == "in_progress" and self.lease_expires < now


class WorkQueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.clock = FixedClock()
        self.queue = WorkQueue.open(f"sqlite:///{Path(self.folder.name) / 'o2c.db'}", clock=self.clock,
                                    max_attempts=MAX_ATTEMPTS, retry_backoff_seconds=BACKOFF, lease_seconds=LEASE)
        self.models: dict[int, Model] = {}
        self.keys: dict[str, int] = {}

    def teardown(self):
        self.queue.close()
        self.folder.cleanup()

    @rule(key=st.sampled_from("abcdef"))
    def add(self, key):
        item, created = self.queue.add("order", {"key": key}, key=key)
        assert created == (key not in self.keys)
        if created:
            self.keys[key] = item.id
            self.models[item.id] = Model()
        assert item.id == self.keys[key]

    @rule(worker=WORKERS, limit=st.integers(1, 3))
    def claim(self, worker, limit):
        now = self.clock.now()
        expected = sorted(i for i, m in self.models.items() if m.claimable(now))[:limit]
        claimed = self.queue.claim(worker, limit=limit)
        assert [item.id for item in claimed] == expected
        for item_id in expected:
            model = self.models[item_id]
            model.state, model.owner = "in_progress", worker
            model.attempts += 1
            model.lease_expires = now + timedelta(seconds=LEASE)
            model.not_before = None

    @precondition(lambda self: self.models)
    @rule(data=st.data(), own=st.booleans())
    def complete(self, data, own):
        item_id, worker = self._pick(data, own)
        model = self.models[item_id]
        if model.state == "in_progress" and model.owner == worker:
            assert self.queue.complete(item_id, worker).state == "done"
            model.state, model.owner = "done", None
        else:
            self._refused(LeaseLost, self.queue.complete, item_id, worker)

    @precondition(lambda self: self.models)
    @rule(data=st.data(), own=st.booleans(), business=st.booleans())
    def fail(self, data, own, business):
        item_id, worker = self._pick(data, own)
        model = self.models[item_id]
        error = BusinessException("bad_data", "bad") if business else ApplicationException("busy", "System busy")
        if not (model.state == "in_progress" and model.owner == worker):
            self._refused(LeaseLost, self.queue.fail, item_id, worker, error)
            return
        item = self.queue.fail(item_id, worker, error)
        model.owner = None
        if business or model.attempts >= MAX_ATTEMPTS:
            model.state = "exception"
        else:
            model.state = "new"
            model.not_before = self.clock.now() + timedelta(seconds=BACKOFF * 2 ** (model.attempts - 1))
        assert item.state == model.state

    @precondition(lambda self: self.models)
    @rule(data=st.data(), action=st.sampled_from(["retry", "resolve", "dismiss"]), in_queue=st.booleans())
    def supervise(self, data, action, in_queue):
        waiting = sorted(i for i, m in self.models.items() if m.state == "exception")
        item_id = data.draw(st.sampled_from(waiting if in_queue and waiting else sorted(self.models)))
        model = self.models[item_id]
        act = getattr(self.queue, action)
        if model.state != "exception":
            self._refused(IllegalTransition, act, item_id, by="sam", note="note")
            return
        item = act(item_id, by="sam", note="note")
        model.state = {"retry": "retried", "resolve": "resolved", "dismiss": "dismissed"}[action]
        if action == "retry":
            model.attempts, model.not_before = 0, None
        assert item.state == model.state

    @rule(seconds=st.sampled_from([1, 59, 60, 120, 299, 300, 301, 600]))
    def advance(self, seconds):
        self.clock.advance(seconds=seconds)

    @invariant()
    def the_store_agrees_with_the_model(self):
        for item in self.queue.items(limit=None):
            model = self.models[item.id]
            assert (item.state, item.attempts) == (model.state, model.attempts)
            if item.state == "in_progress":
                assert (item.lease_owner, item.lease_expires_at) == (model.owner, model.lease_expires)
            else:
                assert item.lease_owner is None

    def _pick(self, data, own):
        """Mostly an item some worker holds, acted on by its owner (``own``) or by the other worker."""
        held = sorted(i for i, m in self.models.items() if m.state == "in_progress")
        item_id = data.draw(st.sampled_from(held or sorted(self.models)))
        owner = self.models[item_id].owner or data.draw(WORKERS)
        return item_id, owner if own else {"w1": "w2", "w2": "w1"}[owner]

    def _refused(self, error_type, action, *args, **kwargs):
        before = self.queue.get(args[0])
        try:
            action(*args, **kwargs)
        except error_type:
            pass
        except QueueError as other:
            raise AssertionError(f"expected {error_type.__name__}, got {other!r}") from None
        else:
            raise AssertionError(f"{action.__name__}{args} should have been refused")
        after = self.queue.get(args[0])
        assert (after.state, after.attempts, after.lease_owner, len(after.history)) == (
            before.state, before.attempts, before.lease_owner, len(before.history))


WorkQueueMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
test_work_item_state_machine = WorkQueueMachine.TestCase
