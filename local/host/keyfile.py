"""The local host's admin key on disk: written atomically, readable and writable by its owner only (0600)."""

from __future__ import annotations

import os
from pathlib import Path


def write_key_file(path: Path, key: str) -> None:
    """Write `key` to `path` with mode 0600 (a reader never sees half a key, nor a key others could read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    temp.unlink(missing_ok=True)
    # O_EXCL on a fresh name: the mode applies (it would not to a file that already exists).
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(key)
    temp.replace(path)


def read_key_file(path: Path) -> str:
    """The key written by write_key_file; ValueError when the file is empty."""
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ValueError(f"{path} holds no key")
    return key
