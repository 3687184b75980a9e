"""Service clients for Caleta's storage account, built from settings with Caleta's identity.

The only place a table is opened. `LazyTable` defers the open (and the create-if-absent) to first use, so
building the services touches nothing and a missing setting fails only the call that needs it.
"""

from __future__ import annotations

import contextlib
import threading
from functools import lru_cache
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode
from azure.storage.blob import BlobServiceClient

from shared.config import get_settings
from shared.identity import caleta_credential


@lru_cache(maxsize=1)
def blob_service() -> BlobServiceClient:
    """The blob service of the configured account (identity-based; no keys anywhere)."""
    return BlobServiceClient(get_settings().blob_endpoint, credential=caleta_credential())


@lru_cache(maxsize=1)
def table_service() -> TableServiceClient:
    """The table service of the configured account (identity-based)."""
    return TableServiceClient(get_settings().table_endpoint, credential=caleta_credential())


def open_table(name: str) -> TableClient:
    """A client for table `name`, created when absent."""
    with contextlib.suppress(ResourceExistsError):
        table_service().create_table(name)
    return table_service().get_table_client(name)


class LazyTable:
    """A `Table` (shared.storage.table) that opens its TableClient on first use, once."""

    def __init__(self, name: str) -> None:
        self.table_name = name
        self._client: TableClient | None = None
        self._lock = threading.Lock()

    def _open(self) -> TableClient:
        with self._lock:
            if self._client is None:
                self._client = open_table(self.table_name)
            return self._client

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Any:
        """TableClient.get_entity."""
        return self._open().get_entity(partition_key, row_key, **kwargs)

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> Any:
        """TableClient.create_entity."""
        return self._open().create_entity(entity, **kwargs)

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = UpdateMode.MERGE, **kwargs: Any) -> Any:
        """TableClient.update_entity."""
        return self._open().update_entity(entity, mode, **kwargs)

    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None:
        """TableClient.delete_entity."""
        self._open().delete_entity(partition_key, row_key, **kwargs)

    def query_entities(self, query_filter: str, **kwargs: Any) -> Any:
        """TableClient.query_entities."""
        return self._open().query_entities(query_filter, **kwargs)

    def submit_transaction(self, operations: Any, **kwargs: Any) -> Any:
        """TableClient.submit_transaction."""
        return self._open().submit_transaction(operations, **kwargs)

    def list_entities(self, **kwargs: Any) -> Any:
        """TableClient.list_entities."""
        return self._open().list_entities(**kwargs)


def reset_clients() -> None:
    """Drop cached clients (after settings change, in tests)."""
    blob_service.cache_clear()
    table_service.cache_clear()
