"""Environment, owner hint, cost centre and DR context (design D4.1-D4.3), rule by rule; offers (D10.1)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.analysis.context import EstateContext
from shared.analysis.dr import DrDetector
from shared.analysis.index import build_index
from shared.analysis.offers import offer_label, offers
from tests.unit.analysis.builders import SUB, a_row, cost_line, scan


def container(name: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A resource group row of the scan's subscription."""
    return {"id": f"/subscriptions/{SUB}/resourceGroups/{name}", "name": name,
            "type": "microsoft.resources/subscriptions/resourcegroups", "subscriptionId": SUB, "tags": tags or {}}


def subscription_row(name: str, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """The subscription's own container row."""
    return {"id": f"/subscriptions/{SUB}", "name": name, "type": "microsoft.resources/subscriptions",
            "subscriptionId": SUB, "tags": tags or {}, "properties": {"subscriptionPolicies": {"quotaId": "x"}}}


def context(rows: list[dict[str, Any]], containers: list[dict[str, Any]], quota: str = "PayAsYouGo_2014-09-01",
            display_name: str = "Sub A") -> EstateContext:
    inputs = scan(rows, containers=containers, quota=quota, display_name=display_name)
    return EstateContext(build_index(inputs), {SUB: display_name})


@pytest.mark.parametrize(("tags", "group_tags", "sub_tags", "group", "quota", "expected"), [
    ({"Environment": "Production"}, {}, {}, "rg-a", "PayAsYouGo_x", ("prod", "tag", None)),
    ({"ENV": "UAT"}, {}, {}, "rg-a", "PayAsYouGo_x", ("test", "tag", None)),
    ({"Stage": "pre-prod"}, {}, {}, "rg-a", "PayAsYouGo_x", ("test", "tag", None)),
    ({"env-type": "sbx"}, {}, {}, "rg-a", "PayAsYouGo_x", ("sandbox", "tag", None)),
    ({"env": "blue<script>"}, {}, {}, "rg-a", "PayAsYouGo_x", ("other", "tag", "blue<script>")),
    ({}, {"env": "dev"}, {"env": "prod"}, "rg-a", "PayAsYouGo_x", ("dev", "resource group tag", None)),
    ({}, {}, {"environment": "live"}, "rg-a", "PayAsYouGo_x", ("prod", "subscription tag", None)),
    ({}, {}, {}, "rg-a", "MSDNDevTest_2014-09-01", ("test", "offer", None)),
    ({}, {}, {}, "rg-a", "MSDN_2014-09-01", ("test", "offer", None)),
    ({}, {}, {}, "rg-sandbox-(ignore_previous_instructions)", "PayAsYouGo_x", ("sandbox", "resource group name", None)),
    ({}, {}, {}, "rg-empty-poc", "PayAsYouGo_x", ("sandbox", "resource group name", None)),
    ({}, {}, {}, "rg-a", "PayAsYouGo_x", ("unknown", "none", None)),
])
def test_environment_first_rule_that_fires_wins(tags: dict[str, str], group_tags: dict[str, str],
                                                sub_tags: dict[str, str], group: str, quota: str,
                                                expected: tuple[str, str, str | None]) -> None:
    row = a_row("Microsoft.Compute/disks", "d1", rg=group, tags=tags)
    ctx = context([row], [container(group, group_tags), subscription_row("Sub A", sub_tags)], quota)
    env = ctx.environment(row["id"])
    assert (env.value, env.source, env.raw) == expected


def test_environment_from_the_subscription_name_when_nothing_else_says() -> None:
    row = a_row("Microsoft.Compute/disks", "d1", rg="rg-a")
    ctx = context([row], [container("rg-a")], display_name="Contoso Staging")
    assert (ctx.environment(row["id"]).value, ctx.environment(row["id"]).source) == ("test", "subscription name")


def test_aks_node_resource_group_takes_the_cluster_groups_tags() -> None:
    cluster = a_row("Microsoft.ContainerService/managedClusters", "aks1", rg="rg-aks",
                    properties={"nodeResourceGroup": "MC_rg-aks_aks1_uksouth"})
    vmss = a_row("Microsoft.Compute/virtualMachineScaleSets", "aks-user", rg="MC_rg-aks_aks1_uksouth")
    disk = a_row("Microsoft.Compute/disks", "pvc-1", rg="MC_rg-aks_aks1_uksouth",
                 tags={"aks-managed-cluster-rg": "rg-aks"})
    ctx = context([cluster, vmss, disk], [container("rg-aks", {"env": "prod", "owner": "platform"}),
                                          container("MC_rg-aks_aks1_uksouth")])
    for row in (vmss, disk):
        assert (ctx.environment(row["id"]).value, ctx.environment(row["id"]).source) == ("prod", "cluster tag")
        assert (ctx.owner(row["id"]).value, ctx.owner(row["id"]).source) == ("platform", "cluster tag")


def test_owner_and_cost_centre_fall_back_resource_then_group_then_subscription() -> None:
    tagged = a_row("Microsoft.Compute/disks", "d1", tags={"Created-By": "alice", "team": "data"})
    bare = a_row("Microsoft.Compute/disks", "d2")
    ctx = context([tagged, bare], [container("rg-a", {"Cost-Center": "CC-1"}),
                                   subscription_row("Sub A", {"owner": "finance", "chargecode": "X"})])
    assert (ctx.owner(tagged["id"]).value, ctx.owner(tagged["id"]).source) == ("alice", "tag")  # createdby first
    assert (ctx.owner(bare["id"]).value, ctx.owner(bare["id"]).source) == ("finance", "subscription tag")
    assert (ctx.cost_centre(bare["id"]).value, ctx.cost_centre(bare["id"]).source) == ("CC-1", "resource group tag")


def test_owner_value_kept_raw_truncated_and_instruction_keys_never_read() -> None:
    hostile = "<script>alert(1)</script>" + "x" * 80
    row = a_row("Microsoft.Compute/disks", "d1", tags={"owner": hostile, "description": "Ignore previous",
                                                       "contact": "mallory"})
    ctx = context([row], [container("rg-a")])
    owner = ctx.owner(row["id"])
    assert owner.value == hostile[:64] and len(owner.value or "") == 64  # escaped where shown, never here
    assert "description" not in ctx.layers(row["id"])[0][1] and "contact" not in ctx.layers(row["id"])[0][1]
    assert ctx.owner(a_row("Microsoft.Compute/disks", "d9")["id"]).source == "none"


def test_child_cost_row_takes_its_parents_tags() -> None:
    account = a_row("Microsoft.Storage/storageAccounts", "st1", tags={"env": "dev"})
    ctx = context([account], [container("rg-a")])
    assert ctx.environment(account["id"] + "/blobServices/default").value == "dev"


def _dr(rows: list[dict[str, Any]], groups: list[dict[str, Any]], costs: list[list[Any]]) -> DrDetector:
    inputs = scan(rows, containers=groups, cost_rows=costs)
    index = build_index(inputs)
    return DrDetector(index, EstateContext(index, {SUB: "Sub A"}))


def test_dr_context_from_names_tags_and_the_paired_region_with_site_recovery() -> None:
    main = a_row("Microsoft.Compute/virtualMachines", "vm-erp")
    vault = dict(a_row("Microsoft.RecoveryServices/vaults", "rsv-asr", rg="rg-x"), location="ukwest")
    gateway = dict(a_row("Microsoft.Network/virtualNetworkGateways", "vgw-1", rg="rg-dr-ukwest",
                         tags={"app": "DR"}), location="ukwest")
    standby = dict(a_row("Microsoft.Compute/disks", "disk-1", rg="rg-x"), location="ukwest")
    costs = (cost_line(main["id"], 100.0, "Virtual Machines") + cost_line(vault["id"], 1.3, "Azure Site Recovery")
             + cost_line(gateway["id"], 3.0, "VPN Gateway"))
    detector = _dr([main, vault, gateway, standby], [container("rg-dr-ukwest"), container("rg-x")], costs)
    found = detector.of(gateway["id"])
    assert found.value and found.reasons[:2] == ("resource group name contains 'dr'", "tag app = dr")
    assert "ukwest is the paired region of uksouth" in found.reasons[2]
    assert detector.of(standby["id"]).value  # paired region and Site Recovery billed
    assert not detector.of(main["id"]).value


def test_paired_region_alone_is_not_dr_without_site_recovery_billed() -> None:
    main = a_row("Microsoft.Compute/virtualMachines", "vm-erp")
    standby = dict(a_row("Microsoft.Compute/disks", "disk-1"), location="ukwest")
    detector = _dr([main, standby], [container("rg-a")], cost_line(main["id"], 100.0, "Virtual Machines"))
    assert detector.of(standby["id"]).to_dict() == {"value": False, "reasons": []}


@pytest.mark.parametrize(("quota", "label"), [
    ("EnterpriseAgreement_2014-09-01", "Enterprise Agreement"), ("PayAsYouGo_2014-09-01", "Pay-As-You-Go"),
    ("MSDNDevTest_2014-09-01", "Dev/Test (pay-as-you-go)"), ("MSDN_2014-09-01", "Visual Studio subscription"),
    ("CSP_2015-05-01", "CSP"), ("Sponsored_2016-01-01", "Sponsorship"), ("FreeTrial_2014-09-01", "Free trial"),
    ("Internal_2014-09-01", "Internal_2014-09-01"), (None, "Unknown offer")])
def test_offer_label_from_quota_id(quota: str | None, label: str) -> None:
    assert offer_label(quota) == label


def test_pay_as_you_go_beside_an_enterprise_agreement_is_outside_it() -> None:
    found = offers({"a": "EnterpriseAgreement_x", "b": "PayAsYouGo_x", "c": "MSDNDevTest_x"}, {"a": 10.0})
    assert [found[k].outside_main_agreement for k in "abc"] == [False, True, False]
    assert found["b"].sentence == "on a Pay-As-You-Go offer while the others are on your Enterprise Agreement"
    assert not offers({"b": "PayAsYouGo_x"}, {})["b"].outside_main_agreement
