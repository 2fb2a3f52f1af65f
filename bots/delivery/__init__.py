"""Invoice delivery: each invoice the ERP raised goes to the customer once per channel.

- ``bot``: ``o2c run invoice-delivery``: the work items, one per invoice and channel.
- ``mail``: the invoice by email (PDF attached, a body per language), through the shared
  exactly-once sender ``bots.runtime.outgoing_mail``.
- ``portal``: the invoice uploaded to the customer's supplier portal, confirmation read back.
- ``templates/``: the email bodies, ``invoice.<language>.txt.j2``.
"""
