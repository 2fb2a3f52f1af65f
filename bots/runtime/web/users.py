"""Who may sign in to a web app: realms, roles, users and their argon2 password hashes.

A ``Realm`` names one app's population of users and its roles, lowest first::

    CONSOLE = Realm("console", roles=("viewer", "operator", "supervisor"))
    CONTACTS = Realm("portal", roles=("contact", "admin"))

``UserStore(engine, realm)`` keeps the users of one realm in the ``web_users`` table (two
realms never see each other's users, even with the same name). An app with a user table
of its own (customer contacts in the ERP, say) passes any object with the same three
methods the sign-in needs -- ``realm``, ``authenticate(name, password)`` and
``load(user_id)`` -- see ``UserDirectory``.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bots.runtime.clock import Clock, SystemClock
from bots.runtime.errors import O2CError
from bots.runtime.store.models import WebUser

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with argon2-cffi's recommended cost
_dummy_hashes: dict[int, str] = {}


class UserError(O2CError):
    """A user cannot be added or changed; the message says why."""


@dataclass(frozen=True)
class Realm:
    """One app's users and its roles, lowest first; a role may do all that the roles below it may."""

    name: str
    roles: tuple[str, ...]

    def check_role(self, role: str) -> str:
        if role not in self.roles:
            raise UserError(f"unknown role {role!r}; the roles are {', '.join(self.roles)}")
        return role

    def allows(self, role: str | None, needed: str) -> bool:
        """True when ``role`` is ``needed`` or above it."""
        if role not in self.roles or needed not in self.roles:
            return False  # a role this realm does not have is never granted
        return self.roles.index(role) >= self.roles.index(needed)


@dataclass(frozen=True)
class User:
    """A signed-in person as the app sees them."""

    id: str
    name: str
    role: str
    # Changes when the password does: sessions signed in before a password change end.
    session_stamp: str = ""


class UserDirectory(Protocol):
    """What the sign-in needs from wherever an app keeps its users."""

    realm: Realm

    def authenticate(self, name: str, password: str) -> User | None:
        """The user, when ``name`` and ``password`` are right and the user may sign in; else None."""

    def load(self, user_id: str) -> User | None:
        """The user with ``user_id`` while they may still sign in (not disabled); else None."""


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``, after checking it is long enough."""
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class UserStore:
    """The users of one realm in the ``web_users`` table."""

    def __init__(self, engine, realm: Realm, clock: Clock | None = None):
        self.realm = realm
        self.clock = clock or SystemClock()
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, name: str, role: str, password: str) -> User:
        name = _clean_name(name)
        self.realm.check_role(role)
        now = self.clock.now()
        row = WebUser(realm=self.realm.name, name=name, role=role, password_hash=hash_password(password),
                      disabled=False, created_at=now, password_changed_at=now)
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            raise UserError(f"there is already a user {name!r}") from None
        return _user(row)

    def set_password(self, name: str, password: str) -> User:
        with self._sessions.begin() as session:
            row = self._row(session, name)
            row.password_hash = hash_password(password)
            row.password_changed_at = self.clock.now()
            return _user(row)

    def set_role(self, name: str, role: str) -> User:
        self.realm.check_role(role)
        with self._sessions.begin() as session:
            row = self._row(session, name)
            row.role = role
            return _user(row)

    def set_disabled(self, name: str, disabled: bool = True) -> User:
        """Disable (or enable again) a user; a disabled user's open sessions end at their next request."""
        with self._sessions.begin() as session:
            row = self._row(session, name)
            row.disabled = disabled
            return _user(row)

    def list(self) -> list[dict]:
        with self._sessions() as session:
            rows = session.scalars(select(WebUser).where(WebUser.realm == self.realm.name).order_by(WebUser.name))
            return [{"name": r.name, "role": r.role, "disabled": r.disabled, "created_at": _iso(r.created_at),
                     "last_sign_in_at": _iso(r.last_sign_in_at)} for r in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        with self._sessions.begin() as session:
            row = session.scalar(self._query(name))
            if row is None:
                verify_password(_dummy_hash(), password)  # a wrong name takes as long as a wrong password
                return None
            if not verify_password(row.password_hash, password) or row.disabled:
                return None
            if _hasher.check_needs_rehash(row.password_hash):
                row.password_hash = _hasher.hash(password)
            row.last_sign_in_at = self.clock.now()
            return _user(row)

    def load(self, user_id: str) -> User | None:
        try:
            key = int(user_id)
        except (TypeError, ValueError):
            return None
        with self._sessions() as session:
            row = session.get(WebUser, key)
            if row is None or row.realm != self.realm.name or row.disabled:
                return None
            return _user(row)

    def _query(self, name: str):
        return select(WebUser).where(WebUser.realm == self.realm.name, WebUser.name == (name or "").strip())

    def _row(self, session, name: str) -> WebUser:
        row = session.scalar(self._query(name))
        if row is None:
            raise UserError(f"no user {name!r}")
        return row


def _dummy_hash() -> str:
    """A hash of nobody's password, at the hasher's cost, verified when the name is unknown."""
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("not anyone's password")
    return _dummy_hashes[key]


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 200 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise UserError("a user name is 1 to 200 characters without spaces")
    return name


def _user(row: WebUser) -> User:
    # The stamp follows the hash, which is salted anew on every change of password.
    stamp = hashlib.sha256(row.password_hash.encode()).hexdigest()[:16]
    return User(id=str(row.id), name=row.name, role=row.role, session_stamp=stamp)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
