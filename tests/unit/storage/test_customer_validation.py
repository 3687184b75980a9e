"""The customer row keeps a 1,000-subscription validation within Table's limits (first-deploy audit M6), counted
as Table counts it (UTF-16, per-property overhead), through the memory table the stores run on."""

from __future__ import annotations

import json
from typing import Any

from local.memtable import MemoryTable
from shared.deadline import Deadline
from shared.pipeline.principal_roles import CONTRIBUTOR, COST_MANAGEMENT_READER, READER
from shared.pipeline.validate_principal import validate_principal
from shared.storage.customer_validation import (
    TABLE_ENTITY_MAX_BYTES,
    VALIDATION_MAX_CHARS,
    entity_bytes,
    pack_validation,
    unpack_validation,
    within_table_limits,
)
from shared.storage.customers import CustomerStore
from shared.storage.table import split_json
from tests.unit.fakes import CUSTOMER_ID, OID, FakeProbe, a_customer


def big_validation(count: int = 1000) -> dict[str, Any]:
    """Half readable (Contributor and Reader: excess notes, an EA offer), half not visible (long notes)."""
    probe = FakeProbe()
    subs = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(count)]
    for i, sub in enumerate(subs[: count // 2]):
        probe.add_subscription(sub, quota_id="EnterpriseAgreement_2014-09-01")
        probe.containers[sub]["name"] = f"Production workload subscription number {i:05d} for the finance team"
        for role in (READER, COST_MANAGEMENT_READER, CONTRIBUTOR):
            probe.assign(role, f"/subscriptions/{sub}")
    return validate_principal(probe, OID, subs, deadline=Deadline.within(600.0)).model_dump(mode="json")


def stored_row(store: CustomerStore, table: MemoryTable) -> dict[str, Any]:
    return dict(table.rows[("customer", CUSTOMER_ID)])


def test_thousand_subscriptions_with_notes_fit_one_entity_when_created_and_updated() -> None:
    # given
    validation = big_validation()
    plain = json.dumps(validation, separators=(",", ":"))
    table = MemoryTable()
    store = CustomerStore(table)
    subs = tuple(s["subscription_id"] for s in validation["subscriptions"])
    # when
    store.create(a_customer(subscriptions=subs, validation=validation), "k" * 43)
    created = stored_row(store, table)
    store.update_validation(CUSTOMER_ID, validation, subs)
    updated = stored_row(store, table)
    # then: stored as plain JSON (before M6) the row would be over 1 MiB; packed it is well under, and reads back
    unpacked_row = {k: v for k, v in created.items() if not k.startswith("validation_")}
    unpacked_row.update(split_json("validation", validation))
    assert entity_bytes(unpacked_row) > TABLE_ENTITY_MAX_BYTES
    for row in (created, updated):
        assert within_table_limits(row), entity_bytes(row)
    assert entity_bytes(created) < 900_000
    assert store.get(CUSTOMER_ID).validation == validation
    print(f"\n1,000 subscriptions: row {entity_bytes(unpacked_row):,} B with plain JSON, {entity_bytes(created):,} B "
          f"packed ({len(plain):,} characters of JSON)")


def test_details_are_dropped_but_ids_and_statuses_kept_when_even_packed_it_is_too_large() -> None:
    # given: display names far longer than Azure allows, so packing alone cannot fit
    validation = big_validation()
    for sub in validation["subscriptions"]:
        sub["display_name"] = "x" * 2000
    # when
    text = pack_validation(validation)
    back = unpack_validation(text)
    # then
    assert len(text) <= VALIDATION_MAX_CHARS
    assert [(s["subscription_id"], s["status"]) for s in back["subscriptions"]] == [
        (s["subscription_id"], s["status"]) for s in validation["subscriptions"]]
    assert back["subscriptions"][0] == validation["subscriptions"][0]  # the first ones keep every detail
    assert json.loads(text)["details_dropped"] > 0


def test_entity_size_counts_utf16_and_overheads_when_measured() -> None:
    # 4 + 2*(1+1) keys; property "a" (8 + 2) with "é" (4 + 2) and "b" (8 + 2) with an emoji (4 + 2*2 units)
    assert entity_bytes({"PartitionKey": "p", "RowKey": "r", "a": "é", "b": "\U0001f600"}) == 8 + 16 + 18
    assert entity_bytes({"PartitionKey": "p", "RowKey": "r", "n": 1, "f": True}) == 8 + 14 + 11
    assert not within_table_limits({"PartitionKey": "p", "RowKey": "r", "a": "x" * 40_000})


def test_a_row_stored_before_packing_is_read_when_its_validation_is_plain_json() -> None:
    table = MemoryTable()
    store = CustomerStore(table)
    store.create(a_customer(validation={"validated_at": "t", "subscriptions": []}), "k" * 43)
    table.rows[("customer", CUSTOMER_ID)]["validation_0"] = json.dumps({"validated_at": "old", "subscriptions": [
        {"subscription_id": "s", "ok": True, "notes": ["n"]}]})
    assert store.get(CUSTOMER_ID).validation["subscriptions"][0]["notes"] == ["n"]
