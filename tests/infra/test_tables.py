"""S12: storage.bicep pre-creates exactly the tables the app uses, found in the code wherever they are declared.

The code declares each table as a module constant whose name ends in TABLE (`CUSTOMERS_TABLE = "customers"`,
`TABLE: Final = "audit"`, `PROOFS_TABLE_NAME = "proofs"`), anywhere under shared/: the pattern does not care
which module holds it, so moving the constants into shared/storage/ changes nothing here. Tables that
docs/onboarding-design.md section 6 adds and the code does not declare yet are pre-created too; once the code
declares them the union is simply the code's set.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.infra import bicepdoc
from tests.infra.conftest import ROOT

# A table-name constant: NAME_TABLE, TABLE or NAME_TABLE_NAME, optionally annotated, bound to a literal that
# Azure accepts as a table name (letters and digits, starting with a letter, 3-63 characters).
_CONSTANT = re.compile(r"^[ \t]*(?:[A-Z][A-Z0-9_]*_)?TABLE(?:_NAME)?[ \t]*(?::[^=\n]+)?="
                       r"""[ \t]*["']([A-Za-z][A-Za-z0-9]{2,62})["']""", re.MULTILINE)
_DESIGN_ROW = re.compile(r"^\| `([a-z][a-z0-9]{2,62})` \|", re.MULTILINE)


def declared_tables(sources: list[Path]) -> set[str]:
    """Every table name bound to a *TABLE constant in the given Python files."""
    return {match.group(1) for path in sources for match in _CONSTANT.finditer(path.read_text())}


def designed_tables() -> set[str]:
    """The stores docs/onboarding-design.md section 6 adds."""
    text = (ROOT / "docs" / "onboarding-design.md").read_text()
    section = text.split("## 6.", 1)[1].split("\n## ", 1)[0]
    return set(_DESIGN_ROW.findall(section))


def test_bicep_creates_exactly_the_tables_the_app_uses_when_compared_with_the_code(bicep: dict[str, Any]) -> None:
    code = declared_tables(sorted((ROOT / "shared").rglob("*.py")))
    assert {"customers", "scans", "audit", "purges"} <= code  # guards against a pattern that finds nothing
    assert designed_tables() == {"signins", "proofs", "tombstones", "ratelimits"}
    created = bicepdoc.param_default(bicep["modules/storage.bicep"], "tableNames")
    assert len(created) == len(set(created)), "a table is listed twice"
    assert set(created) == code | designed_tables()


def test_table_constants_are_found_when_declared_in_any_form(tmp_path: Path) -> None:
    source = tmp_path / "stores.py"
    source.write_text('CUSTOMERS_TABLE = "customers"\nclass Store:\n    TABLE: Final = "audit"\n'
                      'PROOFS_TABLE_NAME: str = \'proofs\'\nNOT_A_TABLE_COUNT = 3\nTABLES = "x"\nTABLE = "ab"\n')
    assert declared_tables([source]) == {"customers", "audit", "proofs"}
