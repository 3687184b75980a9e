"""Fakes for the pipeline's ports: a Table with real ETag semantics, blobs, customers, a recording bus."""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import UpdateMode

from shared.analysis import ReportBundle, ScanInputs
from shared.errors import NotFound
from shared.messages import Message
from shared.pipeline.deps import Collected, CollectRequest, Pipeline
from shared.storage.scans import ScanStore


class Entity(dict[str, Any]):
    """A stored entity with its metadata (etag), as azure-data-tables returns it."""

    metadata: dict[str, Any]


_TOKEN = re.compile(r"\s*('(?:[^']|'')*'|@\w+|\(|\)|\w+)")


class _Filter:
    """The OData subset the product uses: `prop eq value` joined by and/or, with parentheses."""

    def __init__(self, text: str, params: dict[str, Any]) -> None:
        self.tokens: list[str] = [str(t) for t in _TOKEN.findall(text) if t.strip()]
        self.params, self.pos = params, 0

    def _next(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Any:
        node = self._or()
        assert self.pos == len(self.tokens), "trailing tokens in filter"
        return node

    def _or(self) -> Any:
        node = self._and()
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "or":
            self.pos += 1
            left, right = node, self._and()
            node = lambda e, a=left, b=right: a(e) or b(e)  # noqa: E731
        return node

    def _and(self) -> Any:
        node = self._atom()
        while self.pos < len(self.tokens) and self.tokens[self.pos] == "and":
            self.pos += 1
            left, right = node, self._atom()
            node = lambda e, a=left, b=right: a(e) and b(e)  # noqa: E731
        return node

    def _atom(self) -> Any:
        if self.tokens[self.pos] == "(":
            self.pos += 1
            node = self._or()
            assert self._next() == ")"
            return node
        name, op, raw = self._next(), self._next(), self._next()
        assert op == "eq", f"unsupported operator {op}"
        value = self.params[raw[1:]] if raw.startswith("@") else raw[1:-1].replace("''", "'")
        return lambda e: e.get(name) == value


class FakeTable:
    """An in-memory Table: create/get/update/upsert/query with ETags, 409 and 412 like the service."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Entity] = {}
        self.lock = threading.RLock()
        self.before_update: list[Any] = []  # hooks run inside update_entity before the ETag check (races)

    def _store(self, entity: dict[str, Any]) -> dict[str, Any]:
        stored = Entity(entity)
        stored.metadata = {"etag": uuid.uuid4().hex}
        self.rows[(entity["PartitionKey"], entity["RowKey"])] = stored
        return {"etag": stored.metadata["etag"]}

    def _copy(self, entity: Entity) -> Entity:
        out = Entity(entity)
        out.metadata = dict(entity.metadata)
        return out

    def create_entity(self, entity: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        with self.lock:
            if (entity["PartitionKey"], entity["RowKey"]) in self.rows:
                raise ResourceExistsError("exists")
            return self._store(entity)

    def get_entity(self, partition_key: str, row_key: str, **kwargs: Any) -> Entity:
        with self.lock:
            if (partition_key, row_key) not in self.rows:
                raise ResourceNotFoundError("not found")
            return self._copy(self.rows[(partition_key, row_key)])

    def update_entity(self, entity: dict[str, Any], mode: UpdateMode = UpdateMode.MERGE, *,
                      etag: str | None = None, match_condition: MatchConditions | None = None,
                      **kwargs: Any) -> dict[str, Any]:
        for hook in list(self.before_update):
            hook(entity)
        with self.lock:
            key = (entity["PartitionKey"], entity["RowKey"])
            if key not in self.rows:
                raise ResourceNotFoundError("not found")
            current = self.rows[key]
            if match_condition == MatchConditions.IfNotModified and current.metadata["etag"] != etag:
                raise ResourceModifiedError("412 precondition failed")
            merged = {**current, **entity} if mode == UpdateMode.MERGE else dict(entity)
            return self._store(merged)

    def submit_transaction(self, operations: list[tuple[str, dict[str, Any]]], **kwargs: Any) -> list[Any]:
        """All-or-nothing creates, like an entity-group transaction (only "create" is modelled)."""
        with self.lock:
            assert len(operations) <= 100 and len({e["PartitionKey"] for _, e in operations}) == 1
            if any((e["PartitionKey"], e["RowKey"]) in self.rows for _, e in operations):
                raise ResourceExistsError("a row of the batch exists")
            return [self.create_entity(e) for kind, e in operations if kind == "create"]

    def query_entities(self, query_filter: str, *, parameters: dict[str, Any] | None = None,
                       **kwargs: Any) -> list[Entity]:
        predicate = _Filter(query_filter, parameters or {}).parse()
        with self.lock:
            return [self._copy(e) for _, e in sorted(self.rows.items()) if predicate(e)]


class FakeBlobs:
    """One customer's blobs in memory; `store` is shared by every instance (one account)."""

    def __init__(self, customer_id: str, store: dict[tuple[str, str], bytes]) -> None:
        self.customer_id, self.store = customer_id, store

    def put_raw(self, scan_id: str, subscription_id: str, source: str, data: bytes) -> str:
        name = f"raw/{scan_id}/{subscription_id}/{source}.json.gz"
        self.store[(self.customer_id, name)] = data
        return name

    def get_raw(self, scan_id: str, subscription_id: str, source: str) -> bytes:
        try:
            return self.store[(self.customer_id, f"raw/{scan_id}/{subscription_id}/{source}.json.gz")]
        except KeyError:
            raise NotFound("blob") from None

    def put_report(self, scan_id: str, name: str, data: bytes, content_type: str) -> str:
        self.store[(self.customer_id, f"reports/{scan_id}/{name}")] = data
        return name


@dataclass(frozen=True)
class FakeCustomer:
    """A customer record with just what the pipeline reads."""

    customer_id: str
    company: str = "Example Ltd"
    tenant_id: str = "11111111-1111-1111-1111-111111111111"
    subscription_ids: tuple[str, ...] = ("aaaaaaaa-0000-0000-0000-000000000001",)
    state: str = "active"


class FakeCustomers:
    """Customers in a dict; records every state change."""

    def __init__(self, *customers: FakeCustomer) -> None:
        self.by_id = {c.customer_id: c for c in customers}
        self.changes: list[tuple[str, str, str | None]] = []

    def get(self, customer_id: str) -> FakeCustomer:
        if customer_id not in self.by_id:
            raise NotFound("customer")
        return self.by_id[customer_id]

    def set_state(self, customer_id: str, state: str, reason: str | None) -> None:
        self.changes.append((customer_id, state, reason))
        self.by_id[customer_id] = replace(self.by_id[customer_id], state=state)


class RecordingBus:
    """Publishes into a list (thread-safe)."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self._lock = threading.Lock()

    def __call__(self, *messages: Message) -> None:
        with self._lock:
            self.sent.extend(messages)

    def of(self, kind: type[Message]) -> list[Message]:
        return [m for m in self.sent if isinstance(m, kind)]


@dataclass
class FakeCollector:
    """Returns fixed data per source and counts calls; `fail` raises the given exception instead."""

    rows: int = 2
    fail: Exception | None = None
    calls: list[CollectRequest] = field(default_factory=list)

    def __call__(self, request: CollectRequest) -> Collected:
        self.calls.append(request)
        if self.fail is not None:
            raise self.fail
        return Collected(data={"rows": list(range(self.rows))}, row_count=self.rows, api_versions={"fake": "1"})


class FakeAnalysis:
    """Records every ScanInputs it is given and renders a tiny report from them."""

    def __init__(self) -> None:
        self.inputs: list[Any] = []

    def __call__(self, inputs: ScanInputs) -> ReportBundle:
        self.inputs.append(inputs)
        counts = {s.subscription_id: sorted(s.raw) for s in inputs.subscriptions}
        return ReportBundle(report_json=repr((inputs.generated_at.isoformat(), counts)).encode(),
                            report_html=b"<html></html>", findings_csv=b"id\n", findings_count=0,
                            total_monthly_savings=0.0, currency="GBP", narrative_source="deterministic")


class Clock:
    """A settable clock."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class World:
    """A pipeline over fakes, and handles on every fake."""

    pipeline: Pipeline
    table: FakeTable
    bus: RecordingBus
    blobs: dict[tuple[str, str], bytes]
    customers: FakeCustomers
    collectors: dict[str, FakeCollector]
    analysis: FakeAnalysis
    clock: Clock


CUSTOMER_ID = "0123456789abcdef0123456789abcdef"


def make_world(*subscriptions: str, state: str = "active") -> World:
    """A pipeline over fakes with one customer owning `subscriptions`."""
    subs = subscriptions or ("aaaaaaaa-0000-0000-0000-000000000001",)
    table, bus, store, clock = FakeTable(), RecordingBus(), {}, Clock()  # type: ignore[var-annotated]
    customers = FakeCustomers(FakeCustomer(CUSTOMER_ID, subscription_ids=subs, state=state))
    collectors = {s: FakeCollector() for s in ("resource-graph", "cost", "advisor")}
    analysis = FakeAnalysis()
    pipeline = Pipeline(scans=ScanStore(table, clock=clock), publish=bus,
                        blobs=lambda cid: FakeBlobs(cid, store), customers=customers,
                        credential_for=lambda customer: None,  # type: ignore[arg-type,return-value]
                        collectors=collectors, analyse=analysis, clock=clock)
    return World(pipeline, table, bus, store, customers, collectors, analysis, clock)
