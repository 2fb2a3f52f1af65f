"""Remittance advices that arrive as work items, as cash application reads them.

The customer portal queues each advice a customer sends as a work item of kind
``remittance`` (payload ``source: customer-portal`` and ``remittance``: contract 1's record);
the cash-application bot pairs it with the bank payment it names. Both read the kind and the
shape from here, so neither imports the other.
"""

ITEM_KIND = "remittance"
PORTAL_SOURCE = "customer-portal"
NAME_PREFIX = "portal-"


def remittance_name(item_id: int) -> str:
    """The advice's name among the bank's (``attach_remittances`` pairs them in name order)."""
    return f"{NAME_PREFIX}{item_id}"


def item_id_of(name: str) -> int | None:
    """The work item an advice's name stands for, or None for an advice from the bank."""
    return int(name[len(NAME_PREFIX):]) if name.startswith(NAME_PREFIX) else None


def remittance_records(items) -> dict[str, dict]:
    """The portal's advices among ``items`` (work items of kind ``remittance``): name -> contract 1 record."""
    return {remittance_name(item.id): item.payload["remittance"] for item in items
            if (item.payload or {}).get("source") == PORTAL_SOURCE and isinstance(item.payload.get("remittance"), dict)}
