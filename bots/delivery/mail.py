"""The invoice by email: PDF attached, body in the customer's language, sent exactly once.

Sending goes through ``bots.runtime.outgoing_mail`` (the intent with its Message-ID is stored before
SMTP; a run killed after sending finds the message in the Sent folder and sends nothing
again). The key is ``invoice:<number>:email:<address>``, so the same invoice never goes twice
to one address, and a corrected address (after a bounce) is a new message.
"""

from pathlib import Path

from bots.runtime.errors import BusinessException

TEMPLATES = Path(__file__).resolve().parent / "templates"


def mail_key(invoice: str, recipient: str) -> str:
    return f"invoice:{invoice}:email:{recipient.lower()}"


def send_invoice(mail, facts: dict, recipient: str, language: str, sender: str, work_key: str | None = None) -> dict:
    """Send invoice ``facts`` (the billing item's result) with its PDF to ``recipient``; return what to record.

    ``work_key`` (the delivery item's key) is kept with the message, so a late bounce
    (``o2c run mail-bounces``) finds the item to raise again.

    :raises BusinessException: ``email_rejected`` when the mail server refused it (the reason).
    """
    from bots.runtime.outgoing_mail import Attachment, render_message

    invoice = facts["invoice"]
    pdf = Path(facts["pdf"])
    if not pdf.is_file():
        raise BusinessException("invoice_pdf_missing", f"the PDF of invoice {invoice} is not at {pdf}")
    message = render_message(TEMPLATES, "invoice", language, facts, sender=sender, to=[recipient],
                             attachments=[Attachment(pdf.name, pdf.read_bytes(), "application/pdf")])
    outcome = mail.send_once(mail_key(invoice, recipient), message, purpose="invoice",
                             meta={"invoice": invoice, "customer_id": facts.get("customer_id"), "work_key": work_key})
    if outcome.state == "refused":
        raise BusinessException("email_rejected", f"invoice {invoice} to {recipient} was refused: {outcome.error}",
                                {"recipient": recipient, "message_id": outcome.message_id, "reason": outcome.error})
    return {"message_id": outcome.message_id, "recipient": recipient, "sent_now": outcome.sent_now,
            "found_in_sent": outcome.found_in_sent, "language": language}
