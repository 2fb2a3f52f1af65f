"""The email-intake bot on a folder of .eml files (the embedded default): items, folders, evidence."""

import hashlib
from pathlib import Path

import pytest

from bots.intake.common import read_known_skus
from bots.intake.email_intake import EmailIntakeSettings, order_key, run_email_intake
from bots.intake.mailbox import MailboxSettings
from tests.generators import intake_emails as mails


@pytest.fixture
def queue(tmp_path):
    from bots.runtime.workqueue import WorkQueue

    return WorkQueue.open(url=f"sqlite:///{tmp_path / 'queue.db'}")


@pytest.fixture
def drop(tmp_path) -> Path:
    folder = tmp_path / "mailbox"
    folder.mkdir()
    return folder


def _settings(tmp_path, drop, **options) -> EmailIntakeSettings:
    return EmailIntakeSettings(
        mailboxes=[MailboxSettings(name="drop", kind="folder", path=drop)],
        evidence_dir=tmp_path / "evidence", **options,
    )


def _put(drop: Path, name: str, raw: bytes) -> None:
    (drop / name).write_bytes(raw)


def _all_items(queue) -> list:
    return list(queue.items())


def _orders(queue) -> list:
    return [item for item in queue.items(kind="order")]


def test_one_item_per_order_and_messages_move_after_commit(tmp_path, drop, queue):
    _put(drop, "a.eml", mails.order_email("4500012345"))
    _put(drop, "b.eml", mails.order_email("88123", buyer="ap@harbor.example", customer="Harbor Freight",
                                          lines=(("NW-2205", "5", "101.00"), ("NW-3108", "2.5", "7.10")),
                                          attachment=False))

    counts = run_email_intake(_settings(tmp_path, drop), once=True, queue=queue)

    orders = {item.payload["order"]["po_number"]: item for item in _orders(queue)}
    assert set(orders) == {"4500012345", "88123"}
    assert all(item.state == "new" for item in orders.values())
    assert [line["sku"] for line in orders["88123"].payload["order"]["lines"]] == ["NW-2205", "NW-3108"]
    assert sorted(p.name for p in (drop / "processed").iterdir()) == ["a.eml", "b.eml"]
    assert not list(drop.glob("*.eml"))
    assert counts["messages"] == 2 and counts["items_created"] == 2

    # The raw message is kept as evidence under its SHA-256, and the item points at it.
    raw = (drop / "processed" / "a.eml").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    evidence = orders["4500012345"].evidence
    assert evidence["sha256"] == digest
    assert Path(evidence["file"]).read_bytes() == raw


def test_redelivered_and_forwarded_copies_make_no_duplicate(tmp_path, drop, queue):
    original = mails.order_email("4500077001", message_id="<po-77001@pinecrest.example>")
    _put(drop, "first.eml", original)
    run_email_intake(_settings(tmp_path, drop), once=True, queue=queue)

    _put(drop, "again.eml", original)  # the server delivered it twice
    _put(drop, "fwd.eml", mails.forwarded(original))  # a sales rep forwards it to the order desk
    _put(drop, "fwd-inline.eml", mails.forwarded_inline(original))  # and another one inline
    counts = run_email_intake(_settings(tmp_path, drop), once=True, queue=queue)

    assert len(_orders(queue)) == 1
    assert counts.get("items_created", 0) == 0 and counts["items_already_queued"] == 3
    assert sorted(p.name for p in (drop / "processed").iterdir()) == [
        "again.eml", "first.eml", "fwd-inline.eml", "fwd.eml"]


def test_same_po_number_from_two_customers_makes_two_items(tmp_path, drop, queue):
    _put(drop, "a.eml", mails.order_email("1001", buyer="buyer@pinecrest.example", customer="Pinecrest Grocers"))
    _put(drop, "b.eml", mails.order_email("1001", buyer="orders@harbor.example", customer="Harbor Freight"))
    run_email_intake(_settings(tmp_path, drop), once=True, queue=queue)
    assert len(_orders(queue)) == 2


@pytest.mark.parametrize("name, raw, code", [
    ("malformed.eml", mails.malformed_mime(), None),
    ("empty-body.eml", mails.empty_body(), None),
    ("empty.eml", mails.empty_message(), "unreadable"),
    ("zip.eml", mails.zip_attachment(), None),
    ("huge.eml", mails.huge_attachment(20), "too_large"),
])
def test_bad_input_becomes_an_exception_item_and_the_rest_go_on(tmp_path, drop, queue, name, raw, code):
    _put(drop, "0-bad-" + name, raw)
    _put(drop, "1-good.eml", mails.order_email("5550001"))

    run_email_intake(_settings(tmp_path, drop), once=True, queue=queue)

    exceptions = [item for item in _all_items(queue) if item.state == "exception"]
    assert len(exceptions) == 1, [(i.kind, i.state, i.exception_code) for i in _all_items(queue)]
    bad = exceptions[0]
    assert bad.exception_code in ({code} if code else {"unreadable", "not_order", "no_orders"})
    assert bad.exception_message
    assert Path(bad.evidence["file"]).read_bytes() == raw
    assert [item.payload["order"]["po_number"] for item in _orders(queue) if item.state == "new"] == ["5550001"]
    assert (drop / "processed" / "1-good.eml").exists()
    moved = drop / ("not_orders" if bad.exception_code == "not_order" else "exceptions") / ("0-bad-" + name)
    assert moved.exists()


def test_not_an_order_goes_to_not_orders_with_an_exception_item(tmp_path, drop, queue):
    _put(drop, "ooo.eml", mails.out_of_office())
    run_email_intake(_settings(tmp_path, drop), once=True, queue=queue)
    (item,) = _all_items(queue)
    assert (item.state, item.exception_code) == ("exception", "not_order")
    assert (drop / "not_orders" / "ooo.eml").exists()


def test_unknown_sku_is_queued_for_a_supervisor(tmp_path, drop, queue):
    skus = tmp_path / "skus.csv"
    skus.write_text("sku,description\nNW-4410,Oats\nNW-2205,Rice\n")
    _put(drop, "a.eml", mails.order_email("600100", lines=(("NW-4410", "1", "2.00"), ("ZZ-9999", "3", "4.00"))))
    _put(drop, "b.eml", mails.order_email("600101", lines=(("NW-2205", "1", "2.00"),)))

    run_email_intake(_settings(tmp_path, drop, known_skus=read_known_skus(skus)), once=True, queue=queue)

    states = {item.payload["order"]["po_number"]: (item.state, item.exception_code) for item in _orders(queue)}
    assert states == {"600100": ("exception", "unknown_sku"), "600101": ("new", None)}
    assert (drop / "exceptions" / "a.eml").exists() and (drop / "processed" / "b.eml").exists()


def test_order_key_names_the_order_not_the_copy():
    order = {"po_number": "PO 4500", "customer": {"name": "Pinecrest Grocers LLC", "email": "Buyer@Pinecrest.example"}}
    same = {"po_number": "po4500", "customer": {"email": "buyer@pinecrest.example"}}
    key = order_key(order, message_id="a@x", sender="rep@seller.example", index=0)
    assert key == order_key(same, message_id="b@y", sender="buyer@pinecrest.example", index=3)
    other_customer = {"po_number": "4500", "customer": {"email": "ap@harbor.example"}}
    assert key != order_key(other_customer, message_id="a@x", sender=None, index=0)
    by_name = {"po_number": "4500", "customer": {"name": "Pinecrest Grocers, Inc."}}
    assert order_key(by_name, message_id="a@x", sender=None, index=0) == order_key(
        {"po_number": "4500", "customer": {"name": "PINECREST GROCERS"}}, message_id="b@y", sender=None, index=0)
    no_po = {"po_number": None, "customer": {"email": "buyer@pinecrest.example"}}
    assert order_key(no_po, message_id="a@x", sender=None, index=0) != order_key(
        no_po, message_id="a@x", sender=None, index=1)


def test_settings_come_from_the_config_and_mistakes_name_the_fix(tmp_path, monkeypatch):
    from bots.runtime.config import load_settings
    from bots.intake.email_intake import load_email_intake_settings

    def load(document: dict):
        path = tmp_path / "o2c.yaml"
        import yaml

        path.write_text(yaml.safe_dump({"home": str(tmp_path / "home"), **document}))
        return load_email_intake_settings(load_settings(path, env={}))

    monkeypatch.delenv("O2C_IMAP_PASSWORD", raising=False)
    monkeypatch.setattr("bots.runtime.config._from_keyring", lambda key: None)
    default = load({})
    assert [(m.kind, m.path) for m in default.mailboxes] == [("folder", tmp_path / "home" / "mailbox")]
    assert (tmp_path / "home" / "mailbox").is_dir()

    monkeypatch.setenv("O2C_IMAP_PASSWORD", "s3cret-pw")
    (implied,) = load({"imap": {"host": "mail.example", "user": "orders@example.com"}}).mailboxes
    assert (implied.kind, implied.host, implied.port, implied.security) == ("imap", "mail.example", 993, "tls")

    imap = load({"imap": {"host": "mail.example", "port": 143, "ssl": False, "user": "orders@example.com",
                          "done_folder": "Done"},
                 "bots": {"email-intake": {"mailboxes": [{"name": "orders", "kind": "imap",
                                                          "folders": {"not_orders": "Junk"}}]}}})
    (box,) = imap.mailboxes
    assert (box.host, box.port, box.security, box.user, box.password) == (
        "mail.example", 143, "starttls", "orders@example.com", "s3cret-pw")
    assert box.folders == {"inbox": "INBOX", "processed": "Done", "exceptions": "Exceptions", "not_orders": "Junk"}

    with pytest.raises(ValueError, match="unknown setting.*poll_secs"):
        load({"bots": {"email-intake": {"poll_secs": 5}}})
    with pytest.raises(ValueError, match=r"mailboxes\[1\].*hostname"):
        load({"bots": {"email-intake": {"mailboxes": [{"kind": "imap", "hostname": "x"}]}}})


def test_known_skus_come_from_a_list_a_csv_or_the_erp_database(tmp_path):
    import sqlite3

    (tmp_path / "skus.txt").write_text("# our items\nNW-4410\n\nNW-2205\n")
    (tmp_path / "skus.csv").write_text("description,sku\nOats,NW-4410\nRice,NW-2205\n")
    with sqlite3.connect(tmp_path / "erp.sqlite") as db:
        db.execute("CREATE TABLE items (item_id TEXT PRIMARY KEY, description TEXT)")
        db.executemany("INSERT INTO items VALUES (?, ?)", [("NW-4410", "Oats"), ("NW-2205", "Rice")])
    for name in ("skus.txt", "skus.csv", "erp.sqlite"):
        assert read_known_skus(tmp_path / name) == {"NW-4410", "NW-2205"}, name
    with pytest.raises(ValueError, match="cannot read the known SKUs file"):
        read_known_skus(tmp_path / "missing.csv")


def test_one_po_number_twice_in_a_message_never_loses_an_order(tmp_path):
    from bots.intake.email_intake import plan_message
    from bots.intake.mailbox import MailMessage
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "buyer@pinecrest.example", "PO 7001", "<m7001@x>"
    message.set_content("Orders attached.\n")
    for name, sku in (("PO7001-a.csv", "NW-4410"), ("PO7001-b.csv", "NW-2205"), ("PO7001-c.csv", "NW-4410")):
        csv_text = f"PO Number,SKU,Description,Quantity,Unit Price\n7001,{sku},Item,3,2.00\n"
        message.add_attachment(csv_text.encode(), maintype="text", subtype="csv", filename=name)

    plan = plan_message(MailMessage("m", bytes(message), "test"), {"sha256": "x"}, max_bytes=10**7)

    assert [(item.payload["order"]["lines"][0]["sku"], item.exception and item.exception[0]) for item in plan.items] \
        == [("NW-4410", None), ("NW-2205", "duplicate_po")]
    assert len({item.key for item in plan.items}) == 2
    assert plan.folder == "exceptions"
