"""Write the keyword manual of the O2C Robot library: docs/O2C.html (for people) and docs/O2C.json (for the check).

    .venv/bin/python docs/generate.py

The docstrings in robots/O2C/ are the manual; tests/test_robot_docs.py fails when these files
are older than them, naming this command.
"""

import json
import sys
from pathlib import Path

from robot.libdoc import libdoc

DOCS = Path(__file__).resolve().parent


def spec() -> dict:
    """The library's documentation as libdoc's JSON, without the time it was generated."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "O2C.json"
        libdoc("robots.O2C", str(out), format="JSON", quiet=True)
        data = json.loads(out.read_text(encoding="utf-8"))
    data.pop("generated", None)
    for keyword in data.get("keywords", []) + data.get("inits", []):
        keyword.pop("source", None)
        keyword.pop("lineno", None)
    data.pop("source", None)
    return data


def main() -> int:
    libdoc("robots.O2C", str(DOCS / "O2C.html"), format="HTML", quiet=True)
    (DOCS / "O2C.json").write_text(json.dumps(spec(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {DOCS / 'O2C.html'} and {DOCS / 'O2C.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
