"""The work queue on both stores: states, idempotency, leases, failures, supervisor actions, runs."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from bots.runtime.clock import FixedClock
from bots.runtime.errors import ApplicationException, BusinessException
from bots.runtime.runs import audit_entries, bot_run, recent_runs
from bots.runtime.store.models import AuditEntry, AuditLogIsAppendOnly
from bots.runtime.workqueue import IllegalTransition, ItemNotFound, LeaseLost, QueueError, WorkQueue, file_key, key_for


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def queue(store_url, clock):
    queue = WorkQueue.open(store_url, clock=clock, max_attempts=3, retry_backoff_seconds=60, lease_seconds=300)
    yield queue
    queue.close()


def add_order(queue, n=1, **extra):
    return queue.add("order", {"po_number": f"PO-{n}", "total": "10.00"}, key=f"order-{n}", **extra)[0]


# --- adding and idempotency ---

def test_add_creates_a_new_item(queue, clock):
    item, created = queue.add("order", {"po_number": "4500012345"}, key="msg-1/4500012345",
                              source_ref="<msg-1@example.com>", evidence={"source_file": "po.pdf"})
    assert created
    assert (item.kind, item.state, item.attempts) == ("order", "new", 0)
    assert item.payload == {"po_number": "4500012345"}
    assert item.source_ref == "<msg-1@example.com>"
    assert item.evidence == {"source_file": "po.pdf"}
    assert item.created_at == clock.now()


def test_the_same_key_twice_makes_one_item(queue):
    first, created_first = queue.add("order", {"po_number": "1"}, key="same")
    second, created_second = queue.add("order", {"po_number": "1 again"}, key="same")
    assert created_first and not created_second
    assert second.id == first.id
    assert second.payload == {"po_number": "1"}  # the stored item, not the new payload
    assert len(queue.items()) == 1
    assert queue.find("same").id == first.id
    assert queue.find("other") is None


def test_keys_are_stable_and_distinct(tmp_path):
    assert key_for("order", "<m1@x>", "PO 1") == key_for("order", "<m1@x>", "PO 1 ")
    assert key_for("order", "<m1@x>", "PO 1") != key_for("order", "<m1@x>", "PO 2")
    assert key_for("a", "bc") != key_for("ab", "c")
    pdf = tmp_path / "advice.pdf"
    pdf.write_bytes(b"%PDF-1.4 one")
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(b"%PDF-1.4 one")
    assert file_key(pdf, "remittance") == file_key(copy, "remittance")


def test_add_many_is_one_transaction(queue):
    entries = [{"kind": "order", "payload": {"n": 1}, "key": "a"},
               {"kind": "order", "payload": {"n": 2}, "key": "b"},
               {"kind": "order", "payload": {"n": object()}, "key": "c"}]  # cannot be stored
    with pytest.raises(Exception):
        queue.add_many(entries)
    assert queue.items() == []
    results = queue.add_many(entries[:2] + [{"kind": "order", "payload": {"n": 3}, "key": "a"}])
    assert [created for _, created in results] == [True, True, False]
    assert results[2][0].id == results[0][0].id
    assert len(queue.items()) == 2


def test_add_many_can_send_new_items_straight_to_the_exception_queue(queue):
    results = queue.add_many([
        {"kind": "order", "payload": {"po": "1"}, "key": "ok"},
        {"kind": "order", "payload": {"po": None}, "key": "bad", "evidence": {"file": "m.eml"},
         "exception": ("missing_po", "The order has no PO number")},
    ])
    assert [item.state for item, _ in results] == ["new", "exception"]
    bad = queue.get(results[1][0].id)
    assert (bad.exception_code, bad.exception_message, bad.evidence) == (
        "missing_po", "The order has no PO number", {"file": "m.eml"})
    assert [(e.action, e.to_state) for e in bad.history] == [("created", "new"), ("exception", "exception")]
    again, created = queue.add_many([{"kind": "order", "payload": {}, "key": "bad", "exception": ("x", "y")}])[0]
    assert not created and again.exception_code == "missing_po"
    with pytest.raises(QueueError, match="code, message"):
        queue.add_many([{"kind": "order", "payload": {}, "key": "z", "exception": "missing_po"}])


def test_add_many_refuses_an_entry_without_a_key(queue):
    with pytest.raises(QueueError, match="key"):
        queue.add_many([{"kind": "order", "payload": {}, "key": "ok"}, {"kind": "order", "payload": {}}])
    assert queue.items() == []


def test_payload_may_hold_decimals_and_dates(queue):
    from datetime import date
    from decimal import Decimal

    item, _ = queue.add("payment", {"total": Decimal("1234.50"), "date": date(2026, 11, 9)}, key="p")
    assert queue.get(item.id).payload == {"total": "1234.50", "date": "2026-11-09"}


# --- claiming, completing, leases ---

def test_claim_takes_new_items_oldest_first(queue, clock):
    for n in range(3):
        add_order(queue, n)
    claimed = queue.claim("w1", limit=2)
    assert [item.payload["po_number"] for item in claimed] == ["PO-0", "PO-1"]
    for item in claimed:
        assert (item.state, item.lease_owner, item.attempts) == ("in_progress", "w1", 1)
        assert item.lease_expires_at == clock.now() + timedelta(seconds=300)
    assert [item.payload["po_number"] for item in queue.claim("w2", limit=5)] == ["PO-2"]
    assert queue.claim("w3") == []


def test_claim_only_the_kinds_asked_for(queue):
    add_order(queue, 1)
    remittance, _ = queue.add("remittance", {"file": "a.pdf"}, key="r1")
    assert [item.id for item in queue.claim("w", kinds=["remittance"], limit=5)] == [remittance.id]
    assert queue.claim("w", kinds=["payment"]) == []


def test_complete_records_the_result(queue):
    add_order(queue)
    item = queue.claim("w1")[0]
    done = queue.complete(item.id, "w1", result={"sales_order": "SO-1"})
    assert (done.state, done.result, done.lease_owner) == ("done", {"sales_order": "SO-1"}, None)
    assert queue.claim("w1") == []
    with pytest.raises(LeaseLost):
        queue.complete(item.id, "w1")


def test_an_expired_lease_gives_the_item_to_another_worker(queue, clock):
    add_order(queue)
    item = queue.claim("w1", lease_seconds=300)[0]
    clock.advance(seconds=299)
    assert queue.claim("w2") == []  # 09:04:59, the lease runs to 09:05:00
    clock.advance(seconds=2)
    taken = queue.claim("w2")
    assert [(i.id, i.lease_owner, i.attempts) for i in taken] == [(item.id, "w2", 2)]
    with pytest.raises(LeaseLost, match="w1 no longer holds"):
        queue.complete(item.id, "w1")
    assert queue.complete(item.id, "w2").state == "done"
    actions = [event.action for event in queue.get(item.id).history]
    assert actions == ["created", "lease_expired", "completed"]


def test_heartbeat_extends_the_lease(queue, clock):
    add_order(queue)
    item = queue.claim("w1", lease_seconds=60)[0]
    clock.advance(seconds=50)
    assert queue.heartbeat(item.id, "w1", 60).lease_expires_at == clock.now() + timedelta(seconds=60)
    clock.advance(seconds=50)
    assert queue.claim("w2") == []  # would have expired without the heartbeat
    with pytest.raises(LeaseLost):
        queue.heartbeat(item.id, "w2")


# --- failures ---

def test_a_business_exception_goes_to_the_queue_at_once(queue):
    add_order(queue)
    item = queue.claim("w1")[0]
    failed = queue.fail(item.id, "w1", BusinessException("unknown_customer", "No customer has the email buyer@x.com",
                                                          {"source_file": "po.pdf", "screenshot": "s.png"}))
    assert (failed.state, failed.exception_type, failed.exception_code) == ("exception", "business", "unknown_customer")
    assert failed.exception_message == "No customer has the email buyer@x.com"
    assert failed.evidence == {"source_file": "po.pdf", "screenshot": "s.png"}
    assert "BusinessException" in failed.traceback
    assert [i.id for i in queue.exceptions()] == [item.id]


def test_application_exceptions_retry_with_backoff_then_go_to_the_queue(queue, clock):
    add_order(queue)
    for attempt, backoff in ((1, 60), (2, 120)):
        item = queue.claim("w1")[0]
        assert item.attempts == attempt
        failed = queue.fail(item.id, "w1", ApplicationException("erp_timeout", "The ERP did not answer in 30 s"))
        assert failed.state == "new"
        assert failed.not_before == clock.now() + timedelta(seconds=backoff)
        clock.advance(seconds=backoff - 1)
        assert queue.claim("w1") == []  # still backing off
        clock.advance(seconds=1)
    item = queue.claim("w1")[0]
    assert item.attempts == 3
    failed = queue.fail(item.id, "w1", ApplicationException("erp_timeout", "The ERP did not answer in 30 s"))
    assert (failed.state, failed.exception_type, failed.exception_code) == ("exception", "application", "erp_timeout")
    assert queue.get(item.id).history[-1].action == "attempts_exhausted"


def test_an_unexpected_error_counts_as_an_application_exception_and_keeps_the_traceback(queue):
    add_order(queue)
    item = queue.claim("w1")[0]

    def buggy():
        return {}["missing"]

    try:
        buggy()
    except KeyError as error:
        failed = queue.fail(item.id, "w1", error)
    assert failed.state == "new"
    assert "in buggy" in failed.traceback and "KeyError" in failed.traceback
    assert queue.get(item.id).history[-1].detail["code"] == "unexpected_error"


def test_to_exception_from_new(queue):
    item = add_order(queue)
    sent = queue.to_exception(item.id, "not_an_order", "The email asks about an invoice; no order in it.",
                              {"message_id": "<m@x>"})
    assert (sent.state, sent.exception_code, sent.evidence) == ("exception", "not_an_order", {"message_id": "<m@x>"})
    with pytest.raises(IllegalTransition):
        queue.to_exception(item.id, "again", "twice")


# --- the processing context manager ---

def test_processing_completes_on_success_with_result_and_audit(queue):
    add_order(queue)
    item = queue.claim("w1")[0]
    with bot_run(queue, "erp-entry") as run:
        with queue.processing(item, "w1", run=run) as work:
            assert work.payload["po_number"] == "PO-1"
            work.audit("create_sales_order", "erp", "Sales Order form", {"po": "PO-1"}, document_number="SO-77")
            work.result = {"sales_order": "SO-77"}
    done = queue.get(item.id)
    assert (done.state, done.result) == ("done", {"sales_order": "SO-77"})
    [entry] = audit_entries(queue, item_id=item.id)
    assert (entry["document_number"], entry["run_id"], entry["bot"]) == ("SO-77", run.id, "erp-entry")
    assert recent_runs(queue)[0]["counts"] == {"done": 1}


def test_processing_routes_business_and_application_exceptions_and_goes_on(queue):
    add_order(queue, 1)
    add_order(queue, 2)
    first, second = queue.claim("w1", limit=2)
    with queue.processing(first, "w1"):
        raise BusinessException("price_mismatch", "Price 18.75 on the PO, 19.10 in the price list")
    with queue.processing(second, "w1"):
        raise ApplicationException("erp_busy", "System busy")
    assert queue.get(first.id).state == "exception"
    assert queue.get(second.id).state == "new"


def test_processing_reraises_a_bug_after_recording_it(queue):
    add_order(queue)
    item = queue.claim("w1")[0]
    with pytest.raises(ZeroDivisionError):
        with queue.processing(item, "w1"):
            1 / 0
    assert queue.get(item.id).state == "new"
    assert "ZeroDivisionError" in queue.get(item.id).traceback


def test_processing_after_the_lease_was_lost(queue, clock):
    add_order(queue)
    item = queue.claim("w1", lease_seconds=60)[0]
    clock.advance(seconds=61)
    queue.claim("w2")
    with queue.processing(item, "w1"):  # the failure is w2's to record now
        raise ApplicationException("erp_busy", "System busy")
    with pytest.raises(LeaseLost):
        with queue.processing(item, "w1"):
            pass
    assert queue.get(item.id).lease_owner == "w2"


# --- the supervisor's actions ---

def exception_item(queue):
    add_order(queue)
    item = queue.claim("w1")[0]
    return queue.fail(item.id, "w1", BusinessException("unknown_customer", "Unknown customer"))


def test_retry_sends_the_item_back_with_fresh_attempts(queue):
    item = exception_item(queue)
    retried = queue.retry(item.id, by="alice", note="customer created in the ERP")
    assert (retried.state, retried.attempts) == ("retried", 0)
    again = queue.claim("w2")[0]
    assert (again.id, again.attempts) == (item.id, 1)
    last = retried.history[-1]
    assert (last.actor, last.action, last.from_state, last.to_state, last.note) == (
        "alice", "retry", "exception", "retried", "customer created in the ERP")


def test_resolve_and_dismiss_close_the_item_with_a_note(queue):
    first = exception_item(queue)
    resolved = queue.resolve(first.id, by="bob", note="keyed by hand as SO-12")
    assert resolved.state == "resolved"
    assert resolved.history[-1].note == "keyed by hand as SO-12"
    add_order(queue, 2)
    second = queue.claim("w1")[0]
    queue.fail(second.id, "w1", BusinessException("duplicate", "Already keyed"))
    assert queue.dismiss(second.id, by="bob", note="duplicate of item 1").state == "dismissed"
    assert queue.exceptions() == []


def test_illegal_transitions_are_refused_clearly(queue):
    item = add_order(queue)
    with pytest.raises(IllegalTransition, match="only items in the exception queue"):
        queue.resolve(item.id, by="bob", note="x")
    failed = exception_item(queue)
    with pytest.raises(QueueError, match="needs a note"):
        queue.resolve(failed.id, by="bob", note=" ")
    queue.resolve(failed.id, by="bob", note="done by hand")
    for action in (queue.retry, queue.dismiss, queue.resolve):
        with pytest.raises(IllegalTransition, match="it is resolved"):
            action(failed.id, by="bob", note="again")
    with pytest.raises(ItemNotFound):
        queue.retry(9999, by="bob")


def test_listing_filters_by_state_and_kind(queue):
    add_order(queue, 7)
    queue.add("remittance", {}, key="r")
    exception_item(queue)
    assert {i.kind for i in queue.items(kind="remittance")} == {"remittance"}
    assert [i.state for i in queue.items(state="exception")] == ["exception"]
    assert queue.counts() == {"new": 2, "exception": 1}
    with pytest.raises(QueueError, match="unknown state"):
        queue.items(state="failed")


def test_secrets_never_reach_evidence_or_tracebacks(queue, monkeypatch):
    from bots.runtime.config import secret

    monkeypatch.setenv("O2C_ERP_PASSWORD", "Hunter2-secret")
    password = secret("erp_password")
    add_order(queue)
    item = queue.claim("w1")[0]
    failed = queue.fail(item.id, "w1", BusinessException(
        "login_failed", f"login with {password} refused", {"page_url": f"http://erp/login?pw={password}"}))
    stored = queue.get(failed.id)
    for text_ in (stored.exception_message, stored.evidence["page_url"], stored.traceback, str(stored.history)):
        assert "Hunter2-secret" not in text_
    assert "***" in stored.exception_message


# --- runs and the audit log ---

def test_a_run_records_counts_and_outcome(queue, clock):
    with bot_run(queue, "email-intake") as run:
        run.count("messages")
        run.count("orders", 3)
        clock.advance(seconds=5)
    with pytest.raises(RuntimeError):
        with bot_run(queue, "email-intake"):
            raise RuntimeError("IMAP server went away")
    failed, ok = recent_runs(queue)
    assert (ok["outcome"], ok["counts"]) == ("success", {"messages": 1, "orders": 3})
    assert ok["ended_at"] > ok["started_at"]
    assert failed["outcome"] == "failed" and "IMAP server went away" in failed["error"]


def test_the_audit_log_is_append_only(queue):
    with bot_run(queue, "cash-posting") as run:
        run.audit("post_payment", "erp", "Cash Receipt", {"amount": "10.00"}, document_number="CR-1")
    with queue.session() as session:
        entry = session.query(AuditEntry).one()
        entry.document_number = "CR-2"
        with pytest.raises(AuditLogIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.query(AuditEntry).one())
        with pytest.raises(AuditLogIsAppendOnly):
            session.flush()
        session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            session.execute(update(AuditEntry).values(document_number="CR-3"))
        session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            session.execute(delete(AuditEntry))
        session.rollback()
    # The database refuses too, whatever client writes to it.
    for statement in ("UPDATE audit_log SET document_number = 'X'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with queue.engine.begin() as connection:
                connection.execute(text(statement))
    assert [e["document_number"] for e in audit_entries(queue)] == ["CR-1"]
