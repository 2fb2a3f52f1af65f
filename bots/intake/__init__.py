"""The intake bots: purchase orders from mailboxes and customer portals into the work queue.

- ``mailbox``: an IMAP account or a folder of .eml files, behind one small interface.
- ``email_intake``: ``o2c run email-intake``, one work item per order found in a message.
- ``portal_intake``: ``o2c run portal-intake``, one work item per new PO on a customer portal.
- ``common``: what both do alike (evidence files, judging an order, committing and routing items).

Both commit a document's items before they touch its source (move the message,
acknowledge the PO), so a crash at any point is repaired by the next run without a
duplicate: the work queue's idempotency keys see to that.
"""
