"""KQL `summarize`, `count`, `distinct` and `project-away` for the simulator (rows in, rows out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local.simulator.kql_expr import Expr, ExprParser, KqlError, Row, to_text

Step = Callable[[list[Row]], list[Row]]


def _numbers(values: list[Any]) -> list[float]:
    out: list[float] = []
    for v in values:
        try:
            if isinstance(v, int | float) and not isinstance(v, bool):
                out.append(v)  # keep longs as ints, as KQL's sum() of longs is a long
            elif v is not None and v != "":
                out.append(float(v))
        except (TypeError, ValueError):
            continue
    return out


AGGREGATES: dict[str, Callable[[list[Any]], Any]] = {
    "count": len,
    "countif": lambda vs: sum(1 for v in vs if v),
    "sum": lambda vs: sum(_numbers(vs)),
    "min": lambda vs: min(_numbers(vs), default=None),
    "max": lambda vs: max(_numbers(vs), default=None),
    "avg": lambda vs: (sum(_numbers(vs)) / len(_numbers(vs))) if _numbers(vs) else None,
    "dcount": lambda vs: len({to_text(v) for v in vs}),
}


def _aggregate_items(parser: ExprParser) -> list[tuple[str, str, Expr | None]]:
    """`[name =] fn([expr])` items up to `by` or the end."""
    items: list[tuple[str, str, Expr | None]] = []
    while parser.peek()[0] != "eof" and not parser.at("by"):
        name = ""
        if parser.peek()[0] == "word" and parser.peek(1) == ("op", "="):
            name = parser.take()[1]
            parser.take("=")
        fn = parser.take()[1].lower()
        if fn not in AGGREGATES:
            raise KqlError(f"unsupported aggregation {fn}()")
        parser.names = []
        args = parser.arglist()
        if fn not in ("count",) and len(args) != 1:
            raise KqlError(f"{fn}() takes one argument")
        default = f"{fn}_" if not args else f"{fn}_{'_'.join(parser.names)}"
        items.append((name or default, fn, args[0] if args else None))
        if parser.at(","):
            parser.take(",")
    return items


def summarize(parser: ExprParser, assignments: Callable[[ExprParser], list[tuple[str, Expr]]]) -> Step:
    """`summarize aggs [by keys]`: one row per distinct key, key columns first."""
    aggs = _aggregate_items(parser)
    keys: list[tuple[str, Expr]] = []
    if parser.at("by"):
        parser.take("by")
        keys = assignments(parser)
    if not aggs and not keys:
        raise KqlError("summarize needs an aggregation or a by clause")

    def run(rows: list[Row]) -> list[Row]:
        groups: dict[tuple[str, ...], tuple[list[Any], list[Row]]] = {}
        for row in rows:
            values = [expr(row) for _, expr in keys]
            marker = tuple(to_text(v) for v in values)
            groups.setdefault(marker, (values, []))[1].append(row)
        if not keys and not groups:
            groups[()] = ([], [])
        out = []
        for values, members in groups.values():
            result: Row = {name: value for (name, _), value in zip(keys, values, strict=True)}
            for name, fn, expr in aggs:
                inputs = [expr(r) for r in members] if expr is not None else members
                result[name] = AGGREGATES[fn](inputs)
            out.append(result)
        return out
    return run


def count_rows() -> Step:
    """`count`: a single row with the number of rows in column Count."""
    return lambda rows: [{"Count": len(rows)}]


def distinct(parser: ExprParser, assignments: Callable[[ExprParser], list[tuple[str, Expr]]]) -> Step:
    """`distinct a, b`: unique combinations, in first-seen order."""
    items = assignments(parser)

    def run(rows: list[Row]) -> list[Row]:
        seen: dict[tuple[str, ...], Row] = {}
        for row in rows:
            values = {name: expr(row) for name, expr in items}
            seen.setdefault(tuple(to_text(v) for v in values.values()), values)
        return list(seen.values())
    return run


def project_away(parser: ExprParser) -> Step:
    """`project-away a, b`: drop columns."""
    names = [parser.take()[1]]
    while parser.at(","):
        parser.take(",")
        names.append(parser.take()[1])
    dropped = {n.lower() for n in names}
    return lambda rows: [{k: v for k, v in r.items() if k.lower() not in dropped} for r in rows]
