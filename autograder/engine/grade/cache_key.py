"""The files kept in the cache folder: named by a digest of everything the cached thing was computed from, so a
changed notebook, weight file, setting or engine module gives a new name instead of a stale answer."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable


def content_key(files: list[Path], *extra: str) -> str:
    """A short digest of the files' names and bytes (absent ones count as empty) and ``extra``."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + (file.read_bytes() if file.is_file() else b"") + b"\0")
    for text in extra:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()[:16]


def store(path: Path, write: Callable[[Path], object]) -> Path:
    """``path`` in the cache folder, written by ``write(partial)`` then renamed: a reader never meets half a file, and
    workers storing it at the same time each write their own. The folder is created closed to others."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    write(partial)
    partial.replace(path)
    return path


def cached_tensors(path: Path, compute: Callable[[], object]):
    """What ``path`` holds (saved by torch, read back with ``weights_only``: tensors, numbers, strings, containers),
    or ``compute()``'s result, saved there for the next process. A file that cannot be read is computed again."""
    import torch

    try:
        return torch.load(path, weights_only=True)
    except Exception:  # absent, torn or not ours (an unpickling error): computed again
        pass
    value = compute()
    store(path, lambda partial: torch.save(value, partial))
    return value
