"""Service clients for Caleta's storage account, built from settings with Caleta's identity."""

from __future__ import annotations

import contextlib
from functools import lru_cache

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient
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


@lru_cache(maxsize=32)
def table(name: str) -> TableClient:
    """A client for table `name`, created on first use."""
    with contextlib.suppress(ResourceExistsError):
        table_service().create_table(name)
    return table_service().get_table_client(name)


def reset_clients() -> None:
    """Drop cached clients (after settings change, in tests)."""
    blob_service.cache_clear()
    table_service.cache_clear()
    table.cache_clear()
