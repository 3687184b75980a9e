"""`python3 -m local.lockcheck`: exit 0 when node_modules already holds exactly what package-lock.json pins.

`make setup` asks this before `npm ci`, because `npm ci` empties node_modules first (and node_modules may be
shared by several checkouts). npm writes what it installed to node_modules/.package-lock.json (its "hidden
lockfile"); the tree matches when every package path there has the version, and the integrity hash, that
package-lock.json gives it. Standard library only: it runs before the venv exists.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _installed_packages(lock: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Package path -> (version, integrity); the root entry ("") is the project itself, not an install."""
    return {path: (entry.get("version"), entry.get("integrity"))
            for path, entry in lock.get("packages", {}).items() if path}


def matches(lock_file: Path, hidden_lock_file: Path) -> bool:
    """True when the hidden lockfile lists exactly the lock file's packages at the same versions."""
    try:
        wanted = json.loads(lock_file.read_text(encoding="utf-8"))
        installed = json.loads(hidden_lock_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return _installed_packages(wanted) == _installed_packages(installed)


def main(root: Path = Path()) -> int:
    """0 when node_modules matches the lock (nothing to install), 1 otherwise."""
    return 0 if matches(root / "package-lock.json", root / "node_modules" / ".package-lock.json") else 1


if __name__ == "__main__":
    sys.exit(main())
