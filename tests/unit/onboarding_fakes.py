"""Fakes for the onboarding tests: an in-memory table, secret store and principal probe."""

from __future__ import annotations

import copy
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.errors import NotFound


class FakeTable:
    """Just enough of TableClient: entities by (PartitionKey, RowKey)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], dict[str, Any]] = {}

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return copy.deepcopy(self.rows[(partition_key, row_key)])
        except KeyError:
            raise ResourceNotFoundError("not found") from None

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> None:
        key = (entity["PartitionKey"], entity["RowKey"])
        if key in self.rows:
            raise ResourceExistsError("exists")
        self.rows[key] = copy.deepcopy(entity)

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = UpdateMode.MERGE, **kwargs: Any) -> None:
        key = (entity["PartitionKey"], entity["RowKey"])
        if key not in self.rows:
            raise ResourceNotFoundError("not found")
        if mode == UpdateMode.REPLACE:
            self.rows[key] = copy.deepcopy(entity)
        else:
            self.rows[key].update(copy.deepcopy(entity))

    def delete_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> None:
        self.rows.pop((partition_key, row_key), None)


class FakeSecretStore:
    """Secrets in a dict, with the deleted ones remembered until purged."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def get(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError:
            raise NotFound("no such secret") from None

    def delete(self, name: str) -> None:
        self.values.pop(name, None)

    def exists(self, name: str) -> bool:
        return name in self.values
