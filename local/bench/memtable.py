"""An in-memory stand-in for the one Table row per tenant the Cost Management QPU ledger keeps.

The bench runs collection without Azurite; the ledger's ETag discipline still holds (a stale ETag is refused),
so concurrent collector threads share one budget exactly as function instances share the real table.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode


class _Entity(dict[str, Any]):
    """A row with the `metadata` (etag) the SDK's TableEntity carries."""

    metadata: dict[str, Any]


class MemoryTable:
    """get/create/update (with If-Match) over a dict; enough for QpuLedger."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        self._lock = threading.Lock()
        self._etags = itertools.count(1)

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Any:
        """The row and its etag, or ResourceNotFoundError."""
        with self._lock:
            found = self._rows.get((partition_key, row_key))
        if found is None:
            raise ResourceNotFoundError("not found")
        entity = _Entity(found[0])
        entity.metadata = {"etag": found[1]}
        return entity

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any:
        """Insert; ResourceExistsError when the row is there already."""
        key = (str(entity["PartitionKey"]), str(entity["RowKey"]))
        with self._lock:
            if key in self._rows:
                raise ResourceExistsError("exists")
            self._rows[key] = (dict(entity), f"e{next(self._etags)}")
        return {}

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = UpdateMode.MERGE, **kwargs: Any) -> Any:
        """Replace the row; ResourceModifiedError when an etag is given and is stale."""
        key = (str(entity["PartitionKey"]), str(entity["RowKey"]))
        with self._lock:
            current = self._rows.get(key)
            if current is None:
                raise ResourceNotFoundError("not found")
            if kwargs.get("etag") is not None and kwargs["etag"] != current[1]:
                raise ResourceModifiedError("etag mismatch")
            base = {} if mode == UpdateMode.REPLACE else current[0]
            self._rows[key] = ({**base, **entity}, f"e{next(self._etags)}")
        return {}

    def query_entities(self, query_filter: str, **kwargs: Any) -> Any:
        """Not used by the ledger."""
        raise NotImplementedError("MemoryTable serves the QPU ledger only")

    def submit_transaction(self, operations: Any, **kwargs: Any) -> Any:
        """Not used by the ledger."""
        raise NotImplementedError("MemoryTable serves the QPU ledger only")
