"""Messages per second through ``o2c run email-intake``, from a folder and from a real Dovecot.

    .venv/bin/python bench/bench_intake.py [COUNT]      (default 190: 10 of each email format)

Takes the generated order-email corpus (tests/generators/order_emails.py, every format,
orders and not-orders), runs the bot in-process once on a folder of .eml files and once
on a Dovecot IMAP account over TLS (started in a temporary folder, as the tests do), then
delivers every message a second time. Prints per mailbox kind the rate, the items made
against the orders in the truth, the exception reasons, and the duplicates the second
delivery made (must be 0).
"""

import collections
import shutil
import ssl
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.intake.email_intake import EmailIntakeSettings, run_email_intake  # noqa: E402
from bots.intake.mailbox import MailboxSettings  # noqa: E402
from bots.runtime.workqueue import WorkQueue  # noqa: E402
from tests.fixtures.dovecot import DovecotServer  # noqa: E402
from tests.generators.order_emails import corpus  # noqa: E402


def main(count: int) -> None:
    cases = corpus(count)
    truth_orders = sum(len(case.orders) for case in cases)
    print(f"{len(cases)} messages, {truth_orders} orders in the truth, "
          f"{sum(case.status == 'not_order' for case in cases)} not orders")
    root = Path(tempfile.mkdtemp(prefix="o2c-bench-intake-"))
    root.chmod(0o755)
    try:
        folder = root / "drop"
        folder.mkdir()

        def deliver_to_folder(round_: int):
            for number, case in enumerate(cases):
                (folder / f"{round_}-{number:05d}.eml").write_bytes(case.raw)

        box = MailboxSettings(name="drop", kind="folder", path=folder)
        measure("folder", box, root / "folder", deliver_to_folder, truth_orders)

        server = DovecotServer(root / "dovecot").start()
        try:
            account = server.add_user()

            def deliver_to_imap(round_: int):
                from imapclient import IMAPClient

                context = ssl.create_default_context(cafile=str(account.ca_file))
                with IMAPClient(account.host, port=account.tls_port, ssl_context=context) as client:
                    client.login(account.user, account.password)
                    for case in cases:
                        client.append("INBOX", case.raw)

            box = MailboxSettings(name="imap", kind="imap", host=account.host, port=account.tls_port,
                                  user=account.user, password=account.password, ca_file=account.ca_file)
            measure("imap (TLS)", box, root / "imap", deliver_to_imap, truth_orders)
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(label: str, mailbox: MailboxSettings, work: Path, deliver, truth_orders: int) -> None:
    work.mkdir()
    settings = EmailIntakeSettings(mailboxes=[mailbox], evidence_dir=work / "evidence")
    with WorkQueue.open(url=f"sqlite:///{work / 'queue.db'}") as queue:
        deliver(1)
        started = time.perf_counter()
        counts = run_email_intake(settings, once=True, queue=queue)
        first = time.perf_counter() - started
        orders = len(queue.items(kind="order", limit=None))
        reasons = collections.Counter(item.exception_code for item in queue.items(state="exception", limit=None))

        deliver(2)  # the same messages again: a re-delivery must make nothing new
        started = time.perf_counter()
        again = run_email_intake(settings, once=True, queue=queue)
        second = time.perf_counter() - started
        duplicates = len(queue.items(kind="order", limit=None)) - orders

    messages = counts.get("messages", 0)
    print(f"\n{label}")
    print(f"  first delivery:  {messages} messages in {first:.2f} s = {messages / first:.1f} messages/s")
    print(f"  order items:     {orders} for {truth_orders} orders in the truth (ratio {orders / max(truth_orders, 1):.3f})")
    print(f"  exceptions:      {dict(sorted(reasons.items(), key=lambda pair: str(pair[0])))}")
    print(f"  second delivery: {again.get('messages', 0)} messages in {second:.2f} s, "
          f"{again.get('items_created', 0)} new items, {duplicates} duplicate orders")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 190)
