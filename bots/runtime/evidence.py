"""Evidence: the raw documents a bot worked from (an email, a PDF, a bank file), kept once by content."""

import hashlib
import os
from pathlib import Path


def store_evidence(folder: Path, data: bytes, suffix: str = ".eml") -> dict:
    """Keep ``data`` as ``<folder>/<sha256><suffix>`` (written once, atomically); return the evidence dict."""
    digest = hashlib.sha256(data).hexdigest()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        partial = folder / f".{digest}.{os.getpid()}.part"
        partial.write_bytes(data)
        os.replace(partial, path)  # a reader never sees half a file
    return {"file": str(path.resolve()), "sha256": digest, "bytes": len(data)}
