"""KQL expressions for the simulator: tokens, operators, functions and dotted paths into dynamic columns.

Expressions compile to closures over a row (a dict); kql.py chains them into a query. No I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
Expr = Callable[[Row], Any]


class KqlError(ValueError):
    """The query cannot be parsed or uses something this interpreter does not support."""


_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>@?'(?:[^'\\]|\\.)*'|@?"(?:[^"\\]|\\.)*")
    | (?P<num>\d+(?:\.\d+)?)
    | (?P<op>!in~|in~|!in\b|==|!=|=~|!~|<=|>=|[|(),.\[\]=<>+\-*/!])
    | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?<!-))
    )""", re.VERBOSE)
_STRING_OPS = {"has", "!has", "has_cs", "!has_cs", "contains", "!contains", "contains_cs", "!contains_cs",
               "startswith", "!startswith", "startswith_cs", "endswith", "!endswith", "endswith_cs"}
_CMP_OPS = {"==", "!=", "=~", "!~", "<", "<=", ">", ">="}


def tokenize(text: str) -> list[tuple[str, str]]:
    """Split a query into (kind, text) tokens: str, num, op or word."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise KqlError(f"unexpected character at {pos}: {text[pos:pos + 10]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    # "!" followed by a word is a negated string operator (!contains, !has ...).
    merged: list[tuple[str, str]] = []
    for tok in tokens:
        if merged and merged[-1] == ("op", "!") and tok[0] == "word":
            merged[-1] = ("word", "!" + tok[1])
        else:
            merged.append(tok)
    return merged


def _unquote(raw: str) -> str:
    if raw.startswith("@"):
        return raw[2:-1]
    if raw[0] == '"':
        try:
            return str(json.loads(raw))
        except ValueError as exc:
            raise KqlError(f"invalid string literal {raw}") from exc
    return raw[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def to_text(value: Any) -> str:
    """KQL tostring(): null is empty, dynamic values are compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _has(hay: Any, needle: Any, cs: bool) -> bool:
    text, term = to_text(hay), to_text(needle)
    flags = 0 if cs else re.IGNORECASE
    return re.search(r"(?<![A-Za-z0-9])" + re.escape(term) + r"(?![A-Za-z0-9])", text, flags) is not None


def _string_op(op: str, left: Any, right: Any) -> bool:
    negate = op.startswith("!")
    base = op.lstrip("!")
    cs = base.endswith("_cs")
    base = base.removesuffix("_cs")
    a, b = to_text(left), to_text(right)
    if not cs:
        a, b = a.lower(), b.lower()
    result = {"has": lambda: _has(left, right, cs), "contains": lambda: b in a,
              "startswith": lambda: a.startswith(b), "endswith": lambda: a.endswith(b)}[base]()
    return result != negate


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=~", "!~"):
        return (to_text(left).lower() == to_text(right).lower()) == (op == "=~")
    if op in ("==", "!="):
        if left is None or right is None:
            return op == "!=" if (left is None) != (right is None) else op == "=="
        if isinstance(left, int | float) and isinstance(right, int | float):
            equal = left == right
        else:
            equal = to_text(left) == to_text(right)
        return equal == (op == "==")
    if left is None or right is None:
        return False
    try:
        a, b = (float(left), float(right)) if not (isinstance(left, str) and isinstance(right, str)) \
            else (left, right)
    except (TypeError, ValueError):
        a, b = to_text(left), to_text(right)
    return bool({"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])  # type: ignore[operator]


def _num(value: Any, cast: Callable[[Any], Any]) -> Any:
    try:
        return None if value is None or value == "" else cast(value)
    except (TypeError, ValueError):
        return None


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tostring": to_text,
    "tolower": lambda v: to_text(v).lower(),
    "toupper": lambda v: to_text(v).upper(),
    "isempty": lambda v: v is None or v == "",
    "isnotempty": lambda v: not (v is None or v == ""),
    "isnull": lambda v: v is None,
    "isnotnull": lambda v: v is not None,
    "strlen": lambda v: len(to_text(v)),
    "tolong": lambda v: _num(v, lambda x: int(float(x))),
    "toint": lambda v: _num(v, lambda x: int(float(x))),
    "todouble": lambda v: _num(v, float),
    "toreal": lambda v: _num(v, float),
    "tobool": lambda v: v if isinstance(v, bool) else (to_text(v).lower() == "true" if v is not None else None),
    "todynamic": lambda v: json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v,
    "not": lambda v: not bool(v),
    "iff": lambda c, a, b: a if c else b,
    "iif": lambda c, a, b: a if c else b,
    "coalesce": lambda *vs: next((v for v in vs if v is not None and v != ""), None),
    "array_length": lambda v: len(v) if isinstance(v, list) else None,
    "strcat": lambda *vs: "".join(to_text(v) for v in vs),
}


def _get(value: Any, key: str | int) -> Any:
    if isinstance(value, dict) and isinstance(key, str):
        if key in value:
            return value[key]
        # ARM property names are case-insensitive in Resource Graph.
        return next((v for k, v in value.items() if k.lower() == key.lower()), None)
    if isinstance(value, list) and isinstance(key, int):
        return value[key] if -len(value) <= key < len(value) else None
    return None


@dataclass
class ExprParser:
    """Recursive-descent parser over one pipe segment's tokens; `names` records the last path for naming."""

    tokens: list[tuple[str, str]]
    pos: int = 0
    names: list[str] = field(default_factory=list)

    def peek(self, offset: int = 0) -> tuple[str, str]:
        """The token `offset` ahead, or an eof marker."""
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else ("eof", "")

    def take(self, text: str | None = None) -> tuple[str, str]:
        """Consume one token (that must be `text`, case-insensitive, when given)."""
        tok = self.peek()
        if tok[0] == "eof" or (text is not None and tok[1].lower() != text):
            raise KqlError(f"expected {text or 'a token'} but found {tok[1] or 'end of query'!r}")
        self.pos += 1
        return tok

    def at(self, *texts: str) -> bool:
        """Whether the next token is one of `texts` (an operator or a word)."""
        return self.peek()[1].lower() in texts and self.peek()[0] in ("op", "word")

    def expr(self) -> Expr:
        """expr := conj ('or' conj)*"""
        left = self.conj()
        while self.at("or"):
            self.take()
            left = (lambda a, b: lambda r: bool(a(r)) or bool(b(r)))(left, self.conj())
        return left

    def conj(self) -> Expr:
        """conj := comparison ('and' comparison)*"""
        left = self.comparison()
        while self.at("and"):
            self.take()
            left = (lambda a, b: lambda r: bool(a(r)) and bool(b(r)))(left, self.comparison())
        return left

    def comparison(self) -> Expr:
        """comparison := primary [(cmp | string op) primary | in-op '(' list ')']"""
        left = self.primary()
        kind, text = self.peek()
        low = text.lower()
        if kind == "op" and low in _CMP_OPS:
            self.take()
            right = self.primary()
            return lambda r: _compare(low, left(r), right(r))
        if low in _STRING_OPS:
            self.take()
            right = self.primary()
            return lambda r: _string_op(low, left(r), right(r))
        if low in ("in", "in~", "!in", "!in~"):
            self.take()
            values = self.arglist()
            ci, negate = low.endswith("~"), low.startswith("!")
            def member(r: Row) -> bool:
                v = to_text(left(r))
                pool = [to_text(x(r)) for x in values]
                hit = v.lower() in [p.lower() for p in pool] if ci else v in pool
                return hit != negate
            return member
        return left

    def arglist(self) -> list[Expr]:
        """'(' [expr (',' expr)*] ')'"""
        self.take("(")
        args: list[Expr] = []
        while not self.at(")"):
            args.append(self.expr())
            if not self.at(")"):
                self.take(",")
        self.take(")")
        return args

    def primary(self) -> Expr:
        """A literal, a parenthesised expression, a function call or a path."""
        kind, text = self.take()
        if kind == "str":
            value: Any = _unquote(text)
            return lambda r: value
        if kind == "num":
            number = float(text) if "." in text else int(text)
            return lambda r: number
        if text == "(":
            inner = self.expr()
            self.take(")")
            return inner
        if text == "-" and self.peek()[0] == "num":
            number = -float(self.take()[1])
            return lambda r: number
        if kind != "word":
            raise KqlError(f"unexpected {text!r}")
        low = text.lower()
        if low in ("true", "false"):
            return lambda r: low == "true"
        if low == "null":
            return lambda r: None
        if self.at("("):
            if low not in FUNCTIONS:
                raise KqlError(f"unsupported function {text}()")
            fn, args = FUNCTIONS[low], self.arglist()
            return lambda r: fn(*[a(r) for a in args])
        return self.path(text)

    def path(self, first: str) -> Expr:
        """first ('.' name | '[' key ']')*, reading into dynamic values."""
        keys: list[str | int] = []
        self.names = [first]
        while self.at(".", "["):
            if self.take()[1] == ".":
                name = self.take()[1]
                keys.append(name)
                self.names.append(name)
            else:
                kind, raw = self.take()
                keys.append(int(raw) if kind == "num" else _unquote(raw))
                self.names.append(str(keys[-1]))
                self.take("]")
        def lookup(r: Row) -> Any:
            value: Any = _get(r, first)
            for key in keys:
                value = _get(value, key)
            return value
        return lookup
