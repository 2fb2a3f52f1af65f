"""Mailboxes the email-intake bot reads: an IMAP account, or a folder of .eml files.

Both sit behind one small interface, so the bot's code path is the same for each:

    with open_mailbox(settings) as mailbox:
        for message in mailbox.waiting():     # nothing is marked seen or moved here
            ...                               # parse, store evidence, commit work items
            mailbox.move(message, "processed")  # only after the items are committed
        mailbox.wait(60)                      # IMAP IDLE where the server has it, else sleep

``move`` takes a folder *role* ("processed", "exceptions", "not_orders"); the mailbox
settings map each role to a real folder name. A message stays in the inbox until it is
moved, so a crash at any point before the move means the next run sees it again.
"""

import os
import socket
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from bots.runtime.errors import ApplicationException

FOLDER_ROLES = ("processed", "exceptions", "not_orders")
# Folder names per role; a folder mailbox's inbox is the folder itself.
DEFAULT_FOLDERS = {
    "imap": {"inbox": "INBOX", "processed": "Processed", "exceptions": "Exceptions", "not_orders": "Not orders"},
    "folder": {"inbox": ".", "processed": "processed", "exceptions": "exceptions", "not_orders": "not_orders"},
}


@dataclass(frozen=True)
class MailMessage:
    """One message waiting in a mailbox.

    ``ref`` says where it sits now (an IMAP UID, or a file name); ``source`` is a
    readable address of the original for the work item (``imap://user@host/INBOX;UID=7``).
    """

    ref: str
    raw: bytes
    source: str

    @property
    def size(self) -> int:
        return len(self.raw)


@dataclass
class MailboxSettings:
    """Where a mailbox is and how to reach it (one entry under ``email_intake.mailboxes``).

    ``kind`` is ``imap`` or ``folder``. For IMAP, ``security`` is ``tls`` (implicit TLS,
    port 993), ``starttls`` (port 143) or ``plain`` (loopback tests only); ``ca_file``
    trusts a private certificate authority and ``insecure`` skips certificate checks
    altogether (self-signed test servers). ``password`` is filled in from ``secret()``.
    """

    name: str
    kind: str = "folder"
    path: Path | None = None
    host: str = "localhost"
    port: int | None = None
    user: str = ""
    password: str | None = None
    security: str = "tls"
    ca_file: Path | None = None
    insecure: bool = False
    only_unseen: bool = True
    timeout: float = 30.0
    folders: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in ("imap", "folder"):
            raise ValueError(f"mailbox {self.name!r}: kind must be 'imap' or 'folder', not {self.kind!r}")
        if self.security not in ("tls", "starttls", "plain"):
            raise ValueError(
                f"mailbox {self.name!r}: security must be 'tls', 'starttls' or 'plain', not {self.security!r}"
            )
        if self.kind == "folder" and not self.path:
            raise ValueError(f"mailbox {self.name!r}: a folder mailbox needs 'path' (a folder of .eml files)")
        if self.kind == "imap" and not self.user:
            raise ValueError(f"mailbox {self.name!r}: an IMAP mailbox needs 'user'")
        defaults = DEFAULT_FOLDERS[self.kind]
        unknown = set(self.folders) - set(defaults)
        if unknown:
            raise ValueError(
                f"mailbox {self.name!r}: unknown folder role(s) {sorted(unknown)}; use {sorted(defaults)}"
            )
        self.folders = {**defaults, **self.folders}
        if self.path is not None:
            self.path = Path(self.path).expanduser()
        if self.ca_file is not None:
            self.ca_file = Path(self.ca_file).expanduser()
        if self.port is None and self.kind == "imap":
            self.port = 993 if self.security == "tls" else 143


class Mailbox:
    """What the bot needs from a mailbox; ``FolderMailbox`` and ``ImapMailbox`` implement it."""

    settings: MailboxSettings

    @property
    def name(self) -> str:
        return self.settings.name

    def waiting(self) -> Iterator[MailMessage]:
        """Yield the messages waiting in the inbox, oldest first, without marking them seen."""
        raise NotImplementedError

    def move(self, message: MailMessage, role: str) -> None:
        """Move ``message`` out of the inbox into the folder for ``role``."""
        raise NotImplementedError

    def wait(self, seconds: float) -> None:
        """Block until new mail may have arrived, or ``seconds`` have passed."""
        time.sleep(seconds)

    def close(self) -> None:
        """Let go of the connection (a no-op for folders)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FolderMailbox(Mailbox):
    """A folder of .eml files: the inbox is the folder itself (unless ``folders.inbox`` names a
    subfolder), other roles are subfolders.

    ``processed/``, ``exceptions/`` and ``not_orders/`` (or the names set in ``folders``)
    are made on first use. Moving is a rename inside one file system, so it is atomic.
    Only ``*.eml`` files are read: whoever drops mail here writes ``name.eml.part`` and
    renames it when complete, so a half-written file is never taken.
    """

    def __init__(self, settings: MailboxSettings):
        self.settings = settings
        self.root = settings.path
        self.inbox = (self.root / settings.folders["inbox"]).resolve()
        if not self.inbox.is_dir():
            raise ApplicationException("mailbox_missing", f"mailbox folder {self.inbox} does not exist")

    def waiting(self) -> Iterator[MailMessage]:
        files = sorted(
            (p for p in self.inbox.iterdir() if p.suffix.lower() == ".eml" and p.is_file()),
            key=lambda p: (_modified(p), p.name),
        )
        for path in files:
            try:
                raw = path.read_bytes()
            except FileNotFoundError:  # moved away by another worker meanwhile
                continue
            yield MailMessage(ref=path.name, raw=raw, source=str(path))

    def move(self, message: MailMessage, role: str) -> None:
        target_dir = self.root / _folder_for(self.settings, role)
        target_dir.mkdir(parents=True, exist_ok=True)
        source = self.inbox / message.ref
        target = target_dir / message.ref
        counter = 1
        while target.exists():  # keep both copies when the same file name comes again
            target = target_dir / f"{source.stem}.{counter}{source.suffix}"
            counter += 1
        os.replace(source, target)


class ImapMailbox(Mailbox):
    """An IMAP account read with imapclient.

    Messages are fetched with ``BODY.PEEK[]`` so nothing is marked seen before it is
    dealt with; moving uses MOVE where the server has it, else COPY, \\Deleted and
    (UID) EXPUNGE. The target folders are created when missing.
    """

    def __init__(self, settings: MailboxSettings):
        self.settings = settings
        self.client = None
        self._connect()

    # -- the interface ---------------------------------------------------------------

    def waiting(self) -> Iterator[MailMessage]:
        inbox = self.settings.folders["inbox"]
        self._call(self.client.select_folder, inbox)
        criteria = ["UNSEEN"] if self.settings.only_unseen else ["ALL"]
        uids = sorted(self._call(self.client.search, criteria))
        for uid in uids:
            # One message at a time, so a mailbox full of large attachments never sits in memory.
            fetched = self._call(self.client.fetch, [uid], ["BODY.PEEK[]"])
            data = fetched.get(uid)
            if not data or b"BODY[]" not in data:  # expunged by someone else meanwhile
                continue
            user = self.settings.user
            yield MailMessage(
                ref=str(uid),
                raw=bytes(data[b"BODY[]"]),
                source=f"imap://{user}@{self.settings.host}/{inbox};UID={uid}",
            )

    def move(self, message: MailMessage, role: str) -> None:
        folder = _folder_for(self.settings, role)
        self._ensure_folder(folder)
        uid = int(message.ref)
        if self.client.has_capability("MOVE"):
            self._call(self.client.move, [uid], folder)
            return
        self._call(self.client.copy, [uid], folder)
        self._call(self.client.add_flags, [uid], [b"\\Deleted"])
        if self.client.has_capability("UIDPLUS"):
            self._call(self.client.uid_expunge, [uid])
        else:
            self._call(self.client.expunge)

    def wait(self, seconds: float) -> None:
        if not self.client.has_capability("IDLE"):
            time.sleep(seconds)
            return
        self._call(self.client.select_folder, self.settings.folders["inbox"])
        self.client.idle()
        try:
            self.client.idle_check(timeout=seconds)
        finally:
            self.client.idle_done()

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except Exception:  # the connection may already be gone; closing must not fail
            pass
        self.client = None

    # -- connection ------------------------------------------------------------------

    def _connect(self) -> None:
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError

        s = self.settings
        context = self._ssl_context()
        try:
            client = IMAPClient(
                s.host, port=s.port, ssl=(s.security == "tls"),
                ssl_context=context if s.security == "tls" else None, timeout=s.timeout,
            )
            if s.security == "starttls":
                client.starttls(context)
        except (OSError, ssl.SSLError, socket.timeout) as error:
            raise ApplicationException(
                "imap_unreachable", f"cannot reach IMAP server {s.host}:{s.port} for mailbox {s.name!r}: {error}"
            ) from error
        try:
            client.login(s.user, s.password or "")
        except LoginError as error:
            client.shutdown()
            raise ApplicationException(
                "imap_login", f"IMAP login as {s.user!r} on {s.host}:{s.port} refused: {error}"
            ) from error
        self.client = client
        self._folders_known: set[str] = set()

    def _ssl_context(self) -> ssl.SSLContext:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        if s.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _ensure_folder(self, folder: str) -> None:
        if folder in self._folders_known:
            return
        if not self._call(self.client.folder_exists, folder):
            self._call(self.client.create_folder, folder)
        self._folders_known.add(folder)

    def _call(self, function, *args):
        """Run one IMAP command; a dropped connection becomes an ApplicationException."""
        from imapclient.exceptions import IMAPClientAbortError

        try:
            return function(*args)
        except (IMAPClientAbortError, OSError, ssl.SSLError) as error:
            raise ApplicationException(
                "imap_connection", f"IMAP connection to {self.settings.host} lost: {error}"
            ) from error


def open_mailbox(settings: MailboxSettings) -> Mailbox:
    """Open the mailbox ``settings`` describe (connects and logs in for IMAP)."""
    if settings.kind == "imap":
        return ImapMailbox(settings)
    return FolderMailbox(settings)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # taken by another worker while listing
        return 0.0


def _folder_for(settings: MailboxSettings, role: str) -> str:
    if role not in FOLDER_ROLES:
        raise ValueError(f"unknown folder role {role!r}; use one of {FOLDER_ROLES}")
    return settings.folders[role]
