"""Settings from config/o2c.yaml and O2C_* variables; secrets; one-line structured logs."""

import io
import json
import logging
from pathlib import Path

import keyring
import keyring.backend
import pytest

from bots.runtime.config import ConfigError, load_settings, secret
from bots.runtime.logs import configure_logging, get_logger, mask


@pytest.fixture(autouse=True)
def no_real_keyring():
    """Tests never touch the machine's keyring: an empty in-memory one stands in."""
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.values = {}

    def get_password(self, service, username):
        return self.values.get((service, username))

    def set_password(self, service, username, password):
        self.values[(service, username)] = password

    def delete_password(self, service, username):
        self.values.pop((service, username), None)


@pytest.fixture
def log_stream():
    stream = io.StringIO()
    handler = configure_logging("DEBUG", "json", stream=stream)
    yield stream
    logging.getLogger().removeHandler(handler)


# --- settings ---

def test_the_shipped_file_loads_with_its_defaults(tmp_path):
    settings = load_settings(env={"O2C_HOME": str(tmp_path)})
    assert settings.config_file.name == "o2c.yaml"
    assert (settings.max_attempts, settings.lease_seconds, settings.imap_folder) == (3, 300, "INBOX")
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'o2c.db'}"


def test_environment_variables_override_the_file(tmp_path):
    settings = load_settings(env={
        "O2C_HOME": str(tmp_path), "O2C_MAX_ATTEMPTS": "5", "O2C_IMAP_SSL": "false", "O2C_IMAP_HOST": "mail.example.com",
        "O2C_DATABASE_URL": "postgresql+psycopg://o2c@db/o2c", "O2C_LOG_LEVEL": "debug",
    })
    assert settings.max_attempts == 5
    assert settings.imap_ssl is False
    assert settings.imap_host == "mail.example.com"
    assert settings.database_url == "postgresql+psycopg://o2c@db/o2c"
    assert settings.log_level == "DEBUG"


def test_a_file_given_by_o2c_config(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("queue:\n  max_attempts: 7\nimap:\n  host: imap.corp\nbots:\n  email-intake:\n    poll: every 5 minutes\n")
    settings = load_settings(env={"O2C_CONFIG": str(path)})
    assert (settings.max_attempts, settings.imap_host) == (7, "imap.corp")
    assert settings.bot("email-intake") == {"poll": "every 5 minutes"}
    assert settings.bot("other") == {}


def test_bots_may_name_a_secret_but_not_hold_one(tmp_path):
    path = tmp_path / "o2c.yaml"
    path.write_text("bots:\n  email-intake:\n    mailboxes:\n      - {name: a, kind: imap, password_secret: sales_imap_password}\n")
    assert load_settings(path, env={}).bot("email-intake")["mailboxes"][0]["password_secret"] == "sales_imap_password"


@pytest.mark.parametrize("text, message", [
    ("erp:\n  password: hunter2\n", "O2C_ERP_PASSWORD"),
    ("imap_password: x\n", "O2C_IMAP_PASSWORD"),
    ("database_url: postgresql://o2c:pw@db/o2c\n", "PGPASSWORD"),
    ("queue:\n  max_attempt: 3\n", "unknown setting 'max_attempt'"),
    ("queue:\n  max_attempts: three\n", "max_attempts"),
    ("queue:\n  max_attempts: 0\n", "max_attempts must be 1 or more"),
    ("log:\n  format: xml\n", "log format"),
    ("- a list\n", "mapping"),
    ("bots:\n  email-intake:\n    mailboxes:\n      - {name: a, kind: imap, password: pw}\n", "mailboxes\\[0\\].password"),
])
def test_bad_files_fail_with_the_fix_in_the_message(tmp_path, text, message):
    path = tmp_path / "o2c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, env={})


def test_a_bad_environment_value_names_the_setting():
    with pytest.raises(ConfigError, match="lease_seconds"):
        load_settings(env={"O2C_LEASE_SECONDS": "soon"})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(env={"O2C_CONFIG": "/nowhere/o2c.yaml"})


# --- secrets ---

def test_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("O2C_ERP_PASSWORD", "from-env-1")
    assert secret("erp_password") == "from-env-1"
    assert secret("O2C_ERP_PASSWORD") == "from-env-1"


def test_secret_from_the_keyring(monkeypatch, no_real_keyring):
    monkeypatch.delenv("O2C_IMAP_PASSWORD", raising=False)
    no_real_keyring.set_password("o2c-bots", "imap_password", "from-keyring-1")
    assert secret("imap_password") == "from-keyring-1"


def test_a_missing_secret_names_the_variable(monkeypatch):
    monkeypatch.delenv("O2C_PORTAL_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match="set the environment variable O2C_PORTAL_PASSWORD"):
        secret("portal_password")


# --- logs ---

def test_one_json_line_per_event_with_fields(log_stream):
    get_logger("bots.test").info("item claimed", item_id=42, worker="w1")
    get_logger("bots.test").warning("plain %s", "args", extra={"kind": "order"})
    first, second = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    assert (first["event"], first["item_id"], first["worker"], first["level"]) == ("item claimed", 42, "w1", "INFO")
    assert first["logger"] == "bots.test" and first["ts"].endswith("+00:00")
    assert (second["event"], second["kind"]) == ("plain args", "order")


def test_an_exception_stays_on_one_line(log_stream):
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        get_logger("bots.test").exception("step failed", step="save")
    [line] = log_stream.getvalue().splitlines()
    assert "ValueError" in json.loads(line)["exc"]


def test_readable_lines_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    handler = configure_logging("INFO", "auto", stream=stream)
    try:
        get_logger("bots.test").info("run started", bot="email-intake")
    finally:
        logging.getLogger().removeHandler(handler)
    line = stream.getvalue().strip()
    assert "INFO" in line and "run started" in line and "bot=email-intake" in line
    assert not line.startswith("{")


def test_secrets_are_masked_in_messages_fields_and_tracebacks(monkeypatch, log_stream):
    monkeypatch.setenv("O2C_ERP_PASSWORD", "S3cret-erp-pw")
    password = secret("erp_password")
    log = get_logger("bots.test")
    log.info("logging in with %s", password, password=password, url=f"https://u:{password}@erp")
    try:
        raise RuntimeError(f"login refused for {password}")
    except RuntimeError:
        log.exception("login failed")
    output = log_stream.getvalue()
    assert "S3cret-erp-pw" not in output
    assert output.count("***") >= 4
    assert mask({"a": [f"x{password}"]}) == {"a": ["x***"]}


def test_secret_environment_variables_are_masked_from_the_start(monkeypatch):
    monkeypatch.setenv("O2C_PORTAL_PASSWORD", "portal-pw-never-logged")
    stream = io.StringIO()
    handler = configure_logging("INFO", "json", stream=stream)
    try:
        get_logger("bots.test").info("config", env_value="portal-pw-never-logged")
    finally:
        logging.getLogger().removeHandler(handler)
    assert "portal-pw-never-logged" not in stream.getvalue()
