"""Late bounces: delivery reports about mail we sent, turned into exceptions a person can act on.

- ``bot``: ``o2c run mail-bounces``: reads the sending account's inbox, one exception per
  bounced message and recipient; an invoice's can be corrected and sent again.
- ``sent_messages``: which of our sent messages (``outgoing_messages``) a report is about.

The reports themselves are read by ``inbox_parsers.email.bounces``.
"""
