"""Cost rows held by column: the same rows the analysis iterates, in a fraction of the memory.

A 100,000-resource estate has about six million daily cost rows. As JSON-decoded lists each row costs about
500 bytes (a list, a float, an int and three freshly allocated strings); held by column it costs about 24:
the cost in an array of doubles, every other column as 4-byte indices into its distinct values (resource
ids, meters, dates and currencies repeat across rows). Iteration rebuilds each row as a list on the fly, so
readers see the same values in the same order. Layout 2's sections are held the same way, their distinct strings
shared across sections and subscriptions (a resource id is in six of them): on a 100,000-resource estate
without `resource_days`, 170 MB of rows as lists come down to about 40.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload

_SIMPLE = (str, int, float, bool, type(None))


class _Column:
    """One column: doubles when every value is a float, else indices into the distinct values (each distinct string
    taken from `strings` when an equal one is already there)."""

    __slots__ = ("doubles", "indices", "values")

    def __init__(self, items: Sequence[Any], strings: dict[str, str]) -> None:
        # Every pass below runs in C (set/map/dict.fromkeys/array): six million rows must load in seconds.
        kinds = set(map(type, items))
        self.values: list[Any] = []
        self.doubles: array[float] | None = None
        self.indices: array[int] | None = None
        if kinds == {float}:
            self.doubles = array("d", items)
        elif len(kinds) == 1 and kinds <= set(_SIMPLE):
            # One type: equal values are interchangeable, so the distinct values can stand for every row.
            self.values = list(dict.fromkeys(items))
            position = {value: at for at, value in enumerate(self.values)}
            self.indices = array("I", map(position.__getitem__, items))
            if kinds == {str}:
                self.values = [strings.setdefault(value, value) for value in self.values]
        else:
            self._mixed(items, strings)

    def _mixed(self, items: Sequence[Any], strings: dict[str, str]) -> None:
        """Mixed types (0 next to 0.5, None next to text): keep each value's own type by keying on it."""
        positions: dict[tuple[type, Any], int] = {}
        indices = array("I")
        for value in items:
            key = (type(value), value if isinstance(value, _SIMPLE) else id(value))
            at = positions.get(key)
            if at is None:
                at = positions[key] = len(self.values)
                self.values.append(strings.setdefault(value, value) if type(value) is str else value)
            indices.append(at)
        self.indices = indices

    def iterate(self) -> Iterator[Any]:
        """The column's values in row order."""
        if self.doubles is not None:
            return iter(self.doubles)
        assert self.indices is not None
        return map(self.values.__getitem__, self.indices)

    def at(self, position: int) -> Any:
        """One value."""
        if self.doubles is not None:
            return self.doubles[position]
        assert self.indices is not None
        return self.values[self.indices[position]]


class ColumnarRows(Sequence[list[Any]]):
    """A read-only sequence of equal-length rows stored by column; iterating yields fresh lists. `strings` (one
    per scan) lends equal strings to every column that holds one."""

    def __init__(self, rows: list[list[Any]], strings: dict[str, str] | None = None) -> None:
        if len(set(map(len, rows))) > 1:
            raise ValueError("rows of different lengths cannot be stored by column")
        self._length = len(rows)
        shared = {} if strings is None else strings
        self._columns = [_Column(column, shared) for column in zip(*rows, strict=True)]

    def __len__(self) -> int:
        return self._length

    def column(self, index: int) -> Iterator[Any]:
        """One column's values in row order, without building the rows (the analysis's hot loop reads four)."""
        return self._columns[index].iterate()

    def __iter__(self) -> Iterator[list[Any]]:
        return map(list, zip(*(c.iterate() for c in self._columns), strict=True)) if self._columns else iter(())

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[list[Any]]: ...

    def __getitem__(self, index: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("row index out of range")
        return [c.at(index) for c in self._columns]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=False))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def compact_cost_data(data: dict[str, Any], strings: dict[str, str] | None = None) -> dict[str, Any]:
    """The cost envelope's data with its rows held by column (a new dict; everything else shared); in layout 2,
    the rows of every section. `strings` (one per scan) shares equal strings across sections and envelopes."""
    shared = {} if strings is None else strings
    sections = data.get("sections")
    if data.get("layout") == 2 and isinstance(sections, dict):
        return {**data, "sections": {name: compact_cost_data(part, shared) if isinstance(part, dict) else part
                                     for name, part in sections.items()}}
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        return data
    try:
        return {**data, "rows": ColumnarRows(rows, shared)}
    except ValueError:
        return data  # ragged rows: leave them as they came, the analysis reads them by name anyway
