"""Which message we sent a delivery report is about: by its Message-ID, else by recipient and subject."""

import re
from datetime import datetime, timezone

from sqlalchemy import select

from bots.runtime.store.models import OutgoingMessage

# "Undeliverable: Invoice INV-1" -> "Invoice INV-1": Exchange and others put our subject after these.
_REPORT_PREFIX = re.compile(
    r"(?i)^\s*(?:undeliverable|undelivered|unzustellbar|nicht\s+zustellbar|non\s+remis|onbestelbaar"
    r"|no\s+se\s+puede\s+entregar|non\s+recapitabile|returned\s+mail|delivery\s+failure|failure)\s*:\s*")


def sent_message_for(session, bounce, address: str):
    """The ``OutgoingMessage`` the report ``bounce`` says did not reach ``address``, or None.

    The Message-ID the report carries back decides. Without one, the most recent message to
    ``address`` with the original's subject sent before the report came.
    """
    if bounce.original_message_id:
        found = session.scalars(select(OutgoingMessage).where(
            OutgoingMessage.message_id == bounce.original_message_id)).one_or_none()
        if found is not None:
            return found
    subject = bounce.original_subject or _subject_in_report(bounce.subject)
    if not subject:
        return None
    candidates = session.scalars(select(OutgoingMessage).where(OutgoingMessage.subject == subject)
                                 .order_by(OutgoingMessage.created_at.desc(), OutgoingMessage.id.desc()))
    reported = _utc(bounce.date)
    for message in candidates:
        if address in {recipient.lower() for recipient in message.recipients} \
                and (reported is None or _utc(message.created_at) <= reported):
            return message
    return None


def _subject_in_report(subject: str) -> str:
    stripped = _REPORT_PREFIX.sub("", subject or "", count=1)
    return stripped.strip() if stripped != subject else ""


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
