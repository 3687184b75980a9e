"""A small KQL interpreter for the Resource Graph subset the product uses (no I/O, rows in, rows out).

Supported: `table | where | project | extend | order by | limit/take | summarize | count | distinct |
project-away`. Expressions
(kql_expr.py) cover the comparison and string operators, and/or/not, parentheses, a handful of functions and
dotted paths into dynamic columns. Anything else raises KqlError, which the Resource Graph handler turns into
a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local.simulator import kql_summarize
from local.simulator.kql_expr import Expr, ExprParser, KqlError, Row, to_text, tokenize

__all__ = ["KqlError", "Query", "parse", "run_query"]


@dataclass(frozen=True)
class Query:
    """A parsed query: the table name, the row operators and whether a limit/take caps it."""

    table: str
    steps: list[Callable[[list[Row]], list[Row]]]
    limited: bool


def _split_pipes(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    parts: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for tok in tokens:
        depth += tok == ("op", "(") or tok == ("op", "[")
        depth -= tok == ("op", ")") or tok == ("op", "]")
        if tok == ("op", "|") and depth == 0:
            parts.append([])
        else:
            parts[-1].append(tok)
    return parts


def parse(text: str) -> Query:
    """Parse a query; raises KqlError."""
    segments = _split_pipes(tokenize(text))
    if not segments[0] or len(segments[0]) != 1 or segments[0][0][0] != "word":
        raise KqlError("a query starts with a table name")
    steps: list[Callable[[list[Row]], list[Row]]] = []
    limited = False
    for segment in segments[1:]:
        parser = ExprParser(segment)
        op = parser.take()[1].lower()
        if op == "where":
            steps.append(_where(parser.expr()))
        elif op in ("project", "extend"):
            steps.append(_project(_assignments(parser), keep=op == "extend"))
        elif op in ("order", "sort"):
            parser.take("by")
            steps.append(_order(parser))
        elif op == "summarize":
            steps.append(kql_summarize.summarize(parser, _assignments))
        elif op == "count":
            steps.append(kql_summarize.count_rows())
        elif op == "distinct":
            steps.append(kql_summarize.distinct(parser, _assignments))
        elif op == "project-away":
            steps.append(kql_summarize.project_away(parser))
        elif op in ("limit", "take"):
            kind, raw = parser.take()
            if kind != "num" or "." in raw:
                raise KqlError(f"{op} needs a whole number, not {raw!r}")
            count = int(raw)
            steps.append(_limit(count))
            limited = True
        else:
            raise KqlError(f"unsupported operator {op!r}")
        if parser.peek()[0] != "eof":
            raise KqlError(f"unexpected {parser.peek()[1]!r} after {op}")
    return Query(segments[0][0][1].lower(), steps, limited)


def _limit(count: int) -> Callable[[list[Row]], list[Row]]:
    return lambda rows: rows[:count]


def _where(cond: Expr) -> Callable[[list[Row]], list[Row]]:
    return lambda rows: [r for r in rows if cond(r)]


def _assignments(parser: ExprParser) -> list[tuple[str, Expr]]:
    items: list[tuple[str, Expr]] = []
    while True:
        if parser.peek()[0] == "word" and parser.peek(1) == ("op", "="):
            name = parser.take()[1]
            parser.take("=")
            items.append((name, parser.expr()))
        else:
            parser.names = []
            expr = parser.expr()
            if not parser.names:
                raise KqlError("an expression in project/extend needs a name (name = expr)")
            items.append(("_".join(parser.names), expr))
        if not parser.at(","):
            return items
        parser.take(",")


def _project(items: list[tuple[str, Expr]], keep: bool) -> Callable[[list[Row]], list[Row]]:
    def run(rows: list[Row]) -> list[Row]:
        out = []
        for row in rows:
            new = dict(row) if keep else {}
            for name, expr in items:
                new[name] = expr(row)
            out.append(new)
        return out
    return run


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, bool | int | float):
        return (1, float(value))
    return (2, to_text(value))


def _keyfunc(expr: Expr) -> Callable[[Row], tuple[int, Any]]:
    return lambda r: _sort_key(expr(r))


def _order(parser: ExprParser) -> Callable[[list[Row]], list[Row]]:
    keys: list[tuple[Expr, bool]] = []
    while True:
        expr = parser.expr()
        descending = True  # KQL sorts descending unless told otherwise
        if parser.at("asc", "desc"):
            descending = parser.take()[1].lower() == "desc"
        keys.append((expr, descending))
        if not parser.at(","):
            break
        parser.take(",")
    def run(rows: list[Row]) -> list[Row]:
        out = list(rows)
        for expr, descending in reversed(keys):
            out.sort(key=_keyfunc(expr), reverse=descending)
        return out
    return run


def run_query(query: Query, rows: list[Row]) -> list[Row]:
    """Apply the query's operators to a table's rows."""
    for step in query.steps:
        rows = step(rows)
    return rows
