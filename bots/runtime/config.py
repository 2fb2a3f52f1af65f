"""Configuration: config/o2c.yaml, overridden by ``O2C_*`` environment variables.

::

    settings = load_settings()
    settings.database_url          # O2C_DATABASE_URL, else SQLite under O2C_HOME
    settings.max_attempts          # O2C_MAX_ATTEMPTS, else queue.max_attempts in the file
    password = secret("erp_password")   # O2C_ERP_PASSWORD, else the OS keyring

The file groups settings in sections (``queue:``, ``log:``, ``erp:``, ``portal:``,
``imap:``); each lands in one flat field of ``Settings`` (``imap.host`` is
``imap_host``, overridden by ``O2C_IMAP_HOST``). Secrets are never read from the
file: a key that looks like one makes loading fail, naming the variable to use.
"""

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from bots.runtime.errors import O2CError

KEYRING_SERVICE = "o2c-bots"

# Section of the YAML file -> prefix of the flat field names it fills.
_SECTIONS = {"queue": "", "log": "log_", "erp": "erp_", "portal": "portal_", "imap": "imap_", "fleet": "fleet_"}
_SECRET_WORDS = re.compile(r"(?i)(password|passwd|secret|token|api_?key|credential)")
_NESTED_SECRET_KEY = re.compile(r"(?i)(^|_)(password|passwd|pass|token|api_?key)$|^secret$")
_URL_WITH_PASSWORD = re.compile(r"://[^/@:\s]+:[^/@\s]+@")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(O2CError):
    """The configuration is wrong or a secret is missing; the message says what to set."""


@dataclass
class Settings:
    """Every setting of the runtime with its default. See config/o2c.yaml for what each means."""

    home: Path = Path(".o2c")
    database_url: str | None = None
    max_attempts: int = 3
    lease_seconds: int = 300
    retry_backoff_seconds: int = 30
    log_level: str = "INFO"
    log_format: str = "auto"
    erp_url: str | None = None
    erp_user: str | None = None
    erp_sessions_per_user: int = 4
    portal_url: str | None = None
    portal_user: str | None = None
    imap_host: str | None = None
    imap_port: int = 993
    imap_ssl: bool = True
    imap_user: str | None = None
    imap_folder: str = "INBOX"
    imap_done_folder: str = "Processed"
    imap_exception_folder: str = "Exceptions"
    fleet_enabled: bool = False
    fleet_heartbeat_seconds: int = 10
    fleet_stop_timeout_seconds: int = 120
    fleet_lock_ttl_seconds: int = 60
    fleet_metrics_port: int = 0
    bots: dict = field(default_factory=dict)
    config_file: Path | None = None

    def __post_init__(self):
        self.home = Path(self.home).expanduser()
        if self.max_attempts < 1:
            raise ConfigError(f"max_attempts must be 1 or more, not {self.max_attempts}")
        if self.lease_seconds < 1:
            raise ConfigError(f"lease_seconds must be 1 or more, not {self.lease_seconds}")
        if self.retry_backoff_seconds < 0:
            raise ConfigError(f"retry_backoff_seconds cannot be negative ({self.retry_backoff_seconds})")
        self.log_level = str(self.log_level).upper()
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError(f"log level {self.log_level!r} is not one of {', '.join(_LOG_LEVELS)}")
        if self.log_format not in ("auto", "json", "text"):
            raise ConfigError(f"log format {self.log_format!r} is not one of auto, json, text")
        for name in ("fleet_heartbeat_seconds", "fleet_stop_timeout_seconds", "fleet_lock_ttl_seconds"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name.replace('fleet_', 'fleet.')} must be 1 or more, not {getattr(self, name)}")
        if self.erp_sessions_per_user < 0:
            raise ConfigError(f"erp.sessions_per_user cannot be negative ({self.erp_sessions_per_user}); 0 means no limit")
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.home / 'o2c.db').resolve()}"

    def bot(self, name: str) -> dict:
        """Return the free-form settings of bot ``name`` (``bots.<name>`` in the file), or {}."""
        return dict(self.bots.get(name) or {})


def load_settings(path: str | Path | None = None, env: dict | None = None) -> Settings:
    """Read the settings file and apply ``O2C_*`` environment overrides.

    :param path: the YAML file; default ``O2C_CONFIG``, else o2c.yaml in the config folder.
    :param env: the environment to read (default ``os.environ``); tests pass a dict.
    :return: a validated ``Settings``.
    :raises ConfigError: unreadable file, unknown key, a secret in the file, a bad value.
    """
    env = os.environ if env is None else env
    path = Path(path or env.get("O2C_CONFIG") or _default_config_file())
    values = _read_file(path) if path.is_file() else {}
    if env.get("O2C_CONFIG") and not path.is_file():
        raise ConfigError(f"O2C_CONFIG points at {path}, which does not exist")
    known = {f.name: f for f in fields(Settings)}
    for name, spec in known.items():
        raw = env.get("O2C_" + name.upper())
        if raw is not None and name not in ("bots", "config_file"):
            values[name] = _convert(name, raw, spec.type)
    values["config_file"] = path if path.is_file() else None
    return Settings(**values)


def secret(name: str) -> str:
    """Return the secret ``name`` (e.g. "erp_password") from ``O2C_ERP_PASSWORD`` or the OS keyring.

    Secrets are never read from config files. The value is registered with the log
    filter, so it is masked wherever it would be logged or kept as evidence.

    :raises ConfigError: naming the environment variable to set when the secret is missing.
    """
    key = name.lower().removeprefix("o2c_")
    variable = "O2C_" + key.upper()
    value = os.environ.get(variable) or _from_keyring(key)
    if not value:
        raise ConfigError(
            f"the secret {key} is not set: set the environment variable {variable} "
            f"or store it in the OS keyring with `keyring set {KEYRING_SERVICE} {key}`"
        )
    from bots.runtime.logs import register_secret

    register_secret(value)
    return value


def setup_logging() -> None:
    """Configure logging from the settings' ``log:`` section, unless something already has.

    Commands and bot runs call this when they start. A settings file that cannot be read
    gives the defaults here; whoever loads the settings next reports the mistake.
    """
    from bots.runtime.logs import ensure_logging

    try:
        settings = load_settings()
    except Exception:
        ensure_logging("INFO", "auto")
        return
    ensure_logging(settings.log_level, settings.log_format)


def _default_config_file() -> Path:
    from bots.runtime.resources import data_dir

    try:
        return data_dir("config") / "o2c.yaml"
    except FileNotFoundError:
        return Path("config/o2c.yaml")


def _read_file(path: Path) -> dict:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read the settings file {path}: {error}") from None
    if not isinstance(document, dict):
        raise ConfigError(f"the settings file {path} must be a mapping of settings")
    known = {f.name: f for f in fields(Settings)}
    values = {}
    for key, value in document.items():
        if key in _SECTIONS and isinstance(value, dict):
            items = {_SECTIONS[key] + str(sub): sub_value for sub, sub_value in value.items()}
        else:
            items = {key: value}
        for name, item in items.items():
            if _SECRET_WORDS.search(name):
                raise ConfigError(
                    f"{path} holds {name!r}, which looks like a secret: secrets never go in config files; "
                    f"set O2C_{name.upper()} or use the OS keyring (service {KEYRING_SERVICE!r})"
                )
            if name not in known or name == "config_file":
                raise ConfigError(f"{path}: unknown setting {name!r}; known settings: {', '.join(sorted(known))}")
            if isinstance(item, str) and _URL_WITH_PASSWORD.search(item):
                raise ConfigError(
                    f"{path}: {name} carries a password; put the URL in the environment "
                    f"(O2C_{name.upper()}) or the password in PGPASSWORD / ~/.pgpass"
                )
            if name == "bots":
                _refuse_nested_secrets(path, "bots", item or {})
            if item is not None:
                values[name] = item if name == "bots" else _convert(name, item, known[name].type)
    return values


def _refuse_nested_secrets(path: Path, where: str, value) -> None:
    """Bots' own settings may name a secret (``password_secret: imap_password``), never hold one."""
    if isinstance(value, dict):
        for key, item in value.items():
            if _NESTED_SECRET_KEY.search(str(key)) and item not in (None, ""):
                raise ConfigError(
                    f"{path}: {where}.{key} looks like a secret: secrets never go in config files; name it instead "
                    f"(e.g. password_secret: imap_password) and set O2C_IMAP_PASSWORD or the OS keyring"
                )
            _refuse_nested_secrets(path, f"{where}.{key}", item)
    elif isinstance(value, list):
        for number, item in enumerate(value):
            _refuse_nested_secrets(path, f"{where}[{number}]", item)


def _convert(name: str, raw, kind):
    """Turn a file or environment value into the field's type, naming the setting when it cannot."""
    try:
        if kind is int:
            return int(raw)
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if kind is Path:
            return Path(str(raw))
    except (TypeError, ValueError):
        raise ConfigError(f"setting {name} = {raw!r} is not a valid {kind.__name__}") from None
    text = str(raw)
    return text or None


def _from_keyring(key: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, key)
    except Exception:  # no keyring backend on this machine (headless server): treat as not set
        return None
