"""Customer contacts' portal accounts: a ``web_users`` row of realm ``customer`` tied to one customer."""

from sqlalchemy import select

from bots.runtime.store.models import PortalContact
from bots.runtime.web import Realm, UserStore

CUSTOMER_REALM = Realm("customer", roles=("contact",))


def add_contact(queue, name: str, password: str, customer_id: str):
    """Give ``name`` a portal account for customer ``customer_id``; return the ``User``."""
    users = UserStore(queue.engine, CUSTOMER_REALM, queue.clock)
    user = users.add(name, "contact", password)
    with queue.session() as session, session.begin():
        session.add(PortalContact(web_user_id=int(user.id), customer_id=customer_id.strip().upper()))
    return user


def customer_of(session, user) -> str | None:
    """The customer the signed-in ``user`` belongs to, or None (then they see nothing)."""
    return session.scalar(select(PortalContact.customer_id).where(PortalContact.web_user_id == int(user.id)))
