"""The architecture checks of `make lint` hold for the code, and each of them can fail."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.check_architecture import (
    environment_reads,
    import_cycles,
    lazy_imports,
    problems,
    tables_outside_storage,
)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def importable(tmp_path: Path) -> Iterator[Path]:
    """A directory on sys.path for throw-away packages."""
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))


def test_the_code_has_no_architecture_problems() -> None:
    assert problems() == []


def test_a_cycle_is_found_when_it_hides_behind_a_function_level_import(importable: Path) -> None:
    write(importable, {"cyclic/__init__.py": "", "cyclic/a.py": "from cyclic import b\n",
                       "cyclic/b.py": "def f():\n    from cyclic import a\n    return a\n",
                       "cyclic/c.py": "from cyclic import a\n"})
    assert import_cycles(("cyclic",), ("cyclic",)) == [["cyclic.a", "cyclic.b"]]


def test_a_cycle_is_found_when_it_hides_behind_type_checking(importable: Path) -> None:
    write(importable, {"typed/__init__.py": "", "typed/a.py": "from typed import b\n",
                       "typed/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from typed import a\n"})
    assert import_cycles(("typed",), ("typed",)) == [["typed.a", "typed.b"]]


def test_a_function_level_import_is_flagged_when_no_comment_gives_its_reason(tmp_path: Path) -> None:
    root = write(tmp_path, {"shared/x.py": "def f():\n    import json\n    return json\n\n\ndef g():\n"
                                           "    # Start-up cost: a slow package.\n    import csv\n    return csv\n"})
    found, uncommented = lazy_imports(root)
    assert found == ["shared/x.py:2", "shared/x.py:8"] and uncommented == ["shared/x.py:2"]


def test_an_environment_read_is_flagged_when_outside_config(tmp_path: Path) -> None:
    root = write(tmp_path, {"shared/config.py": "import os\nA = os.environ\n",
                            "functions/x.py": "import os\nB = os.environ.get('X')\n",
                            "shared/y.py": "from os import getenv\n"})
    assert environment_reads(root) == ["functions/x.py:2", "shared/y.py:1"]


def test_a_table_is_flagged_when_named_or_opened_outside_storage(tmp_path: Path) -> None:
    root = write(tmp_path, {"shared/storage/s.py": "from shared.storage.clients import open_table\n",
                            "shared/pipeline/p.py": "from shared.storage.scans import SCANS_TABLE\n",
                            "shared/q.py": "from azure.data.tables import TableClient, UpdateMode\n",
                            "shared/ok.py": "from azure.data.tables import UpdateMode\n",
                            "functions/f.py": "from shared.storage.clients import open_table\n"})
    assert tables_outside_storage(root) == ["functions/f.py:1", "shared/pipeline/p.py:1", "shared/q.py:1"]
