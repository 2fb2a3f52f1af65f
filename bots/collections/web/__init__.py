"""The collector's pages in the console: the worklist and each customer's account.

The console registers them with one call in its app factory::

    from bots.collections.web import register_collections
    register_collections(app, queue.engine, settings=load_settings())

and its realm has the ``collector`` role (between viewer and operator: operators and
supervisors may do what collectors do). Pages, all behind the console's sign-in:

- ``/collections/`` the worklist, the largest risk first (score x open x days past due):
  the signed-in collector's customers, or everyone's (``?all=1``);
- ``/collections/customers/<id>`` the customer: open items with days past due, the risk
  score and the factors that made it, contacts, contact history, disputes and promises;
  actions (POST, CSRF-checked, role checked on the server): log a call, record a promise
  to pay, open a dispute, close a case, send a reminder now (exactly once per click: the
  form carries a one-time key);
- ``/collections/customers/<id>/statement.pdf`` the statement of account.

Every figure comes from ``bots.receivables`` through the collections modules.
"""

from bots.collections.web.views import pages, register_collections

__all__ = ["pages", "register_collections"]
