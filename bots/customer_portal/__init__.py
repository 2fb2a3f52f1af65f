"""The customer self-service portal (``o2c portal``), on the shared web layer ``bots.runtime.web``.

Customer contacts sign in with their own accounts (realm ``customer``; each account belongs
to one customer, ``portal_contacts``) and see only their customer's data, read from our
store, never from or into the ERP:

- open invoices and the balance (the receivables ledger ``ar_items``, which the ERP bots'
  open-items exports keep current), the invoice PDFs ``erp-invoicing`` downloaded, a
  statement of account PDF (``bots.collections.statement``) and the payment history;
- a dispute on an invoice, with a reason and an attachment (a ``dispute_cases`` case,
  routed like every other by ``bots.collections.cases``);
- a promise to pay (``bots.collections.promises``);
- a remittance advice, as a PDF (read by ``inbox_parsers.remittance``) or a form: queued as a
  work item of kind ``remittance``, which cash application pairs with the bank payment
  (``portal_remittances``).

Another customer's invoice, PDF or case answers 404, exactly like one that does not exist.

    app = create_portal_app(queue, secret_key=b"...")
    serve(app, port=8490)
"""

from bots.customer_portal.app import CUSTOMER_REALM, create_portal_app
from bots.customer_portal.contacts import add_contact
from bots.customer_portal.remittances import portal_remittances

__all__ = ["CUSTOMER_REALM", "add_contact", "create_portal_app", "portal_remittances"]
