"""Where the parsers' data folders are (config/remittance_templates/), in a checkout or installed.

A checkout (and an editable install) has config/ beside the package; a wheel carries it
in the distribution's data (``bots/_data/config``, see pyproject.toml). Looked up by path,
so the parsers need nothing of the bots' code.
"""

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent
_DISTRIBUTION = "o2c-bots"


def data_dir(name: str) -> Path:
    """The data folder ``name`` ("config"); FileNotFoundError where there is none."""
    candidates = [_CHECKOUT / name]
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        candidates.append(Path(distribution(_DISTRIBUTION).locate_file(f"bots/_data/{name}")))
    except PackageNotFoundError:
        pass
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"o2c data folder {name!r} not found beside {_CHECKOUT}")
