"""Names for the files kept in the cache folder: a digest of everything the cached thing was computed from, so a
changed notebook, weight file, setting or engine module gives a new name instead of a stale answer."""

from __future__ import annotations

import hashlib
from pathlib import Path


def content_key(files: list[Path], *extra: str) -> str:
    """A short digest of the files' names and bytes (absent ones count as empty) and ``extra``."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + (file.read_bytes() if file.is_file() else b"") + b"\0")
    for text in extra:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()[:16]
