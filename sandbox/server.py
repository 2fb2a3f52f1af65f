"""Run the sandbox systems together: ERP on ``port_base``, portal on +1, bank on +2, credit agency
on +3, payment provider on +4.

``start_all(options, port_base)`` builds each system's app (creating and seeding its database
when needed) and serves it in a background thread. A system whose package is not there yet,
or whose app cannot be built, is left out and the reason kept in ``Sandbox.skipped``, so the
others still run. ``o2c sandbox`` is the command around it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from sandbox.common import RunningServer, SandboxOptions, serve_in_thread

# name, module with create_app(options), port offset, what it is
SYSTEMS = [
    ("erp", "sandbox.erp.app", 0, "Legacy ERP"),
    ("portal", "sandbox.portal.app", 1, "Customer order portal"),
    ("bank", "sandbox.bank.app", 2, "Bank portal"),
    ("credit_agency", "sandbox.credit_agency.app", 3, "Credit agency"),
    ("payments", "sandbox.payments.app", 4, "Payment provider (hosted payment page)"),
]


@dataclass
class Sandbox:
    """The running systems, by name, and the ones left out with the reason."""

    options: SandboxOptions
    servers: dict[str, RunningServer] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def url(self, system: str) -> str:
        """Base URL of a running system ("http://127.0.0.1:8700")."""
        return self.servers[system].url

    def db_path(self, system: str):
        """The SQLite file of a system."""
        return self.options.db_path(system)

    def users(self, system: str) -> dict[str, str]:
        """The system's users and passwords."""
        return dict(self.servers[system].app.config["SANDBOX_USERS"])

    def stop(self) -> None:
        """Shut every server down."""
        for server in self.servers.values():
            server.shutdown()
        self.servers.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_all(options: SandboxOptions, port_base: int = 8700, host: str = "127.0.0.1",
              systems: list[str] | None = None) -> Sandbox:
    """Start the sandbox systems (all, or those named in ``systems``) and return them running.

    Port 0 as ``port_base`` gives each system any free port. Raises ``OSError`` when a port
    is taken (after stopping what had started).
    """
    sandbox = Sandbox(options)
    for name, module_name, offset, _title in SYSTEMS:
        if systems is not None and name not in systems:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name and module_name.startswith(missing.name):
                sandbox.skipped[name] = f"{module_name} is not there yet"
                continue
            raise
        try:
            app = module.create_app(options)
        except Exception as error:  # a broken system must not take the others down
            sandbox.skipped[name] = f"could not build the app: {error}"
            continue
        try:
            sandbox.servers[name] = serve_in_thread(app, port=port_base + offset if port_base else 0,
                                                    host=host, name=name)
        except OSError:
            sandbox.stop()
            raise
    return sandbox
