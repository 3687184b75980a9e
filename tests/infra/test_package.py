"""S4: the deployment package holds the app and nothing of the local stack, its secrets, tests or tooling."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.infra.azd_package import IGNORE_FILE, deployment_files, ignored, parse_ignore
from tests.infra.conftest import ROOT

# Never in a package: the local stand-ins for Azure and their state (the local secret-store key, TLS keys,
# Azurite data), test code, Node packages, build output.
FORBIDDEN_PREFIXES = ("local/", "tests/", "node_modules/", ".state/", "out/", ".venv/", ".git/", "docs/", "infra/")
# The whole app: the host files and every source or asset under the two packages.
APP_DIRS = ("functions", "shared")
APP_FILES = ("function_app.py", "host.json", "requirements.txt")


def _app_sources(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for folder in APP_DIRS for path in (root / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def _leaks(files: list[str]) -> list[str]:
    return [name for name in files if name.startswith(FORBIDDEN_PREFIXES) or "__pycache__/" in name]


def _stack_tree(root: Path) -> Path:
    """A checkout after `make up` and `make demo`: the real app and ignore file plus everything that must stay out."""
    root.mkdir()
    for name in (*APP_FILES, IGNORE_FILE):
        shutil.copy(ROOT / name, root / name)
    for folder in APP_DIRS:
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "shared" / "__pycache__").mkdir()
    (root / "shared" / "__pycache__" / "config.cpython-311.pyc").write_bytes(b"\0")
    for folder, name in (("local", "stack.py"), ("tests", "test_x.py"), (".state", "secret-store.key"),
                         ("out/demo", "report.html"), ("docs", "deploy.md"), ("infra", "main.bicep")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text("x")
    outside = root.parent / f"{root.name}-shared"
    (outside / "venv" / "lib").mkdir(parents=True)
    (outside / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (outside / "venv" / "lib" / "site.py").write_text("x")
    (outside / "node_modules" / "azurite").mkdir(parents=True)
    (outside / "node_modules" / "azurite" / "index.js").write_text("x")
    # As in the worktrees here: .venv and node_modules are links to shared folders outside the project.
    (root / ".venv").symlink_to(outside / "venv", target_is_directory=True)
    (root / "node_modules").symlink_to(outside / "node_modules", target_is_directory=True)
    (root / "local.settings.json").write_text("{}")
    return root


def test_package_holds_the_app_and_nothing_else_when_azd_packs_this_checkout() -> None:
    files = deployment_files(ROOT)
    assert _leaks(files) == []
    assert set(APP_FILES) <= set(files)
    assert _app_sources(ROOT) <= set(files)


def test_local_stack_and_secrets_stay_out_when_a_used_checkout_is_packed(tmp_path: Path) -> None:
    root = _stack_tree(tmp_path / "project")
    files = deployment_files(root)
    assert _leaks(files) == []
    assert set(files) == set(APP_FILES) | _app_sources(root)


def test_everything_leaks_when_there_is_no_funcignore(tmp_path: Path) -> None:
    # azd's own Python defaults drop only virtualenvs and __pycache__: the reason the file exists.
    root = _stack_tree(tmp_path / "project")
    (root / IGNORE_FILE).unlink()
    leaks = _leaks(deployment_files(root))
    for prefix in ("local/", "tests/", "node_modules/", ".state/", "out/"):
        assert any(name.startswith(prefix) for name in leaks), prefix
    assert not any(name.startswith(".venv/") for name in leaks)


def test_followed_links_escape_the_patterns_when_only_their_contents_are_ignored(tmp_path: Path) -> None:
    # Inside a linked directory no pattern applies (go-gitignore matches nothing outside the project folder).
    root = _stack_tree(tmp_path / "project")
    (root / IGNORE_FILE).write_text("azurite\n.venv*\n/local\n/tests\n/.state\n/out\n/docs\n/infra\n")
    assert any(name.startswith("node_modules/azurite/") for name in deployment_files(root))


def test_patterns_follow_go_gitignore_when_matched() -> None:
    patterns = parse_ignore("# comment\n/local\ntests\n*.md\ncache/\n!keep.md\n")
    assert ignored(patterns, "local", is_dir=True)
    assert not ignored(patterns, "shared/local", is_dir=True)  # anchored
    assert ignored(patterns, "shared/tests", is_dir=True)  # unanchored name: any depth
    assert ignored(patterns, "docs/deploy.md", is_dir=False)
    assert not ignored(patterns, "docs/keep.md", is_dir=False)  # the last match decides
    assert not ignored(patterns, "cache", is_dir=False)  # directories only
    with pytest.raises(ValueError):
        parse_ignore("shared/**/x\n")


def _imports_of(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def local_imports(source: str) -> set[str]:
    """Modules of the local stack (`local`, `local.*`) that a source file imports."""
    return {name for name in _imports_of(source) if name == "local" or name.startswith("local.")}


def test_app_never_imports_the_local_stack_when_scanned() -> None:
    sources = [ROOT / "function_app.py", *(path for folder in APP_DIRS for path in (ROOT / folder).rglob("*.py"))]
    assert len(sources) > 20
    offenders = {str(path.relative_to(ROOT)): found for path in sources
                 if (found := local_imports(path.read_text()))}
    assert offenders == {}


def test_local_imports_are_found_when_code_imports_the_stack() -> None:
    source = "import local\nfrom local.simulator import entra\nimport localisation\nfrom .local import x\n"
    assert local_imports(source) == {"local", "local.simulator"}
