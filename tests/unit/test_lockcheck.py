"""`make setup` runs `npm ci` (which empties node_modules) only when node_modules differs from the lock."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from local.lockcheck import main, matches
from tests.conftest import REPO_ROOT

LOCK: dict[str, Any] = {"name": "x", "lockfileVersion": 3, "packages": {
    "": {"name": "x", "dependencies": {"azurite": "3.35.0"}},
    "node_modules/azurite": {"version": "3.35.0", "integrity": "sha512-a"},
    "node_modules/tedious": {"version": "16.7.1", "integrity": "sha512-b"}}}


def _tree(tmp_path: Path, lock: dict[str, Any], hidden: dict[str, Any] | None) -> Path:
    (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    if hidden is not None:
        (tmp_path / "node_modules").mkdir()
        (tmp_path / "node_modules" / ".package-lock.json").write_text(json.dumps(hidden))
    return tmp_path


def test_installed_tree_matches_when_npm_recorded_the_same_packages(tmp_path: Path) -> None:
    hidden = {"name": "x", "lockfileVersion": 3, "packages": {k: v for k, v in LOCK["packages"].items() if k}}
    assert main(_tree(tmp_path, LOCK, hidden)) == 0


def test_install_is_needed_when_a_version_changed(tmp_path: Path) -> None:
    hidden = json.loads(json.dumps(LOCK))
    hidden["packages"]["node_modules/tedious"]["version"] = "16.7.0"
    assert main(_tree(tmp_path, LOCK, hidden)) == 1


def test_install_is_needed_when_a_package_is_missing_or_extra(tmp_path: Path) -> None:
    fewer = {"packages": {"node_modules/azurite": LOCK["packages"]["node_modules/azurite"]}}
    assert not matches(_tree(tmp_path, LOCK, fewer) / "package-lock.json",
                       tmp_path / "node_modules" / ".package-lock.json")
    more = json.loads(json.dumps(LOCK))
    more["packages"]["node_modules/extra"] = {"version": "1.0.0"}
    (tmp_path / "node_modules" / ".package-lock.json").write_text(json.dumps(more))
    assert main(tmp_path) == 1


def test_install_is_needed_when_node_modules_is_absent_or_unreadable(tmp_path: Path) -> None:
    assert main(_tree(tmp_path, LOCK, None)) == 1
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / ".package-lock.json").write_text("{not json")
    assert main(tmp_path) == 1


def test_this_checkouts_node_modules_matches_its_lock_when_set_up() -> None:
    assert main(REPO_ROOT) == 0, "node_modules differs from package-lock.json: run `make setup`"
