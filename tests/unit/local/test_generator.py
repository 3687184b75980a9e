"""The large-estate generator: deterministic by seed, exact sizes, valid, and seeded with every waste pattern."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest

from local.estates.generator import generate_estate, main, write_estate
from local.estates.model import expand_costs, load_estate, parse_estate

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def estate() -> dict[str, Any]:
    return generate_estate(seed=7, subscriptions=3, resources=3000, days=90)


@pytest.fixture(scope="module")
def resources(estate: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for s in estate["tenants"][0]["subscriptions"] for r in s["resources"]]


def test_same_seed_gives_the_same_estate_when_generated_twice(estate: dict[str, Any]) -> None:
    assert generate_estate(seed=7, subscriptions=3, resources=3000, days=90) == estate


def test_different_seed_gives_a_different_estate_when_generated() -> None:
    first = generate_estate(seed=1, subscriptions=1, resources=200, days=30)
    second = generate_estate(seed=2, subscriptions=1, resources=200, days=30)
    assert first["tenants"][0]["subscriptions"][0]["resources"] != second["tenants"][0]["subscriptions"][0]["resources"]


def test_resource_count_is_exact_when_sizes_do_not_divide_evenly() -> None:
    # when
    estate = generate_estate(seed=3, subscriptions=3, resources=1001, days=30)
    # then
    counts = [len(s["resources"]) for s in estate["tenants"][0]["subscriptions"]]
    assert counts == [334, 334, 333]


def test_streamed_file_equals_the_generated_dict_when_written() -> None:
    # given
    out = io.StringIO()
    # when
    write_estate(out, seed=5, subscriptions=2, resources=400, days=30)
    # then
    assert json.loads(out.getvalue()) == generate_estate(seed=5, subscriptions=2, resources=400, days=30)


def test_estate_loads_when_validated_by_the_estate_model(estate: dict[str, Any]) -> None:
    loaded = parse_estate(estate, today=TODAY)
    assert sum(len(s.resources) for s in loaded.tenants[0].subscriptions) == 3000


def test_resource_ids_are_unique_when_case_is_ignored(resources: list[dict[str, Any]]) -> None:
    ids = [r["id"].lower() for r in resources]
    assert len(ids) == len(set(ids))


def test_costs_cover_the_requested_days_when_expanded() -> None:
    loaded = parse_estate(generate_estate(seed=9, subscriptions=1, resources=300, days=45), today=TODAY)
    days = {row.date for row in expand_costs(loaded.tenants[0].subscriptions[0], TODAY)}
    assert len(days) == 45


def test_most_resources_are_billed_when_costs_are_listed(
    estate: dict[str, Any], resources: list[dict[str, Any]]
) -> None:
    billed = {c["resource_id"] for s in estate["tenants"][0]["subscriptions"] for c in s["costs"]}
    assert len(billed) > len(resources) // 2


def _props(r: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = r["properties"]
    return props


WASTE = {
    "stopped VM": lambda r: r["type"] == "microsoft.compute/virtualmachines"
    and _props(r)["extended"]["instanceView"]["powerState"]["code"] == "PowerState/stopped",
    "deallocated VM": lambda r: r["type"] == "microsoft.compute/virtualmachines"
    and _props(r)["extended"]["instanceView"]["powerState"]["code"] == "PowerState/deallocated",
    "Windows VM without AHB": lambda r: r["type"] == "microsoft.compute/virtualmachines"
    and _props(r)["storageProfile"]["osDisk"]["osType"] == "Windows" and "licenseType" not in _props(r),
    "unattached disk": lambda r: r["type"] == "microsoft.compute/disks" and r["managedBy"] == "",
    "excluded disk": lambda r: r["type"] == "microsoft.compute/disks" and "ASR-ReplicaDisk" in r["tags"],
    "unattached public IP": lambda r: r["type"] == "microsoft.network/publicipaddresses"
    and "ipConfiguration" not in _props(r),
    "orphaned NIC": lambda r: r["type"] == "microsoft.network/networkinterfaces"
    and "virtualMachine" not in _props(r) and "privateEndpoint" not in _props(r),
    "LB without backends": lambda r: r["type"] == "microsoft.network/loadbalancers"
    and _props(r)["backendAddressPools"] == [],
    "NAT without subnets": lambda r: r["type"] == "microsoft.network/natgateways" and "subnets" not in _props(r),
    "disconnected endpoint": lambda r: r["type"] == "microsoft.network/privateendpoints"
    and "Disconnected" in json.dumps(_props(r)),
    "DNS zone without links": lambda r: r["type"] == "microsoft.network/privatednszones"
    and _props(r)["numberOfVirtualNetworkLinks"] == 0,
    "empty paid plan": lambda r: r["type"] == "microsoft.web/serverfarms" and _props(r)["numberOfSites"] == 0
    and r["sku"]["name"] != "F1",
    "premium snapshot": lambda r: r["type"] == "microsoft.compute/snapshots" and r["sku"]["name"] == "Premium_LRS",
    "AGW without backends": lambda r: r["type"] == "microsoft.network/applicationgateways"
    and _props(r)["backendAddressPools"][0]["properties"]["backendAddresses"] == [],
    "SQL VM without AHUB": lambda r: r["type"] == "microsoft.sqlvirtualmachine/sqlvirtualmachines"
    and _props(r)["sqlServerLicenseType"] == "PAYG",
    "legacy storage": lambda r: r["type"] == "microsoft.storage/storageaccounts" and r["kind"] != "StorageV2",
}


@pytest.mark.parametrize("pattern", sorted(WASTE))
def test_waste_pattern_appears_when_the_estate_is_large_enough(resources: list[dict[str, Any]], pattern: str) -> None:
    assert any(WASTE[pattern](r) for r in resources)


def test_every_subscription_has_an_empty_resource_group_when_generated(estate: dict[str, Any]) -> None:
    for sub in estate["tenants"][0]["subscriptions"]:
        used = {r["id"].split("/")[4] for r in sub["resources"]}
        assert any(g["name"] not in used for g in sub["resource_groups"])


def test_advisor_recommendations_include_a_suppressed_one_when_generated(estate: dict[str, Any]) -> None:
    recs = [r for s in estate["tenants"][0]["subscriptions"] for r in s["advisor"]]
    assert any(r["properties"].get("suppressionIds") for r in recs)
    assert all(isinstance(v, str) for r in recs for v in r["properties"]["extendedProperties"].values())


def test_invalid_sizes_raise_when_requested() -> None:
    with pytest.raises(ValueError):
        generate_estate(seed=1, subscriptions=10, resources=20, days=90)


def test_cli_writes_a_loadable_file_when_given_an_output_path(tmp_path) -> None:
    # given
    out = tmp_path / "estate.json"
    # when
    main(["--seed", "4", "--subscriptions", "2", "--resources", "100", "--days", "30", "--out", str(out)])
    # then
    loaded = load_estate(out, today=TODAY)
    assert [len(s.resources) for s in loaded.tenants[0].subscriptions] == [50, 50]


def test_inventory_beyond_resources_is_generated_for_every_read_when_large_enough(estate: dict[str, Any]) -> None:
    subs = estate["tenants"][0]["subscriptions"]
    accounts = {r["id"] for s in subs for r in s["resources"] if r["type"] == "microsoft.storage/storageaccounts"}
    policies = {k for s in subs for k in s["management_policies"]}
    # lifecycle policies are read over ARM, never Resource Graph rows, and belong to accounts that exist
    assert policies and policies < accounts
    assert not any("managementpolicies" in r["type"] for s in subs for r in s["resources"])
    items = [i for s in subs for i in s["recovery_services"]]
    assert any(i["properties"]["lastBackupTime"] == "{{days_ago:1}}" for i in items)
    assert any(i["properties"]["protectionState"] == "ProtectionStopped" for i in items)
    assert any(s["budgets"] for s in subs) and any(s["reservation_recommendations"] for s in subs)
    assert estate["tenants"][0]["management_groups"][0]["policy_assignments"]
    parse_estate(estate, today=TODAY)  # and the model accepts all of it
