"""Route templates as the Functions host reads them: `{name}`, `{name:constraint}`, `{name?}`, `{*rest}`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

_PARAM = re.compile(r"\{([^{}]+)\}")

# Constraints that narrow what a parameter matches (ASP.NET Core route constraints the host supports).
_TYPE_PATTERNS = {
    "int": r"-?\d+",
    "long": r"-?\d+",
    "alpha": r"[A-Za-z]+",
    "bool": r"(?i:true|false)",
    "guid": r"\{?[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}\}?",
    "decimal": r"-?\d+(?:\.\d+)?",
    "double": r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?",
    "float": r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?",
    "datetime": r"[0-9T:\-\.Z+ ]+",
}


class RouteTemplateError(ValueError):
    """A route template the host cannot read."""


@dataclass(frozen=True)
class _Param:
    name: str
    optional: bool
    catch_all: bool
    checks: tuple[Callable[[str], bool], ...] = ()


@dataclass
class RouteTemplate:
    """A compiled route template: match a path (without the prefix) to its route parameters."""

    template: str
    regex: re.Pattern[str]
    params: list[_Param] = field(default_factory=list)
    literal_segments: int = 0

    def match(self, path: str) -> dict[str, str] | None:
        """The route parameters when `path` matches, else None (constraints included)."""
        found = self.regex.fullmatch(path.strip("/"))
        if found is None:
            return None
        values: dict[str, str] = {}
        for index, param in enumerate(self.params):
            raw = found.group(index + 1)
            if raw is None:
                continue
            value = unquote(raw)
            if not all(check(value) for check in param.checks):
                return None
            values[param.name] = value
        return values

    @property
    def sort_key(self) -> tuple[int, int, int]:
        """Literal-heavy templates first, catch-alls last, as the host orders candidate routes."""
        catch_all = any(p.catch_all for p in self.params)
        return (int(catch_all), -self.literal_segments, -len(self.template))


def compile_route(template: str) -> RouteTemplate:
    """Compile a route template into a matcher; raise RouteTemplateError when it is malformed."""
    segments = [s for s in template.strip("/").split("/") if s != ""]
    pattern = ""
    params: list[_Param] = []
    literal_segments = 0
    for position, segment in enumerate(segments):
        separator = "/" if position else ""
        whole = _PARAM.fullmatch(segment)
        if whole and whole.group(1).rstrip().endswith("?"):
            # An optional parameter takes its slash with it: `items/{id?}` matches `items` too.
            param, fragment = _parse_param(whole.group(1))
            params.append(param)
            pattern += f"(?:{re.escape(separator)}({fragment}))?"
            continue
        if not _PARAM.search(segment):
            literal_segments += 1
        pattern += re.escape(separator) + _segment_pattern(segment, params)
    return RouteTemplate(template, re.compile(pattern, re.IGNORECASE), params, literal_segments)


def _segment_pattern(segment: str, params: list[_Param]) -> str:
    out = ""
    cursor = 0
    for found in _PARAM.finditer(segment):
        out += re.escape(segment[cursor:found.start()])
        param, fragment = _parse_param(found.group(1))
        params.append(param)
        out += f"({fragment})"
        cursor = found.end()
    if "{" in segment[cursor:] or "}" in segment[cursor:]:
        raise RouteTemplateError(f"unbalanced braces in route segment {segment!r}")
    return out + re.escape(segment[cursor:])


def _parse_param(body: str) -> tuple[_Param, str]:
    body = body.strip()
    catch_all = body.startswith("*")
    body = body.lstrip("*")
    optional = body.endswith("?")
    body = body.rstrip("?")
    name, *constraints = _split_constraints(body)
    if not name.isidentifier():
        raise RouteTemplateError(f"bad route parameter name {name!r}")
    fragment = ".*" if catch_all else "[^/]+"
    checks: list[Callable[[str], bool]] = []
    for constraint in constraints:
        fragment, check = _apply_constraint(constraint, fragment)
        if check is not None:
            checks.append(check)
    return _Param(name, optional, catch_all, tuple(checks)), fragment


def _split_constraints(body: str) -> list[str]:
    """Split `name:c1:c2(x)` on colons outside parentheses (a regex constraint may contain colons)."""
    parts, depth, current = [], 0, ""
    for char in body:
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    parts.append(current)
    return parts


def _apply_constraint(constraint: str, fragment: str) -> tuple[str, Callable[[str], bool] | None]:
    name, _, arg = constraint.partition("(")
    arg = arg[:-1] if arg.endswith(")") else arg
    name = name.strip().lower()
    if name in _TYPE_PATTERNS:
        check = _is_guid if name == "guid" else None
        return _TYPE_PATTERNS[name], check
    if name == "regex":
        return f"(?:{arg})", None
    numbers = [int(a) for a in arg.split(",")] if arg else []
    checks: dict[str, Callable[[str], bool]] = {
        "minlength": lambda v: len(v) >= numbers[0],
        "maxlength": lambda v: len(v) <= numbers[0],
        "length": lambda v: (len(v) == numbers[0]) if len(numbers) == 1 else numbers[0] <= len(v) <= numbers[1],
        "min": lambda v: _as_int(v) is not None and _as_int(v) >= numbers[0],  # type: ignore[operator]
        "max": lambda v: _as_int(v) is not None and _as_int(v) <= numbers[0],  # type: ignore[operator]
        "range": lambda v: _as_int(v) is not None and numbers[0] <= _as_int(v) <= numbers[1],  # type: ignore[operator]
    }
    if name not in checks:
        raise RouteTemplateError(f"unknown route constraint {constraint!r}")
    return fragment, checks[name]


def _as_int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def join_prefix(prefix: str, route: str) -> str:
    """The full path template for a route under the host.json routePrefix ("" means no prefix)."""
    parts: Iterable[str] = (p.strip("/") for p in (prefix, route))
    return "/".join(p for p in parts if p)
