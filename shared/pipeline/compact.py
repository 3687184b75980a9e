"""Cost rows held by column: the same rows the analysis iterates, in a fraction of the memory.

A 100,000-resource estate has about six million daily cost rows. As JSON-decoded lists each row costs about
500 bytes (a list, a float, an int and three freshly allocated strings); held by column it costs about 24:
the cost in an array of doubles, every other column as 4-byte indices into its distinct values (resource
ids, meters, dates and currencies repeat across rows). Iteration rebuilds each row as a list on the fly, so
readers see the same values in the same order.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload


class _Column:
    """One column: doubles when the values are floats, else indices into the distinct values."""

    __slots__ = ("doubles", "exceptions", "indices", "values")

    def __init__(self, items: list[Any]) -> None:
        self.values: list[Any] = []
        self.exceptions: dict[int, Any] = {}
        floats = sum(1 for v in items if type(v) is float)
        if items and floats * 10 >= len(items) * 9:
            # Mostly floats (a cost): a double each; the odd int or null kept aside, exactly as it was.
            self.doubles: array[float] | None = array("d", (v if type(v) is float else 0.0 for v in items))
            self.exceptions = {i: v for i, v in enumerate(items) if type(v) is not float}
            self.indices: array[int] | None = None
            return
        self.doubles = None
        positions: dict[tuple[type, Any], int] = {}
        indices = array("I")
        for value in items:
            key = (type(value), value if _hashable(value) else id(value))
            at = positions.get(key)
            if at is None:
                at = positions[key] = len(self.values)
                self.values.append(value)
            indices.append(at)
        self.indices = indices

    def iterate(self) -> Iterator[Any]:
        """The column's values in row order."""
        if self.doubles is not None:
            if not self.exceptions:
                return iter(self.doubles)
            return (self.exceptions.get(i, v) for i, v in enumerate(self.doubles))
        assert self.indices is not None
        return map(self.values.__getitem__, self.indices)

    def at(self, position: int) -> Any:
        """One value."""
        if self.doubles is not None:
            return self.exceptions.get(position, self.doubles[position])
        assert self.indices is not None
        return self.values[self.indices[position]]


def _hashable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None)))


class ColumnarRows(Sequence[list[Any]]):
    """A read-only sequence of equal-length rows stored by column; iterating yields fresh lists."""

    def __init__(self, rows: list[list[Any]]) -> None:
        width = len(rows[0]) if rows else 0
        if any(len(r) != width for r in rows):
            raise ValueError("rows of different lengths cannot be stored by column")
        self._length = len(rows)
        self._columns = [_Column([r[j] for r in rows]) for j in range(width)]

    def __len__(self) -> int:
        return self._length

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


def compact_cost_data(data: dict[str, Any]) -> dict[str, Any]:
    """The cost envelope's data with its rows held by column (a new dict; everything else shared)."""
    rows = data.get("rows")
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        return data
    try:
        return {**data, "rows": ColumnarRows(rows)}
    except ValueError:
        return data  # ragged rows: leave them as they came, the analysis reads them by name anyway
