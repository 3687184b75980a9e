"""One contract, two tables: the same ETag, batch and OData cases on local.memtable.MemoryTable and on Azurite.

The memory table stands in for Table storage in every unit test and in the benchmark; this suite keeps it
honest (STYLE §25). Each case gets a fresh table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableServiceClient, TableTransactionError, UpdateMode

from local.certs import CertPaths
from local.memtable import MemoryTable
from tests.tokens import UnsignedToken

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(params=["memory", "azurite"])
def table(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh, empty table of either kind."""
    if request.param == "memory":
        yield MemoryTable()
        return
    azurite, certs = request.getfixturevalue("azurite"), request.getfixturevalue("certs")
    assert isinstance(certs, CertPaths)
    service = TableServiceClient(azurite.table_endpoint, credential=UnsignedToken(),
                                 connection_verify=str(certs.bundle))
    name = f"contract{uuid.uuid4().hex[:12]}"
    client = service.create_table(name)
    try:
        yield client
    finally:
        service.delete_table(name)


def row(pk: str = "p", rk: str = "r", **props: Any) -> dict[str, Any]:
    return {"PartitionKey": pk, "RowKey": rk, **props}


# --- keys and ETags ---------------------------------------------------------------------------------

def test_a_taken_key_is_refused_when_created_twice(table: Any) -> None:
    table.create_entity(row(x=1))
    with pytest.raises(ResourceExistsError):
        table.create_entity(row(x=2))
    assert table.get_entity("p", "r")["x"] == 1


def test_a_missing_entity_is_not_found_when_read_or_updated(table: Any) -> None:
    with pytest.raises(ResourceNotFoundError):
        table.get_entity("p", "missing")
    with pytest.raises(ResourceNotFoundError):
        table.update_entity(row("p", "missing", x=1), UpdateMode.MERGE)


def test_a_stale_etag_is_refused_and_the_current_one_accepted_when_updating(table: Any) -> None:
    # given: two readers of the same version
    table.create_entity(row(n=0))
    first, second = table.get_entity("p", "r"), table.get_entity("p", "r")
    etag = first.metadata["etag"]
    # when: the first writes under If-Match
    table.update_entity(row(n=1), UpdateMode.MERGE, etag=etag, match_condition=MatchConditions.IfNotModified)
    # then: the second, still holding the old ETag, is refused; the row has a new ETag
    with pytest.raises(ResourceModifiedError):
        table.update_entity(row(n=2), UpdateMode.MERGE, etag=second.metadata["etag"],
                            match_condition=MatchConditions.IfNotModified)
    current = table.get_entity("p", "r")
    assert current["n"] == 1 and current.metadata["etag"] != etag


def test_merge_keeps_other_properties_and_replace_drops_them_when_updating(table: Any) -> None:
    table.create_entity(row(a=1, b=2))
    table.update_entity(row(b=3), UpdateMode.MERGE)
    assert (table.get_entity("p", "r")["a"], table.get_entity("p", "r")["b"]) == (1, 3)
    table.update_entity(row(c=4), UpdateMode.REPLACE)
    replaced = table.get_entity("p", "r")
    assert "a" not in replaced and "b" not in replaced and replaced["c"] == 4


def test_deleting_is_idempotent_when_the_entity_is_gone(table: Any) -> None:
    table.create_entity(row())
    table.delete_entity("p", "r")
    table.delete_entity("p", "r")
    with pytest.raises(ResourceNotFoundError):
        table.get_entity("p", "r")


def test_values_round_trip_when_stored(table: Any) -> None:
    when = dt.datetime(2026, 11, 27, 12, 0, 1, tzinfo=dt.UTC)
    table.create_entity(row(text="It's 'quoted'", number=3, ratio=0.5, flag=True, at=when))
    got = table.get_entity("p", "r")
    assert (got["text"], got["number"], got["ratio"], got["flag"]) == ("It's 'quoted'", 3, 0.5, True)
    assert got["at"] == when


# --- entity-group transactions -----------------------------------------------------------------------

def test_a_hundred_creates_land_together_when_batched(table: Any) -> None:
    table.submit_transaction([("create", row("p", f"r{i:03d}", i=i)) for i in range(100)])
    assert len(list(table.query_entities("PartitionKey eq @pk", parameters={"pk": "p"}))) == 100


def test_a_batch_changes_nothing_when_one_of_its_rows_exists(table: Any) -> None:
    table.create_entity(row("p", "r001"))
    with pytest.raises(TableTransactionError):
        table.submit_transaction([("create", row("p", f"r{i:03d}")) for i in range(5)])
    assert [e["RowKey"] for e in table.query_entities("PartitionKey eq @pk", parameters={"pk": "p"})] == ["r001"]


def test_a_batch_over_two_partitions_is_refused_before_it_is_sent(table: Any) -> None:
    with pytest.raises(ValueError, match="Partition Keys"):
        table.submit_transaction([("create", row("p1", "r")), ("create", row("p2", "r"))])
    assert list(table.query_entities("RowKey eq @rk", parameters={"rk": "r"})) == []


# --- OData queries ------------------------------------------------------------------------------------

def seed_scans(table: Any) -> None:
    for pk, rk, kind, status, outcome in (("c1", "s1", "scan", "collecting", None), ("c1", "s1~a~cost", "task",
                                          None, "pending"), ("c1", "s1~a~advisor", "task", None, "succeeded"),
                                          ("c1", "s0", "scan", "complete", None), ("c2", "s9", "scan", "queued",
                                          None)):
        props: dict[str, Any] = {"kind": kind, "scan_id": rk.split("~")[0]}
        props.update({"status": status} if status else {"outcome": outcome})
        table.create_entity(row(pk, rk, **props))


def keys(entities: Any) -> list[tuple[str, str]]:
    return [(str(e["PartitionKey"]), str(e["RowKey"])) for e in entities]


def test_parameters_select_a_partition_in_key_order_when_queried(table: Any) -> None:
    seed_scans(table)
    found = keys(table.query_entities("PartitionKey eq @pk", parameters={"pk": "c1"}))
    assert found == [("c1", "s0"), ("c1", "s1"), ("c1", "s1~a~advisor"), ("c1", "s1~a~cost")]


def test_and_narrows_to_the_pending_tasks_when_queried(table: Any) -> None:
    seed_scans(table)
    found = table.query_entities("PartitionKey eq @pk and kind eq 'task' and scan_id eq @sid and outcome eq 'pending'",
                                 parameters={"pk": "c1", "sid": "s1"}, results_per_page=1, select=["RowKey"])
    assert [e["RowKey"] for e in found] == ["s1~a~cost"]


def test_or_in_parentheses_finds_scans_in_flight_across_partitions_when_queried(table: Any) -> None:
    seed_scans(table)
    query = "kind eq 'scan' and (status eq 'queued' or status eq 'collecting' or status eq 'analysing')"
    assert keys(table.query_entities(query)) == [("c1", "s1"), ("c2", "s9")]


def test_a_quote_in_a_literal_is_doubled_when_queried(table: Any) -> None:
    table.create_entity(row("p", "1", name="O'Brien"))
    table.create_entity(row("p", "2", name="OBrien"))
    assert [e["RowKey"] for e in table.query_entities("name eq 'O''Brien'")] == ["1"]


def test_select_returns_only_the_named_properties_when_queried(table: Any) -> None:
    table.create_entity(row("p", "r", a=1, b=2))
    (entity,) = table.query_entities("PartitionKey eq @pk", parameters={"pk": "p"}, select=["RowKey", "a"])
    assert dict(entity) == {"RowKey": "r", "a": 1}
