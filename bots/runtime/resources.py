"""Where the data folders (selectors/, config/, robots/) are, installed or in a checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # bots/ (this file is bots/runtime/resources.py)
_CHECKOUT = _PACKAGE.parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` ("selectors", "config" or "robots").

    A wheel carries selectors/ and config/ inside ``bots/_data``; a checkout (and an
    editable install) has them beside the package.
    """
    for candidate in (_PACKAGE / "_data" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"o2c data folder {name!r} not found beside {_PACKAGE}")
