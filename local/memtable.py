"""An in-memory Azure Table: the `Table` port (shared/storage/table.py) without Azurite.

The one table fake of the repository: unit tests run every store on it, and the benchmark runs the Cost
Management QPU ledger on it. It keeps the service's semantics the stores rely on: 409 on a taken key, an
ETag per write and 412 on a stale If-Match, MERGE and REPLACE, idempotent deletes, all-or-nothing
entity-group transactions, `select`, and the OData subset the product queries with (`eq` joined by `and`/`or`,
parentheses, `@name` parameters). tests/integration/test_table_contract.py runs the same cases here and on
Azurite, so the two cannot drift. It lives in local/ (Azure on one machine), never in the function app.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from collections.abc import Callable
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

MAX_TRANSACTION = 100  # operations per entity-group transaction (Azure Table storage limit)
_TOKEN = re.compile(r"\s*('(?:[^']|'')*'|@\w+|\(|\)|\w+)")


class Entity(dict[str, Any]):
    """A stored entity with its `metadata` (etag), as azure-data-tables returns it."""

    metadata: dict[str, Any]


Predicate = Callable[[dict[str, Any]], bool]


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda entity: left(entity) or right(entity)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda entity: left(entity) and right(entity)


class _Filter:
    """Parses the OData subset: `prop eq value` joined by and/or, with parentheses; anything else raises."""

    def __init__(self, text: str, params: dict[str, Any]) -> None:
        self.tokens: list[str] = [str(t) for t in _TOKEN.findall(text) if t.strip()]
        self.params, self.pos = params, 0

    def _next(self) -> str:
        if self.pos >= len(self.tokens):
            raise ValueError("filter ends early")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Predicate:
        node = self._or()
        if self.pos != len(self.tokens):
            raise ValueError("trailing tokens in filter")
        return node

    def _or(self) -> Predicate:
        node = self._and()
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "or":
            self.pos += 1
            node = _either(node, self._and())
        return node

    def _and(self) -> Predicate:
        node = self._atom()
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "and":
            self.pos += 1
            node = _both(node, self._atom())
        return node

    def _atom(self) -> Predicate:
        if self.tokens[self.pos] == "(":
            self.pos += 1
            node = self._or()
            if self._next() != ")":
                raise ValueError("unbalanced parentheses in filter")
            return node
        name, op, raw = self._next(), self._next(), self._next()
        if op != "eq":
            raise ValueError(f"operator {op!r} is not modelled by the memory table")
        value = self.params[raw[1:]] if raw.startswith("@") else raw[1:-1].replace("''", "'")
        return lambda e: e.get(name) == value


class MemoryTable:
    """One table in memory, thread-safe; `rows` is open to assertions, `before_update` to race hooks."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Entity] = {}
        self.lock = threading.RLock()
        self.before_update: list[Callable[[dict[str, Any]], None]] = []  # run before the ETag check
        self._etags = itertools.count(1)

    def _store(self, entity: dict[str, Any]) -> dict[str, Any]:
        stored = Entity(copy.deepcopy(entity))
        stored.metadata = {"etag": f'W/"{next(self._etags)}"'}
        self.rows[(str(entity["PartitionKey"]), str(entity["RowKey"]))] = stored
        return {"etag": stored.metadata["etag"]}

    @staticmethod
    def _copy(entity: Entity, select: list[str] | None = None) -> Entity:
        out = Entity({k: copy.deepcopy(v) for k, v in entity.items() if select is None or k in select})
        out.metadata = dict(entity.metadata)
        return out

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        """Insert; ResourceExistsError when the key is taken."""
        with self.lock:
            if (str(entity["PartitionKey"]), str(entity["RowKey"])) in self.rows:
                raise ResourceExistsError("The specified entity already exists.")
            return self._store(entity)

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Entity:
        """One entity with its etag; ResourceNotFoundError when absent."""
        with self.lock:
            if (partition_key, row_key) not in self.rows:
                raise ResourceNotFoundError("The specified resource does not exist.")
            return self._copy(self.rows[(partition_key, row_key)], kwargs.get("select"))

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = UpdateMode.MERGE, *,
                      etag: str | None = None, match_condition: MatchConditions | None = None,
                      **kwargs: Any) -> dict[str, Any]:
        """Merge or replace; ResourceNotFoundError when absent, ResourceModifiedError on a stale If-Match."""
        for hook in list(self.before_update):
            hook(entity)
        with self.lock:
            key = (str(entity["PartitionKey"]), str(entity["RowKey"]))
            if key not in self.rows:
                raise ResourceNotFoundError("The specified resource does not exist.")
            current = self.rows[key]
            if match_condition == MatchConditions.IfNotModified and current.metadata["etag"] != etag:
                raise ResourceModifiedError("The update condition specified in the request was not satisfied.")
            merged = {**current, **entity} if mode == UpdateMode.MERGE else dict(entity)
            return self._store(merged)

    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None:
        """Delete; no error when absent (the SDK swallows the 404)."""
        with self.lock:
            self.rows.pop((partition_key, row_key), None)

    def query_entities(self, query_filter: str, *, parameters: dict[str, Any] | None = None,
                       select: list[str] | None = None, **kwargs: Any) -> list[Entity]:
        """Entities matching the filter, in key order (as the service returns them)."""
        predicate = _Filter(query_filter, parameters or {}).parse()
        with self.lock:
            return [self._copy(e, select) for _, e in sorted(self.rows.items()) if predicate(e)]

    def list_entities(self, **kwargs: Any) -> list[Entity]:
        """Every entity, in key order."""
        with self.lock:
            return [self._copy(e, kwargs.get("select")) for _, e in sorted(self.rows.items())]

    def submit_transaction(self, operations: list[tuple[str, dict[str, Any]]], **kwargs: Any) -> list[Any]:
        """All-or-nothing creates in one partition, at most 100; TableTransactionError when any row exists."""
        if len({str(e["PartitionKey"]) for _, e in operations}) > 1:
            # The SDK refuses this itself, before any request (azure.data.tables._table_batch).
            raise ValueError("Partition Keys in the batch must all be the same.")
        with self.lock:
            if len(operations) > MAX_TRANSACTION:
                raise TableTransactionError(message="0:The batch request operation exceeds the maximum 100 changes.")
            if any(kind != "create" for kind, _ in operations):
                raise NotImplementedError("the memory table models create transactions only")
            for index, (_, entity) in enumerate(operations):
                if (str(entity["PartitionKey"]), str(entity["RowKey"])) in self.rows:
                    raise TableTransactionError(message=f"{index}:The specified entity already exists.")
            return [self._store(entity) for _, entity in operations]

    def partition(self, key: str) -> list[dict[str, Any]]:
        """Rows of one partition, in key order (assertions)."""
        with self.lock:
            return [dict(v) for (pk, _), v in sorted(self.rows.items()) if pk == key]
