"""Fixtures shared by the suite. Each service the tests start has its own module in
tests/fixtures/ (PostgreSQL, Dovecot, the sandbox, Chromium); list it here."""

pytest_plugins = [
    "tests.fixtures.order_emails",
    "tests.fixtures.wild_order_emails",
    "tests.fixtures.remittances",
    "tests.fixtures.wild_remittances",
    "tests.fixtures.sandbox",
    "tests.fixtures.sandbox_portals",
    "tests.fixtures.postgres",
    "tests.fixtures.browser",
    "tests.fixtures.dovecot",
    "tests.fixtures.console",
    "tests.fixtures.smtp",
    "tests.fixtures.tryton",
]
