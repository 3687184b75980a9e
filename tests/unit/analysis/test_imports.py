"""shared/analysis imports at module top only, and its modules import each other without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "shared" / "analysis"
# Files whose function-level imports another change removes, with the reason they are tolerated until then.
PENDING: dict[str, str] = {}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _nested_imports(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            lines += [n.lineno for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
    return lines


def _top_level_targets(tree: ast.Module, modules: dict[str, Path]) -> set[str]:
    targets: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & set(modules)
            targets |= submodules or {node.module}
    return targets & set(modules)


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return []


def test_no_function_level_import_when_package_is_parsed() -> None:
    offenders = {}
    for path in _modules().values():
        name = str(path.relative_to(PACKAGE))
        lines = _nested_imports(ast.parse(path.read_text(encoding="utf-8")))
        if lines and name not in PENDING:
            offenders[name] = lines
    assert offenders == {}


def test_no_import_cycle_when_top_level_imports_are_followed() -> None:
    modules = _modules()
    graph = {name: _top_level_targets(ast.parse(path.read_text(encoding="utf-8")), modules)
             for name, path in modules.items()}
    assert _cycle(graph) == []


def test_cycle_detected_when_two_modules_import_each_other() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_nested_import_detected_when_a_function_imports() -> None:
    tree = ast.parse("import os\n\ndef f() -> None:\n    from json import dumps\n")
    assert _nested_imports(tree) == [4]
