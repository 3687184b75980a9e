"""The local host's admin key file: owner-only, atomic, never empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from local.host.http import new_admin_key
from local.host.keyfile import read_key_file, write_key_file


def test_key_file_is_owner_only_when_written_over_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "host.key"
    path.parent.mkdir()
    path.write_text("old")
    path.chmod(0o644)
    write_key_file(path, "k1")
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_key_file(path) == "k1"
    assert not list(path.parent.glob("*.tmp"))


def test_key_file_is_written_when_a_stale_temp_file_is_left_behind(tmp_path: Path) -> None:
    (tmp_path / "host.key.tmp").write_text("half")
    write_key_file(tmp_path / "host.key", "k2")
    assert read_key_file(tmp_path / "host.key") == "k2"


def test_empty_key_file_is_refused_when_read(tmp_path: Path) -> None:
    (tmp_path / "host.key").write_text("\n")
    with pytest.raises(ValueError, match="holds no key"):
        read_key_file(tmp_path / "host.key")


def test_admin_keys_are_long_and_distinct_when_generated() -> None:
    keys = {new_admin_key() for _ in range(50)}
    assert len(keys) == 50 and all(len(k) >= 43 for k in keys)
