"""The files `azd deploy` puts in a Python function app's package, computed the way azd does it.

Read from Azure/azure-dev at ae35809 (2026-08-21): `cli/azd/pkg/project/project_utils.go` createDeployableZip and
`cli/azd/pkg/rzip/rzip.go` CreateFromDirectory; the ignore file is `.funcignore` for host `function`
(`service_target.go` IgnoreFile). Its rules, in order, for every entry of the project folder:
- a directory named `.azure`, the ignore file itself, and (host `function`) a file named `local.settings.json`
  are left out;
- with an ignore file, an entry is left out when the file ignores it (denormal/go-gitignore `Absolute`: the
  last matching pattern decides; a path outside the project folder matches nothing);
- without one, a Python project leaves out directories holding `pyvenv.cfg` and directories named
  `__pycache__`, and nothing else;
- symbolic links are followed: a linked directory is walked at its target, so what lies inside it is outside
  the project folder and no ignore pattern reaches it (only the link's own name can be ignored).
Patterns follow go-gitignore (`pattern.go`): `!` negates, a leading `/` anchors to the project folder, a trailing
`/` matches directories only, a name without `/` matches the last path component at any depth. Patterns with a
`/` inside or `**` are refused here rather than modelled approximately.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILE = ".funcignore"


@dataclass(frozen=True)
class Pattern:
    """One line of an ignore file."""

    glob: str
    negated: bool
    anchored: bool
    directory_only: bool

    def matches(self, rel: str, is_dir: bool) -> bool:
        """Whether this pattern matches the project-relative path `rel` (forward slashes)."""
        if self.directory_only and not is_dir:
            return False
        subject = rel if self.anchored else rel.rsplit("/", 1)[-1]
        return fnmatch.fnmatchcase(subject, self.glob)


def parse_ignore(text: str) -> list[Pattern]:
    """The patterns of an ignore file; ValueError for syntax this model does not cover."""
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line.removeprefix("!")
        anchored = line.startswith("/")
        line = line.removeprefix("/")
        directory_only = line.endswith("/")
        line = line.removesuffix("/")
        if "/" in line or "**" in line or not line:
            raise ValueError(f"ignore pattern not modelled: {raw!r}")
        patterns.append(Pattern(line, negated, anchored, directory_only))
    return patterns


def ignored(patterns: list[Pattern], rel: str, is_dir: bool) -> bool:
    """go-gitignore: the last pattern that matches decides; no match means kept."""
    for pattern in reversed(patterns):
        if pattern.matches(rel, is_dir):
            return not pattern.negated
    return False


def _keep(root: Path, path: Path, is_dir: bool, patterns: list[Pattern] | None) -> bool:
    name = path.name
    if (name == ".azure" and is_dir) or (name == IGNORE_FILE and not is_dir):
        return False
    if name == "local.settings.json" and not is_dir:
        return False
    if patterns is not None:
        try:
            rel = path.relative_to(root).as_posix()
        except ValueError:
            return True  # outside the project folder (inside a followed link): no pattern applies
        return not ignored(patterns, rel, is_dir)
    return not (is_dir and ((path / "pyvenv.cfg").exists() or name.lower() == "__pycache__"))


def deployment_files(root: Path) -> list[str]:
    """Every file azd would zip from `root`, as archive paths (forward slashes), sorted."""
    root = root.resolve()
    ignore = root / IGNORE_FILE
    patterns = parse_ignore(ignore.read_text(encoding="utf-8-sig")) if ignore.is_file() else None
    out: list[str] = []

    def walk(directory: Path, archive_prefix: str, depth: int) -> None:
        for entry in sorted(os.scandir(directory), key=lambda e: e.name):
            path = Path(entry.path)
            is_dir = entry.is_dir(follow_symlinks=True)
            if not _keep(root, path, is_dir, patterns):
                continue
            archive_name = f"{archive_prefix}{entry.name}"
            if entry.is_symlink() and is_dir:
                if depth < 40:  # rzip's bound on nested links
                    walk(Path(os.path.realpath(path)), archive_name + "/", depth + 1)
            elif is_dir:
                walk(path, archive_name + "/", depth)
            else:
                out.append(archive_name)

    walk(root, "", 0)
    return sorted(out)
