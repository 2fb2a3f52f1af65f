"""How a dunning letter reaches a customer: email, a print-ready PDF letter, an SMS.

A channel delivers one ``Delivery`` exactly once and writes the caller's records
(``record(session)``) in the transaction that finishes the delivery:

- ``EmailChannel`` sends through ``bots.runtime.outgoing_mail`` (intent, SMTP, Sent copy, done);
- ``LetterChannel`` writes the letter as a PDF to print and post, one file per letter;
- ``SmsChannel`` is the interface for text messages; ``FileSmsChannel`` appends them to a
  JSON-lines file a gateway (or a person) picks up. A real gateway implements ``send_text``.

Files are named by the delivery's key, so a run killed after writing one and before
recording it rewrites the same file (never a second letter) and then records it.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bots.runtime.store.models import ContactLog


@dataclass
class Delivery:
    """One letter to one customer: what it says and what to record once it is out."""

    key: str
    customer_id: str
    subject: str
    text: str
    meta: dict
    email_message: object | None = None        # the MIME message, for email
    letter_pdf: bytes | None = None
    phone: str | None = None
    sms_text: str | None = None


Record = Callable[[Session, str, dict], None]   # (session, channel name, meta)


class Channel:
    """Delivers a ``Delivery`` exactly once; ``deliver`` returns True when it went out in this call."""

    name = "channel"

    def deliver(self, delivery: Delivery, record: Record) -> bool:
        raise NotImplementedError


@dataclass
class EmailChannel(Channel):
    mail: object            # bots.runtime.outgoing_mail.OutgoingMail
    name: str = "email"

    def deliver(self, delivery: Delivery, record: Record) -> bool:
        outcome = self.mail.send_once(delivery.key, delivery.email_message, purpose="dunning", meta=delivery.meta,
                                      on_done=lambda session, row: record(session, self.name, dict(row.meta)))
        if outcome.state == "refused":
            raise RefusedDelivery(outcome.error)
        return outcome.sent_now


class RefusedDelivery(Exception):
    """The mail server refused the letter for good (bad address): a person must fix the contact."""


@dataclass
class _FileChannel(Channel):
    sessions: sessionmaker

    def _recorded(self, key: str) -> bool:
        with self.sessions() as session:
            return session.scalars(select(ContactLog.id).where(ContactLog.message_key == key,
                                                               ContactLog.channel == self.name)).first() is not None

    def _finish(self, delivery: Delivery, record: Record) -> None:
        with self.sessions.begin() as session:
            if session.scalars(select(ContactLog.id).where(ContactLog.message_key == delivery.key,
                                                           ContactLog.channel == self.name)).first() is None:
                record(session, self.name, delivery.meta)


@dataclass
class LetterChannel(_FileChannel):
    folder: Path = Path("letters")
    name: str = "letter"

    def path_for(self, delivery: Delivery) -> Path:
        return Path(self.folder) / (delivery.key.replace(":", "_").replace("/", "_") + ".pdf")

    def deliver(self, delivery: Delivery, record: Record) -> bool:
        if self._recorded(delivery.key):
            return False
        path = self.path_for(delivery)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(delivery.letter_pdf)
        partial.replace(path)            # whole file or none, even when killed while writing
        self._finish(delivery, record)
        return True


class SmsChannel(Channel):
    """Text messages: implement ``send_text(key, phone, text)`` (idempotent by ``key``) for a gateway."""

    name = "sms"

    def send_text(self, key: str, phone: str, text: str) -> None:
        raise NotImplementedError


@dataclass
class FileSmsChannel(_FileChannel, SmsChannel):
    """Writes each text message as one JSON line (key, phone, text) to ``path``."""

    path: Path = Path("sms-outbox.jsonl")
    name: str = "sms"

    def send_text(self, key: str, phone: str, text: str) -> None:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and any(json.loads(line)["key"] == key for line in path.read_text().splitlines() if line):
            return                       # written by a run killed before it recorded it
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"key": key, "phone": phone, "text": text}, ensure_ascii=False) + "\n")

    def deliver(self, delivery: Delivery, record: Record) -> bool:
        if not delivery.phone or self._recorded(delivery.key):
            return False
        self.send_text(delivery.key, delivery.phone, delivery.sms_text or delivery.subject)
        self._finish(delivery, record)
        return True
