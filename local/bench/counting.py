"""The QPU ledger's table in the bench: in memory, counting the storage transactions it would bill."""

from __future__ import annotations

from typing import Any

from local.memtable import MemoryTable


class CountingTable(MemoryTable):
    """The ledger's table, counting the storage transactions it would bill."""

    def __init__(self) -> None:
        super().__init__()
        self.operations = 0

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Any:
        """Counted read."""
        self.operations += 1
        return super().get_entity(partition_key, row_key, **kwargs)

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any:
        """Counted insert."""
        self.operations += 1
        return super().create_entity(entity, **kwargs)

    def update_entity(self, entity: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """Counted replace."""
        self.operations += 1
        return super().update_entity(entity, *args, **kwargs)
