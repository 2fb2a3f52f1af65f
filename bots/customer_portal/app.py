"""The portal's Flask app: ``create_portal_app(queue, secret_key=...)``; pages in ``views.py``."""

from pathlib import Path

from bots.customer_portal.contacts import CUSTOMER_REALM
from bots.runtime.web import UserStore, create_web_app

HERE = Path(__file__).resolve().parent


def create_portal_app(queue, *, secret_key: bytes | str, seller: dict | None = None, idle_minutes: int = 30,
                      https_only: bool = False, remittance_dir: Path | None = None, provider=None, languages=None):
    """The customer portal on ``queue``'s store.

    :param seller: who the statement is from (``name``, ``address`` lines, ``contact``).
    :param remittance_dir: where uploaded remittance PDFs are kept as evidence.
    :param provider: the payment provider (``payments.ProviderSettings``); None: no online payment.
    :param languages: ``bots.collections.language.configured_languages(settings)``, the language of
        the statement for a customer with no collections contact (as its dunning letters); None: English.
    """
    from bots.collections.language import ConfiguredLanguages
    from bots.customer_portal.views import pages

    users = UserStore(queue.engine, CUSTOMER_REALM, queue.clock)
    app = create_web_app(__name__, title="Customer portal", directory=users, engine=queue.engine,
                         secret_key=secret_key, home_endpoint="portal.invoices", template_folder=HERE / "templates",
                         idle_minutes=idle_minutes, clock=queue.clock, https_only=https_only)
    app.extensions["o2c_portal"] = {
        "queue": queue, "seller": seller or {"name": "Northwind Supply Co.",
                                             "address": ["1200 Commerce Dr", "Columbus OH 43215"],
                                             "contact": "ar@northwind.example.com"},
        "remittance_dir": Path(remittance_dir or Path(".o2c") / "portal" / "remittances"),
        "provider": provider,
        "languages": languages or ConfiguredLanguages(),
    }
    app.register_blueprint(pages)
    return app
