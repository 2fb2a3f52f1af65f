"""Structured logs: one line per event, JSON when stderr is not a terminal.

::

    from bots.runtime.logs import get_logger
    log = get_logger(__name__)
    log.info("item claimed", item_id=42, worker="email-intake@host")

On a terminal that prints ``09:00:01 INFO  bots.runtime.workqueue  item claimed item_id=42 worker=...``;
piped to a file or a log collector it prints one JSON object per line with the same
fields. Every value ``secret()`` hands out (and every ``O2C_*PASSWORD``-like
environment variable) is masked as ``***`` in messages, fields and tracebacks.
"""

import json
import logging
import os
import re
import sys
from datetime import datetime, timezone

_MASK = "***"
_secrets: set[str] = set()
_SECRET_VARIABLE = re.compile(r"(?i)^O2C_.*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY)")
_STANDARD_KWARGS = {"exc_info", "stack_info", "stacklevel", "extra"}
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "fields"}


def register_secret(value: str | None) -> None:
    """Mask ``value`` from now on in every log line and every masked text."""
    if value and len(value) >= 3:  # masking one or two characters would mangle ordinary text
        _secrets.add(value)


def mask(value):
    """Return ``value`` with known secrets replaced by ``***`` (walks dicts, lists and strings)."""
    if isinstance(value, str):
        for known in sorted(_secrets, key=len, reverse=True):
            value = value.replace(known, _MASK)
        return value
    if isinstance(value, dict):
        return {key: mask(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(item) for item in value]
    return value


def register_environment_secrets(env=None) -> None:
    """Register the values of secret-looking ``O2C_*`` variables (``O2C_ERP_PASSWORD``...)."""
    for name, value in (os.environ if env is None else env).items():
        if _SECRET_VARIABLE.match(name):
            register_secret(value)
        elif name == "O2C_DATABASE_URL" and value:
            register_secret(_url_password(value))


class EventLogger(logging.LoggerAdapter):
    """A logger whose calls take the event's fields as keyword arguments."""

    def process(self, msg, kwargs):
        fields = {key: kwargs.pop(key) for key in list(kwargs) if key not in _STANDARD_KWARGS}
        if fields:
            extra = dict(kwargs.get("extra") or {})
            extra["fields"] = {**extra.get("fields", {}), **fields}
            kwargs["extra"] = extra
        return msg, kwargs


def get_logger(name: str) -> EventLogger:
    """Return the logger for ``name``; ``log.info("event", key=value, ...)`` adds fields."""
    return EventLogger(logging.getLogger(name), {})


class SecretMaskFilter(logging.Filter):
    """Replaces known secret values in a record's message and fields before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets:
            record.msg = mask(record.getMessage())
            record.args = ()
            if isinstance(getattr(record, "fields", None), dict):
                record.fields = mask(record.fields)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, event, the fields, and exc when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        line.update(_fields(record))
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return mask(json.dumps(line, default=str, ensure_ascii=False))


class TextFormatter(logging.Formatter):
    """A readable line for a person at a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        fields = " ".join(f"{key}={_short(value)}" for key, value in _fields(record).items())
        line = f"{when} {record.levelname:<7} {record.name}  {record.getMessage()}" + (f"  {fields}" if fields else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return mask(line)


def configure_logging(level: str | None = None, fmt: str | None = None, stream=None) -> logging.Handler:
    """Send log events to ``stream`` (default stderr), one line each; call once per process.

    :param level: DEBUG, INFO... (default INFO; ``bots.runtime.config.setup_logging`` passes the settings').
    :param fmt: "json", "text" or "auto" (JSON unless the stream is a terminal; the default).
    :return: the handler installed on the root logger (replacing one installed before).
    """
    level = level or "INFO"
    fmt = fmt or "auto"
    stream = stream or sys.stderr
    if fmt == "auto":
        fmt = "text" if getattr(stream, "isatty", lambda: False)() else "json"
    register_environment_secrets()
    handler = logging.StreamHandler(stream)
    handler.set_name("o2c")
    handler.addFilter(SecretMaskFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "o2c"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Libraries that narrate their internals at INFO would drown the bots' own events.
    for chatty in ("alembic", "pdfminer"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level))
    return handler


def ensure_logging(level: str | None = None, fmt: str | None = None) -> None:
    """Configure logging with ``level`` and ``fmt`` unless something (an app, pytest) already has.

    Bots call ``bots.runtime.config.setup_logging`` (this, with the settings' values) when a run
    starts, so a bot started from any entry point logs one line per event with secrets masked.
    """
    if logging.getLogger().handlers:
        return
    configure_logging(level, fmt)


def _fields(record: logging.LogRecord) -> dict:
    fields = dict(getattr(record, "fields", None) or {})
    # Also keep anything passed the standard way, through extra={...}.
    for key, value in vars(record).items():
        if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
            fields.setdefault(key, value)
    return fields


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return json.dumps(text) if (" " in text or not text) else text


def _url_password(url: str) -> str | None:
    match = re.search(r"://[^/@:\s]+:([^/@\s]+)@", url)
    return match.group(1) if match else None
