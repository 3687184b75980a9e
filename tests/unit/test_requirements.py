"""requirements.txt holds exactly what the shipped app imports, pinned; tools for this machine stay in dev."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

from tests.conftest import REPO_ROOT

SHIPPED = [REPO_ROOT / "function_app.py", *sorted((REPO_ROOT / "functions").rglob("*.py")),
           *sorted((REPO_ROOT / "shared").rglob("*.py"))]
FIRST_PARTY = {"functions", "shared", "function_app"}
# Pinned for the app although no shipped module imports them yet, each with its reason.
PINNED_WITHOUT_IMPORT = {"pyjwt": "validation of the admin API's Entra tokens (issue 13)"}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name (normalised, extras dropped) -> the line, for every requirement in the file (not -r includes)."""
    out: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.split(r"[\[=<>!~ ;]", line, maxsplit=1)[0]
        out[_normal(name)] = line
    return out


def imported_modules() -> set[str]:
    """Every absolute module the shipped code imports (top of file or inside functions)."""
    found: set[str] = set()
    for path in SHIPPED:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
    return {m for m in found if m.split(".")[0] not in FIRST_PARTY | set(sys.stdlib_module_names)}


@cache
def _owners() -> dict[str, str]:
    """Installed file path (relative to site-packages) -> the distribution that installed it."""
    owners: dict[str, str] = {}
    for dist in metadata.distributions():
        for file in dist.files or ():
            owners[str(file)] = _normal(dist.metadata["Name"])
    return owners


def distribution_of(module: str) -> str:
    """The distribution that installed `module` (namespace packages such as azure.* resolved per module)."""
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        spec = importlib.util.find_spec(".".join(parts[:depth]))
        if spec is None or spec.origin in (None, "namespace"):
            continue
        origin = Path(spec.origin).resolve()
        for root in map(Path, sys.path):
            if root.is_dir() and origin.is_relative_to(root.resolve()):
                owner = _owners().get(str(origin.relative_to(root.resolve())))
                if owner:
                    return owner
    raise AssertionError(f"no installed distribution provides {module}")


def test_every_imported_distribution_is_pinned_in_runtime_requirements_when_shipped() -> None:
    runtime = pins(REPO_ROOT / "requirements.txt")
    needed = {distribution_of(m): m for m in imported_modules()}
    missing = {dist: module for dist, module in needed.items() if dist not in runtime}
    assert not missing, f"imported by the app but not in requirements.txt: {missing}"
    assert all("==" in line for line in runtime.values()), runtime


def test_runtime_requirements_hold_nothing_the_app_does_not_import_when_read() -> None:
    runtime = set(pins(REPO_ROOT / "requirements.txt"))
    needed = {distribution_of(m) for m in imported_modules()}
    assert runtime - needed <= set(PINNED_WITHOUT_IMPORT), runtime - needed


def test_local_only_tools_are_dev_requirements_when_pinned() -> None:
    runtime, dev = pins(REPO_ROOT / "requirements.txt"), pins(REPO_ROOT / "requirements-dev.txt")
    for tool in ("croniter", "pip-audit", "python-qpid-proton", "psutil", "pytest"):
        assert tool in dev and tool not in runtime, tool
    assert runtime["pyjwt"] == "PyJWT[crypto]==2.15.1"
    assert all("==" in line for line in dev.values()), dev
