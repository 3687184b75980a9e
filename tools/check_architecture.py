"""Architecture checks `make lint` runs (and tests/unit/test_architecture.py proves can fail).

1. No import cycle between modules of shared/, functions/ and local/estates/. The import graph is grimp's
   (pinned in requirements-dev.txt), which counts every import statement: function-level ones and those under
   `if TYPE_CHECKING:` included, so a cycle cannot hide behind a lazy import.
2. At most MAX_LAZY_IMPORTS function-level imports in shared/ and functions/ together, each with its reason
   in a comment on the lines right above it (start-up cost is the one accepted reason).
3. The environment is read only in shared/config.py (within shared/ and functions/).
4. Tables are named and opened only in shared/storage/: nothing else imports the table clients, the storage
   client module or a `*_TABLE` name.

Usage: python tools/check_architecture.py  (exit status 1 and one line per problem when any check fails)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "functions", "local")
CYCLE_SCOPE = ("shared", "functions", "local.estates")
LAZY_SCOPE = ("shared", "functions")
MAX_LAZY_IMPORTS = 15
CONFIG_MODULE = Path("shared/config.py")
STORAGE = Path("shared/storage")
TABLE_CLIENTS = frozenset({"TableClient", "TableServiceClient"})


def _in_scope(module: str, scope: Iterable[str]) -> bool:
    return any(module == s or module.startswith(f"{s}.") for s in scope)


def import_cycles(packages: Iterable[str] = PACKAGES, scope: Iterable[str] = CYCLE_SCOPE) -> list[list[str]]:
    """Every strongly connected group of two or more modules (or a module importing itself), sorted."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    scope = tuple(scope)
    modules = sorted(m for m in graph.modules if _in_scope(m, scope))
    edges = {m: sorted(t for t in graph.find_modules_directly_imported_by(m) if t in modules) for m in modules}
    return [sorted(c) for c in _strongly_connected(modules, edges) if len(c) > 1 or c[0] in edges[c[0]]]


def _strongly_connected(nodes: list[str], edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph has a few hundred modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    out.append(group)
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return out


def _python_files(root: Path, scope: Iterable[str]) -> list[Path]:
    return sorted(p for s in scope for p in (root / s).rglob("*.py"))


def _function_level_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    def walk(node: ast.AST, in_function: bool) -> Iterator[ast.Import | ast.ImportFrom]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from walk(child, True)
            elif isinstance(child, ast.Import | ast.ImportFrom) and in_function:
                yield child
            else:
                yield from walk(child, in_function)

    yield from walk(tree, False)


def lazy_imports(root: Path = ROOT, scope: Iterable[str] = LAZY_SCOPE) -> tuple[list[str], list[str]]:
    """(every function-level import as path:line, those without a comment right above them)."""
    found, uncommented = [], []
    for path in _python_files(root, scope):
        lines = path.read_text().splitlines()
        for node in _function_level_imports(ast.parse("\n".join(lines))):
            where = f"{path.relative_to(root)}:{node.lineno}"
            found.append(where)
            above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
            if not above.startswith("#") and "#" not in lines[node.lineno - 1]:
                uncommented.append(where)
    return found, uncommented


def environment_reads(root: Path = ROOT, scope: Iterable[str] = LAZY_SCOPE) -> list[str]:
    """Places outside shared/config.py that read os.environ, os.getenv or environ."""
    out = []
    for path in _python_files(root, scope):
        if path.relative_to(root) == CONFIG_MODULE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            reads = (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")) or (
                isinstance(node, ast.ImportFrom) and node.module == "os"
                and any(a.name in ("environ", "getenv") for a in node.names))
            if reads:
                out.append(f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}")
    return out


def tables_outside_storage(root: Path = ROOT, scope: Iterable[str] = LAZY_SCOPE) -> list[str]:
    """Places outside shared/storage/ that open a table client or import a table's name."""
    out = []
    for path in _python_files(root, scope):
        relative = path.relative_to(root)
        if relative.is_relative_to(STORAGE):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            names = {a.name for a in node.names}
            if (node.module == "shared.storage.clients" or (node.module.startswith("azure.data.tables")
                                                            and names & TABLE_CLIENTS)
                    or any(n.endswith("_TABLE") for n in names)):
                out.append(f"{relative}:{node.lineno}")
    return out


def problems(root: Path = ROOT) -> list[str]:
    """Every architecture problem, one line each (empty when all is well)."""
    out = [f"import cycle: {' -> '.join(cycle)}" for cycle in import_cycles()]
    found, uncommented = lazy_imports(root)
    if len(found) > MAX_LAZY_IMPORTS:
        out.append(f"{len(found)} function-level imports in shared/ and functions/ (at most {MAX_LAZY_IMPORTS})")
    out += [f"function-level import without its reason in a comment above it: {w}" for w in uncommented]
    out += [f"environment read outside shared/config.py: {w}" for w in environment_reads(root)]
    out += [f"table named or opened outside shared/storage/: {w}" for w in tables_outside_storage(root)]
    return out


def main() -> int:
    """Print the problems; non-zero when there is any."""
    sys.path.insert(0, str(ROOT))
    found = problems()
    for line in found:
        print(line)
    lazy, _ = lazy_imports()
    print(f"architecture: {len(found)} problem(s); {len(lazy)} function-level import(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
