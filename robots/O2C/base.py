"""What every keyword of the O2C library shares: the open ERP page, messages, the screenshot on failure.

``LibraryBase`` is the library class's parent. It collects the keywords of its topic
components (``ErpKeywords``, ``QueueKeywords``) through Robot Framework's hybrid library
API and wraps each one so that a failure takes one screenshot of the ERP, logs it, and
reports the failure as a plain sentence (no Python exception name). Components derive
from ``LibraryComponent`` and reach the shared state through ``self.ctx``.
"""

import functools
import inspect
from datetime import datetime, timezone
from pathlib import Path

from bots.errors import O2CError


class KeywordFailure(AssertionError):
    """A keyword could not do its step; the message says why in plain words."""

    ROBOT_SUPPRESS_NAME = True


def keyword(name: str):
    """Give a keyword method its name in .robot files (when the automatic one would be wrong)."""

    def mark(method):
        method.robot_name = name
        return method

    return mark


class LibraryComponent:
    """One topic of keywords; ``ctx`` is the library that holds the shared state."""

    def __init__(self, ctx: "LibraryBase"):
        self.ctx = ctx

    def info(self, message: str) -> None:
        """Write ``message`` to the Robot log at INFO level."""
        from robot.api import logger

        logger.info(message)


class LibraryBase:
    """The hybrid-API plumbing: keyword names from the components, screenshot on failure in one place."""

    def __init__(self, components: list[LibraryComponent], screenshot_dir: str | Path | None = None):
        self.screenshot_dir = Path(screenshot_dir) if screenshot_dir else None
        self.page = None  # the Playwright page the ERP keywords drive, once a browser is open
        self.last_screenshot: str | None = None
        self._keywords = {}
        for component in components:
            for attribute, method in inspect.getmembers(component, inspect.ismethod):
                if attribute.startswith("_") or attribute == "info":
                    continue
                self._keywords[getattr(method, "robot_name", attribute)] = method

    def get_keyword_names(self) -> list[str]:
        """The names Robot Framework offers as keywords."""
        return sorted(self._keywords)

    def __getattr__(self, name: str):
        keywords = self.__dict__.get("_keywords") or {}
        if name not in keywords:
            raise AttributeError(name)
        return self._run_with_screenshot(keywords[name])

    def _run_with_screenshot(self, method):
        @functools.wraps(method)
        def run(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except Exception as error:
                self.take_failure_screenshot(method.__name__)
                if isinstance(error, O2CError):
                    raise KeywordFailure(getattr(error, "message", str(error))) from error
                raise

        return run

    def take_failure_screenshot(self, name: str) -> str | None:
        """Save and log what the ERP shows now; None when no page is open or the browser is gone."""
        from robot.api import logger

        if self.page is None:
            return None
        folder = self.screenshot_dir or Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"failure-{name}-{datetime.now(timezone.utc).strftime('%H%M%S%f')}.png"
        try:
            self.page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # the browser may be what failed; the keyword's error still counts
            logger.warn(f"No screenshot: {error}")
            return None
        self.last_screenshot = str(path.resolve())
        logger.info(f'<img src="{path.name}" width="800">', html=True)
        return self.last_screenshot
