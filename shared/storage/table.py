"""The one table port every store is written against, and the helpers stores share.

`Table` is the part of azure.data.tables.TableClient the stores use; `local.memtable.MemoryTable` implements
the same for tests and the benchmark, and tests/integration/test_table_contract.py runs one suite against both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import UpdateMode

# A Table string property holds at most 32K UTF-16 characters: long text is split across numbered columns.
CHUNK_CHARS = 30_000
MAX_CHUNKS = 30


class Table(Protocol):
    """One table: entities by (PartitionKey, RowKey), ETags on every read, OData filters on queries."""

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Any:
        """One entity (with `.metadata["etag"]`); ResourceNotFoundError when absent."""
        ...

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any:
        """Insert; ResourceExistsError when the key is taken."""
        ...

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = ..., **kwargs: Any) -> Any:
        """Merge or replace; ResourceNotFoundError when absent, ResourceModifiedError on a stale If-Match."""
        ...

    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None:
        """Delete; no error when absent."""
        ...

    def query_entities(self, query_filter: str, **kwargs: Any) -> Any:
        """Entities matching an OData filter (`parameters`, `select`, `results_per_page` as the SDK takes them)."""
        ...

    def submit_transaction(self, operations: Any, **kwargs: Any) -> Any:
        """An entity-group transaction (at most 100 operations, one partition): all or nothing."""
        ...

    def list_entities(self, **kwargs: Any) -> Any:
        """Every entity of the table (`select` as the SDK takes it): the backstop's sweep only."""
        ...


def split_text(prefix: str, text: str) -> dict[str, str]:
    """`text` as columns `{prefix}_0..n` of at most CHUNK_CHARS each; ValueError past MAX_CHUNKS."""
    parts = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]
    if len(parts) > MAX_CHUNKS:
        raise ValueError(f"{prefix} too large to store")
    return {f"{prefix}_{i}": part for i, part in enumerate(parts)}


def join_text(entity: dict[str, Any], prefix: str) -> str:
    """The text split_text stored under `prefix` (empty when there is none)."""
    out, i = [], 0
    while f"{prefix}_{i}" in entity:
        out.append(str(entity[f"{prefix}_{i}"]))
        i += 1
    return "".join(out)


def split_json(prefix: str, value: Any) -> dict[str, str]:
    """A JSON value (compact) split across columns."""
    return split_text(prefix, json.dumps(value, separators=(",", ":")))


def blank_chunks(entity: dict[str, Any], prefixes: Sequence[str]) -> dict[str, str]:
    """Empty every chunk column of `prefixes`, so a shorter value written after it leaves no stale tail."""
    return {key: "" for key in entity if key.startswith(tuple(f"{p}_" for p in prefixes))}


def etag_of(entity: Any) -> str:
    """The ETag the SDK (and the memory table) put in an entity's metadata."""
    return str(getattr(entity, "metadata", {}).get("etag", ""))


def exists(table: Table, partition_key: str, row_key: str) -> bool:
    """True when the entity is there."""
    try:
        table.get_entity(partition_key, row_key)
        return True
    except ResourceNotFoundError:
        return False


def partition_keys(table: Table, partition_key: str) -> list[tuple[str, str]]:
    """The keys of every row of one partition (a purge's unit of deletion)."""
    rows = table.query_entities("PartitionKey eq @pk", parameters={"pk": partition_key},
                                select=["PartitionKey", "RowKey"])
    return [(str(r["PartitionKey"]), str(r["RowKey"])) for r in rows]


def delete_partition(table: Table, partition_key: str) -> int:
    """Delete every row of one partition; how many there were."""
    keys = partition_keys(table, partition_key)
    for pk, rk in keys:
        table.delete_entity(pk, rk)
    return len(keys)


def partition_ids(table: Table) -> set[str]:
    """Every PartitionKey in the table (a full scan, keys only: the daily orphan sweep)."""
    return {str(row["PartitionKey"]) for row in table.list_entities(select=["PartitionKey"])}
