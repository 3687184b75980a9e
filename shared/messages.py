"""The wire schema: the queues (declared once, here) and the versioned messages they carry.

This declaration feeds the app's triggers and the local broker; infra/modules/servicebus.bicep mirrors it and
tests/infra/test_bicep_queues.py keeps the two in step. Messages carry ids and references only, never
customer data or secrets (claim check). Every version of the app reads the message versions of the one before
(docs/pipeline.md, "Versions"): `schema_version` 1 stays readable for good.

Ids are checked in the model, before anything uses them: a message whose customer, scan, request or
subscription id does not have its format (shared/ids.py) is refused as it is read, so a forged `../../x` never
reaches a table key, blob name or query. `message_id()` is the duplicate-detection identity (deterministic);
on the wire it travels only as `opaque_message_id()`, a keyed hash of it, because the Functions host logs every
message id and the natural one names a subscription.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer, model_validator

from shared.auth.hashing import pseudonym
from shared.ids import is_guid, is_hex32, is_scan_id


@dataclass(frozen=True, slots=True)
class QueueSpec:
    """One Service Bus queue and the properties the pipeline relies on."""

    name: str
    max_delivery_count: int
    lock_duration_seconds: int
    duplicate_detection_window_seconds: int
    default_ttl_seconds: int


# Messages live at most two days: well inside the 7-day deletion promise, long enough to ride out an outage.
_TWO_DAYS = 2 * 86400

SCAN_REQUESTS = QueueSpec("scan-requests", max_delivery_count=5, lock_duration_seconds=60,
                          duplicate_detection_window_seconds=600, default_ttl_seconds=_TWO_DAYS)
# Collection can wait minutes on the Cost Management quota; the host renews the lock meanwhile.
COLLECT_TASKS = QueueSpec("collect-tasks", max_delivery_count=5, lock_duration_seconds=300,
                          duplicate_detection_window_seconds=600, default_ttl_seconds=_TWO_DAYS)
ANALYSE = QueueSpec("analyse", max_delivery_count=5, lock_duration_seconds=300,
                    duplicate_detection_window_seconds=600, default_ttl_seconds=_TWO_DAYS)
PURGE = QueueSpec("purge", max_delivery_count=10, lock_duration_seconds=300,
                  duplicate_detection_window_seconds=600, default_ttl_seconds=_TWO_DAYS)

QUEUES: tuple[QueueSpec, ...] = (SCAN_REQUESTS, COLLECT_TASKS, ANALYSE, PURGE)

# Every id field any message carries, and its format; checked on every message type that has the field.
ID_FORMATS: dict[str, Callable[[str], bool]] = {
    "customer_id": is_hex32, "scan_id": is_scan_id, "request_id": is_hex32, "subscription_id": is_guid}
MALFORMED_ID = "malformed "  # the refusal reason's prefix; the field name follows, never the value


class Message(BaseModel):
    """Base of every message: frozen, versioned, tolerant of fields added by a newer sender."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    schema_version: Literal[1] = 1

    QUEUE: ClassVar[str] = ""

    @model_validator(mode="after")
    def _ids_have_their_format(self) -> Message:
        for name, well_formed in ID_FORMATS.items():
            value = getattr(self, name, None)
            if value is not None and not well_formed(value):
                raise ValueError(f"{MALFORMED_ID}{name}")
        return self

    def message_id(self) -> str:
        """A deterministic id, so Service Bus duplicate detection drops a re-send."""
        raise NotImplementedError

    def correlation_id(self) -> str | None:
        """The scan this message belongs to, when there is one."""
        return None


def opaque_message_id(message: Message, key: bytes) -> str:
    """The message id Service Bus sees: HMAC-SHA256 of `message_id()` under the deployment's pseudonym key
    (shared/pseudonyms.py), 32 hex digits - the same message gives the same id, and it names nothing."""
    return pseudonym(key, f"message:{message.message_id()}")


# "cost-config" (issue 17, docs/data-contract.md B1-B3) is new: a version that does not know it cannot read its tasks,
# so an instance of the previous version still reading collect-tasks during a deploy dead-letters them and fails
# their scan (docs/pipeline.md, "Versions that survive a deploy"); messages of the three older sources read as before.
Source = Literal["resource-graph", "cost", "advisor", "cost-config"]
SOURCES: tuple[Source, ...] = ("resource-graph", "cost", "advisor", "cost-config")


class ScanRequested(Message):
    """Command: plan and start a scan that the API or the scheduler has recorded."""

    QUEUE: ClassVar[str] = SCAN_REQUESTS.name
    customer_id: str
    scan_id: str

    def message_id(self) -> str:
        return f"scan:{self.scan_id}"

    def correlation_id(self) -> str | None:
        return self.scan_id


class CollectTask(Message):
    """Command: collect one source for one subscription of a scan, or go on collecting it (a continuation).

    `hop` numbers a task's continuations (0: the planned message; a v1 body has none and means "from the start"):
    each has its own id, since Service Bus drops a repeated id within its duplicate-detection window. A
    continuation is delivered no earlier than `not_before` (a scheduled message); the task's own row holds where it
    stands, so the message carries no progress.
    """

    QUEUE: ClassVar[str] = COLLECT_TASKS.name
    customer_id: str
    scan_id: str
    subscription_id: str
    source: Source
    hop: int = 0
    not_before: dt.datetime | None = None

    @model_serializer(mode="wrap")
    def _v1_when_planned(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A planned task (hop 0, not scheduled) is the exact version 1 body; continuations add their two fields."""
        out: dict[str, Any] = handler(self)
        if self.hop == 0 and self.not_before is None:
            out.pop("hop", None)
            out.pop("not_before", None)
        return out

    def message_id(self) -> str:
        base = f"collect:{self.scan_id}:{self.subscription_id}:{self.source}"
        return base if self.hop == 0 else f"{base}:{self.hop}"

    def correlation_id(self) -> str | None:
        return self.scan_id


class AnalyseScan(Message):
    """Command: analyse a scan whose collection has ended and publish its report."""

    QUEUE: ClassVar[str] = ANALYSE.name
    customer_id: str
    scan_id: str

    def message_id(self) -> str:
        return f"analyse:{self.scan_id}"

    def correlation_id(self) -> str | None:
        return self.scan_id


class PurgeCustomer(Message):
    """Command: delete every byte held about an offboarded customer."""

    QUEUE: ClassVar[str] = PURGE.name
    customer_id: str
    request_id: str

    def message_id(self) -> str:
        return f"purge:{self.customer_id}:{self.request_id}"
