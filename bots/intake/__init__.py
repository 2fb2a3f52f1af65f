"""The intake bots: purchase orders from mailboxes and customer portals into the work queue.

- ``mailbox``: an IMAP account or a folder of .eml files, behind one small interface.
- ``email_intake``: ``o2c run email-intake``, one work item per order found in a message.
- ``portal_intake``: ``o2c run portal-intake``, one work item per PO listed on a customer portal.
"""
