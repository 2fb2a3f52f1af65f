"""What the settings of the browser bots share: their own section, the account they log on with, the checks.

Each bot keeps its own settings dataclass (``PortalIntakeSettings``, and the ERP bots'
``OrderEntrySettings`` and ``CashPostingSettings`` through ``bots.erp.runner.ErpBotSettings``)
and its loader; these helpers are the parts that read and check the same way for all of them::

    own = own_section(settings, "portal-intake", {"portal_name", ...})
    PortalIntakeSettings(**system_account(settings, own, "portal", need_password=True),
                         evidence_dir=evidence_folder(settings, own), ...)

and in the dataclass's ``__post_init__``: ``check_account(...)`` and ``check_at_least_one(...)``.
"""

from pathlib import Path

# A system's section in the settings file -> how messages name the system.
SYSTEM_NAMES = {"erp": "ERP", "portal": "portal"}


def own_section(settings, bot_name: str, known: set) -> dict:
    """The bot's ``bots.<bot_name>`` settings from ``load_settings()``, refusing keys not in ``known``."""
    own = settings.bot(bot_name)
    check_keys(own, known, f"bots.{bot_name}")
    return own


def system_account(settings, own: dict, system: str, *, need_password: bool) -> dict:
    """The ``url``, ``user`` and ``password`` a bot logs on to ``system`` ("erp", "portal") with.

    Address and user come from the file's ``<system>:`` section; the password from
    ``secret("<system>_password")``, or the secret the bot's ``password_secret`` names.
    Without ``need_password`` (checking the settings only) the password is None.
    """
    from bots.runtime.config import secret

    return {
        "url": getattr(settings, f"{system}_url"),
        "user": getattr(settings, f"{system}_user"),
        "password": secret(own.get("password_secret", f"{system}_password")) if need_password else None,
    }


def evidence_folder(settings, own: dict) -> Path:
    """Where the bot keeps screenshots and files: its ``evidence_dir``, else ``<home>/evidence``."""
    return Path(own.get("evidence_dir") or settings.home / "evidence")


def check_account(bot_name: str, system: str, url, user) -> None:
    """Refuse a missing or non-HTTP address and a missing user, naming the setting to set."""
    if not url or not str(url).startswith(("http://", "https://")):
        raise ValueError(f"{bot_name} needs the {SYSTEM_NAMES[system]}'s address: set {system}.url (now {url!r})")
    if not user:
        raise ValueError(f"{bot_name} needs a user: set {system}.user")


def check_at_least_one(bot_name: str, values, names: tuple[str, ...]) -> None:
    """Refuse a count setting (attempts, limit...) of ``values`` below 1, naming it."""
    for name in names:
        if getattr(values, name) < 1:
            raise ValueError(f"{bot_name} {name} must be 1 or more, not {getattr(values, name)}")


def check_keys(values: dict, known: set, where: str) -> None:
    """Refuse settings this bot does not know, naming them and the ones it does."""
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
