"""The demo's report: what the bots did, with the truth beside it, in a few rich tables.

Every figure comes from ``bots.demo.compare``; this module only lays them out. The last
lines are plain sentences ("Wrong applications: 0") that people and tests can read.
"""

from collections import Counter

from rich.table import Table

from bots.demo.compare import payment_aliases, score_cash, score_orders, score_remittances
from bots.demo.files import AS_SENT, BANK_ONLY, PAYMENTS_JSON, PIPELINE

SHOW_AT_MOST = 6   # detail lines under a table; the rest are counted


def print_report(demo) -> None:
    """Print the report of a demo whose steps all ran."""
    console = demo.console
    items = demo.queue.items(limit=None)
    orders = _print_orders(demo, items)
    _print_queue(demo, items)
    remittances = _print_remittances(demo)
    cash = _print_cash(demo)
    erp = _print_erp(demo)

    created = sum(counts.get("items_created", 0) for counts in demo.intake_counts.values())
    created += demo.queued_payments.get("created", 0)
    already = sum(counts.get("items_already_queued", 0) for counts in demo.intake_counts.values())
    already += demo.queued_payments.get("already_queued", 0)
    pipeline = cash[PIPELINE]
    rate = _percent(pipeline.applied, pipeline.payments)
    console.print()
    console.print("[bold]In short[/bold]")
    for line in [
        f"Orders taken in: {sum(s.taken_in for s in orders)} of {sum(s.expected for s in orders)} "
        f"(exact {sum(s.exact for s in orders)}, wrong {sum(len(s.wrong) for s in orders)}, "
        f"missing {sum(len(s.missing) for s in orders)})",
        f"Remittances read exactly: {remittances.exact} of {remittances.documents}",
        f"Payments auto-applied: {pipeline.applied} of {pipeline.payments} ({rate}), "
        f"partly applied: {pipeline.partly_applied}, exceptions: {pipeline.exceptions}",
        f"Wrong applications: {len(pipeline.wrong)} (wrong invoice {len(pipeline.wrong_invoice)}, "
        f"other amount {len(pipeline.wrong_amount)})",
        f"Work items created this run: {created}, already queued: {already}",
        f"Sales orders keyed in the ERP this run: {erp['order']['keyed']}, found already there: "
        f"{erp['order']['found']}; duplicates in the ERP: {erp['order']['duplicates']}",
        f"Payments posted in the ERP this run: {erp['payment']['keyed']}, found already posted: "
        f"{erp['payment']['found']}; duplicates in the ERP: {erp['payment']['duplicates']}",
        f"Time: {sum(seconds for _, seconds in demo.timings):.1f} s",
    ]:
        console.print("  " + line, highlight=False)


def print_next_steps(demo) -> None:
    """Say where to look next: the queue commands, the world and its truth, the log."""
    console = demo.console
    console.print()
    console.print("[bold]Where to look next[/bold]")
    if demo.database_url != _default_url(demo):
        console.print(f"  export O2C_DATABASE_URL={demo.database_url}   the demo's store, for the commands below",
                      highlight=False)
    for command, what in [("o2c items", "the work items"), ("o2c exceptions", "the exception queue, with reasons"),
                          ("o2c show ID", "one item: payload, evidence, history"),
                          ("o2c runs", "the bot runs and their counts")]:
        console.print(f"  {command:<16} {what}", highlight=False)
    console.print(f"  {demo.world / 'truth.json'}   the answers the bots should reach", highlight=False)
    console.print(f"  {demo.log_file}   what the bots logged", highlight=False)


def print_sandbox(demo) -> None:
    """Print the running sandbox systems' URLs and users (for --keep-running)."""
    console = demo.console
    console.print()
    console.print("[bold]The sandbox keeps running[/bold] (Ctrl-C stops it)")
    for name, server in demo.sandbox.servers.items():
        users = ", ".join(f"{user} / {password}" for user, password in demo.sandbox.users(name).items())
        console.print(f"  {name:<7} {server.url}/   users: {users}", highlight=False)


# --- the tables ------------------------------------------------------------------------


def _print_orders(demo, items) -> list:
    truth = demo.truth["orders"]
    scores = [
        score_orders("email", [o for o in truth if o["channel"] == "email"], items),
        # Portal orders a person acknowledged before the demo are not the bot's to take.
        score_orders("portal", [o for o in truth if o["channel"] == "portal" and o.get("state") == "new"], items),
    ]
    table = _table("Orders: taken in vs truth", ["Channel", "In truth", "Taken in", "Exact", "Wrong", "Missing",
                                                 "Waiting for a person"])
    for s in scores:
        table.add_row(s.channel, str(s.expected), str(s.taken_in), str(s.exact), str(len(s.wrong)),
                      str(len(s.missing)), str(s.to_exception))
    demo.console.print()
    demo.console.print(table)
    details = [line for s in scores for line in s.wrong] + [f"PO {po}: missing" for s in scores for po in s.missing]
    _print_details(demo, details)
    return scores


def _print_queue(demo, items) -> None:
    states = Counter((item.kind, item.state) for item in items)
    table = _table("Work queue", ["Kind", "State", "Items"])
    for (kind, state), count in sorted(states.items()):
        table.add_row(kind, state, str(count))
    demo.console.print(table)

    waiting = [item for item in items if item.state == "exception"]
    reasons = Counter((item.kind, item.exception_code) for item in waiting)
    example = {}
    for item in waiting:
        example.setdefault((item.kind, item.exception_code), item.exception_message or "")
    table = _table("Exception queue by reason", ["Kind", "Reason", "Items", "For example"])
    for (kind, reason), count in sorted(reasons.items(), key=lambda entry: (-entry[1], entry[0])):
        table.add_row(kind, reason or "", str(count), _short(example[(kind, reason)]))
    demo.console.print(table)


def _print_remittances(demo):
    sent = {p["remittance_file"]: p for p in _payments_json(demo) if p.get("remittance_file")}
    score = score_remittances(demo.remittances, sent)
    table = _table("Remittance advices: parsed vs truth", ["PDFs", "Read exactly", "With differences", "Unreadable",
                                                            "With warnings", "Joined to a bank payment"])
    table.add_row(str(score.documents), str(score.exact), str(len(score.wrong)), str(len(score.unreadable)),
                  str(score.with_warnings), str(len(demo.remittance_files)))
    demo.console.print(table)
    _print_details(demo, score.wrong + score.unreadable)
    return score


def _print_cash(demo) -> dict:
    truth = demo.truth["payments"]
    sent = _payments_json(demo)
    scores = {source: score_cash(source, output, truth, payment_aliases(demo.cash_feeds[source], sent))
              for source, output in demo.cash.items()}
    table = _table("Cash application vs truth", ["Payments from", "Payments", "Auto-applied", "Partly applied",
                                                 "Exceptions", "Wrong invoice", "Other amount", "To a person"])
    for source in (PIPELINE, AS_SENT, BANK_ONLY):
        s = scores[source]
        table.add_row(source, str(s.payments), f"{s.applied} ({_percent(s.applied, s.payments)})",
                      str(s.partly_applied), str(s.exceptions), str(len(s.wrong_invoice)), str(len(s.wrong_amount)),
                      str(s.missed))
    demo.console.print(table)
    demo.console.print("  Auto-applied: no exception. Wrong invoice / other amount: applications the truth does not "
                       "make.\n  To a person: expected applications that became exceptions. Without a remittance "
                       "the matcher cannot know a discount or deduction.", highlight=False)
    _print_details(demo, [f"wrong ({source}): {line}" for source in scores for line in scores[source].wrong])

    pipeline = scores[PIPELINE]
    table = _table("Payment exceptions by reason", ["Reason", "Found", "In truth"])
    for reason in sorted(set(pipeline.reasons) | set(pipeline.truth_reasons)):
        table.add_row(reason, str(pipeline.reasons[reason]), str(pipeline.truth_reasons[reason]))
    demo.console.print(table)
    return scores


def _print_erp(demo) -> dict:
    """What the ERP bots completed this run (sales order and payment document numbers), and, read
    from the ERP's own database, how many of the demo's done items the ERP holds twice."""
    table = _table("ERP: keyed and posted this run", ["Item", "Kind", "PO / payment", "Customer", "ERP document",
                                                      "How"])
    figures = {}
    for kind, number_field, reference in (("order", "sales_order", _po), ("payment", "document_number", _payment)):
        done = [demo.queue.get(item_id) for item_id in demo.erp_done.get(kind, [])]
        found = sum(1 for item in done if (item.result or {}).get("found_existing"))
        for item in done:
            result = item.result or {}
            table.add_row(str(item.id), kind, reference(item), str(result.get("customer_id", "")),
                          str(result.get(number_field, "")),
                          "found already there" if result.get("found_existing") else "keyed")
        figures[kind] = {"keyed": len(done) - found, "found": found, "duplicates": _erp_duplicates(demo, kind)}
    demo.console.print(table)
    return figures


def _erp_duplicates(demo, kind: str) -> int:
    """Done items of ``kind`` (any run) that the ERP holds more than once: orders by customer and PO,
    payments by reference among documents not reversed."""
    from sandbox.common import open_db

    done = [item for item in demo.queue.items(kind=kind, state="done", limit=None) if item.result]
    conn = open_db(demo.sandbox.db_path("erp"))
    try:
        duplicates = 0
        for item in done:
            if kind == "order":
                found = conn.execute("SELECT count(*) FROM sales_orders WHERE customer_id = ? AND customer_po = ?",
                                     (item.result.get("customer_id"), _po(item))).fetchone()[0]
            else:
                found = conn.execute("SELECT count(*) FROM receipts WHERE customer_id = ? AND reference = ? "
                                     "AND status = 'posted'", (item.result.get("customer_id"), _payment(item))).fetchone()[0]
            duplicates += found > 1
        return duplicates
    finally:
        conn.close()


def _po(item) -> str:
    return str((item.payload.get("order") or {}).get("po_number") or "")


def _payment(item) -> str:
    return str((item.payload.get("payment") or {}).get("payment_reference") or "")


# --- helpers ---------------------------------------------------------------------------


def _payments_json(demo) -> list[dict]:
    import json

    return json.loads((demo.world / PAYMENTS_JSON).read_text(encoding="utf-8"))


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left")
    for number, column in enumerate(columns):
        text = number == 0 or column in ("Kind", "State", "Reason", "For example")
        # The row's name stays on one line; headers and long texts wrap when the terminal is narrow.
        table.add_column(column, justify="left" if text else "right", overflow="fold", no_wrap=number == 0)
    return table


def _print_details(demo, lines: list[str]) -> None:
    for line in lines[:SHOW_AT_MOST]:
        demo.console.print(f"  - {line}", highlight=False)
    if len(lines) > SHOW_AT_MOST:
        demo.console.print(f"  ... and {len(lines) - SHOW_AT_MOST} more", highlight=False)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _default_url(demo) -> str:
    from bots.runtime.config import load_settings

    return load_settings().database_url
