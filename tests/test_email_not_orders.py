"""Which messages are no orders, and why; and the look-alikes that still are orders."""

import pytest

from inbox_parsers.email import parse_email

ORDER_TEXT = "PO Number: 4711\nDeliver by: 12/05/2026\n\n24 x NW-4410 Widget @ 18.75\n"


def _mail(body: str, subject: str = "PO 4711", headers: str = "", sender: str = "Jane Doe <jane@pinecrest-grocers.com>",
          to: str = "orders@northwind-supply.com") -> bytes:
    return (f"From: {sender}\nTo: {to}\nSubject: {subject}\nDate: Tue, 24 Nov 2026 09:00:00 -0500\n{headers}"
            f"Content-Type: text/plain; charset=utf-8\n\n{body}").encode()


@pytest.mark.parametrize("raw, reason", [
    (_mail("I am out of the office until Monday.\n", "Automatic reply: PO 4711", "Auto-Submitted: auto-replied\n"), "auto-reply"),
    (_mail("Thank you for your email. I am currently out of the office until 30/11/2026 with limited access to email.\n", "Re: PO 4711"), "auto-reply"),
    (_mail("Abwesend bis Montag.\n", "Abwesenheitsnotiz: Bestellung"), "auto-reply"),
    (_mail("Undelivered message attached.\n", "Undeliverable: PO 4711", sender="MAILER-DAEMON@northwind-supply.com"), "bounce"),
    (_mail("New products!\n\nItem  Description  Qty  Price\nAB-1  Thing  1  2.00\n", "Weekly offers", "List-Unsubscribe: <https://x.example/u>\n"), "newsletter"),
    (_mail("Could you send a copy of invoice INV-5512 for our PO 4711? Our copy is missing.\n", "Re: PO 4711"), "invoice query"),
    (_mail("Hello,\nwe were billed twice for PO 4711.\n", "Invoice 5512 / PO 4711"), "invoice query"),
    (_mail("Hi, could you quote the following:\n\n50 x NW-4410 Widget\n20 x AB-100 Oil\n", "RFQ"), "quote request"),
    (_mail("Hi Fred, when will PO 4711 ship?\nThanks\n", "PO 4711 status"), "no order found"),
    (_mail(""), "empty"),
])
def test_not_orders(raw, reason):
    result = parse_email(raw)
    assert (result["status"], result["reason"], result["orders"]) == ("not_order", reason, [])


def test_a_procurement_system_mail_with_a_po_is_an_order():
    raw = _mail(ORDER_TEXT, "Purchase Order 4711", "Auto-Submitted: auto-generated\nPrecedence: bulk\n", sender="noreply@procure.example")
    result = parse_email(raw)
    assert result["status"] == "order" and result["orders"][0]["po_number"] == "4711"


def test_a_reply_quoting_our_own_confirmation_is_no_order():
    body = ("Looks good, thanks!\n\nOn Mon, Nov 23, 2026 at 9:14 AM Fred <fred@northwind-supply.com> wrote:\n"
            "> We confirm your order:\n> PO Number: 4711\n> 24 x NW-4410 Widget @ 18.75\n")
    assert parse_email(_mail(body, "Re: Order confirmation 4711"))["status"] == "not_order"


def test_a_forward_of_the_customers_order_is_an_order_of_the_customer():
    body = ("Please key this.\n\n---------- Forwarded message ---------\nFrom: Jane Doe <jane@pinecrest-grocers.com>\n"
            "Date: Mon, Nov 23, 2026\nSubject: PO 4711\n\n" + ORDER_TEXT + "\nRegards,\nJane Doe\nPinecrest Grocers\n")
    result = parse_email(_mail(body, "Fwd: PO 4711", sender="Fred <fred@northwind-supply.com>"))
    [order] = result["orders"]
    assert order["customer"] == {"name": "Pinecrest Grocers", "email": "jane@pinecrest-grocers.com"}
    assert order["requested_date"] == "2026-12-05"


def test_an_order_that_mentions_the_invoice_address_is_still_an_order():
    body = "Please supply the following:\n\n" + ORDER_TEXT + "\nPlease send the invoice to ap@pinecrest-grocers.com.\n"
    assert parse_email(_mail(body))["status"] == "order"


def test_an_order_from_someone_leaving_for_vacation_is_still_an_order():
    body = "I will be out of the office next week, so please deliver on time.\n\n" + ORDER_TEXT
    assert parse_email(_mail(body))["status"] == "order"


def test_a_follow_up_quoting_the_senders_own_order_is_no_new_order():
    body = ("Any news on this one?\n\nOn Mon, Nov 23, 2026 at 9:14 AM Jane Doe <jane@pinecrest-grocers.com> wrote:\n"
            + "".join("> " + line + "\n" for line in ORDER_TEXT.splitlines()))
    result = parse_email(_mail(body, "Re: PO 4711"))
    assert (result["status"], result["reason"]) == ("not_order", "no order found")


def test_an_order_asking_for_the_invoice_by_email_is_still_an_order():
    body = ORDER_TEXT + "\nCan you also send the invoice by email?\n"
    assert parse_email(_mail(body))["status"] == "order"
