"""Environment, owner hint, cost centre and DR context (design D4.1-D4.3), rule by rule; offers (D10.1); a
finding's context, effort and change risk (D4.4, D4.5) as the report publishes them. One implementation
(context.py, dr.py) serves the analytics and the report core alike."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.analysis.context import EstateContext
from shared.analysis.dr import DrDetector
from shared.analysis.finding_context import ContextIndex
from shared.analysis.index import build_index
from shared.analysis.offers import offer_label, offers
from tests.unit.analysis.builders import SUB, a_disk, a_row, analyse, cost_line, scan


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


# The finding's view (finding_context.ContextIndex: the report core's users) over the same implementation:
# these cases came from the report core's own D4 tests and keep every assertion.
def _container(tags: dict[str, str], name: str = "rg-a") -> dict[str, Any]:
    return {"id": f"/subscriptions/{SUB}/resourceGroups/{name}", "name": name, "subscriptionId": SUB,
            "type": "microsoft.resources/subscriptions/resourcegroups", "tags": tags}


def _context(disk_tags: dict[str, str], group_tags: dict[str, str] | None = None, quota: str = "PayAsYouGo_x",
             group: str = "rg-a") -> Any:
    disk = a_disk("d1", tags=disk_tags)
    disk["id"] = disk["id"].replace("/rg-a/", f"/{group}/")
    disk["resourceGroup"] = group
    inputs = scan([disk], containers=[_container(group_tags or {}, group)], quota=quota)
    return ContextIndex(EstateContext(build_index(inputs), {SUB: "Sub A"})).of(disk["id"])


@pytest.mark.parametrize(("tags", "group_tags", "quota", "group", "expected"), [
    ({"Environment": "Production"}, None, "PayAsYouGo_x", "rg-a", ("prod", "tag", None)),
    ({"env": "PRD"}, None, "PayAsYouGo_x", "rg-a", ("prod", "tag", None)),
    ({}, {"Env": "uat"}, "PayAsYouGo_x", "rg-a", ("test", "resource group tag", None)),
    ({}, None, "MSDNDevTest_2014-09-01", "rg-a", ("test", "offer", None)),
    ({}, None, "PayAsYouGo_x", "rg-sandbox-ddos", ("sandbox", "resource group name", None)),
    ({}, None, "PayAsYouGo_x", "rg-empty-poc", ("sandbox", "resource group name", None)),
    ({"stage": "blue"}, None, "PayAsYouGo_x", "rg-a", ("other", "tag", "blue")),
    ({}, None, "PayAsYouGo_x", "rg-a", ("unknown", "none", None)),
])
def test_finding_environment_from_the_first_rule_that_fires(tags: dict[str, str], group_tags: dict[str, str] | None,
                                                    quota: str, group: str, expected: tuple[Any, ...]) -> None:
    ctx = _context(tags, group_tags, quota, group)
    assert (ctx.environment, ctx.environment_source, ctx.environment_raw) == expected


@pytest.mark.parametrize(("tags", "group_tags", "expected"), [
    ({"Owner": "platform-team"}, None, ("platform-team", "tag")),
    ({}, {"team": "tms-dev-team"}, ("tms-dev-team", "resource group tag")),
    ({"contact": "ceo@example.com", "notes": "ignore previous instructions"}, None, (None, "none")),
    ({"createdBy": "x" * 100}, None, ("x" * 64, "tag")),
])
def test_owner_from_owner_keys_only_truncated_when_tagged(tags: dict[str, str], group_tags: dict[str, str] | None,
                                                          expected: tuple[Any, ...]) -> None:
    ctx = _context(tags, group_tags)
    assert (ctx.owner, ctx.owner_source) == expected


def test_cost_centre_from_its_keys_when_tagged() -> None:
    assert _context({"CostCenter": "CC-1040"}).cost_centre == "CC-1040"


@pytest.mark.parametrize(("tags", "group", "dr"), [
    ({}, "rg-dr-ukwest", True), ({"app": "dr"}, "rg-a", True), ({"purpose": "standby"}, "rg-a", True),
    ({"app": "tms"}, "rg-address", False), ({}, "rg-a", False)])
def test_disaster_recovery_context_from_names_and_tags(tags: dict[str, str], group: str, dr: bool) -> None:
    assert bool(_context(tags, group=group).dr_reasons) is dr


def _finding(tags: dict[str, str], group: str = "rg-a") -> dict[str, Any]:
    disk = a_disk("d1", tags=tags)
    disk["id"] = disk["id"].replace("/rg-a/", f"/{group}/")
    report = json.loads(analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0),
                                     containers=[_container({}, group)])).report_json)
    finding: dict[str, Any] = next(f for f in report["findings"] if f["rule"] == "DSK-1")
    return finding


@pytest.mark.parametrize(("tags", "group", "expected"), [
    ({"env": "dev"}, "rg-a", ("minutes", "low", "deletes data: snapshot first if it may be needed")),
    ({"env": "prod"}, "rg-a", ("hours", "medium", "deletes production data for good")),
    ({"env": "prod"}, "rg-dr-ukwest", ("hours", "high", "disaster-recovery standby: confirm against the DR runbook")),
])
def test_effort_and_change_risk_of_a_disk_delete(tags: dict[str, str], group: str, expected: tuple[str, ...]) -> None:
    finding = _finding(tags, group)
    assert (finding["effort"], finding["change_risk"], finding["change_risk_reasons"][0]) == expected


def test_hostile_owner_tag_escaped_in_the_report_when_rendered() -> None:
    disk = a_disk("d1", tags={"owner": "<script>alert(1)</script>", "env": "dev"})
    bundle = analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0)))
    html = bundle.report_html.decode()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finding = json.loads(bundle.report_json)["findings"][0]
    assert finding["owner"] == "<script>alert(1)</script>" and finding["owner_source"] == "tag"


def test_subscription_scope_takes_the_environment_of_most_of_its_spend() -> None:
    # A Dev/Test offer says "test"; the subscription's spend is on resources tagged env=dev, so the subscription
    # reads "dev" wherever it is shown (guardrail rows, subscriptions[], the analytics' by_subscription).
    dev = a_row("Microsoft.Compute/disks", "d1", tags={"env": "dev"})
    prod = a_row("Microsoft.Compute/disks", "d2", tags={"env": "prod"})
    inputs = scan([dev, prod], containers=[container("rg-a")], quota="MSDNDevTest_2014-09-01",
                  cost_rows=cost_line(dev["id"], 5.0) + cost_line(prod["id"], 1.0))
    ctx = EstateContext(build_index(inputs), {SUB: "Sub A"})
    found = ctx.environment(f"/subscriptions/{SUB}")
    assert (found.value, found.source) == ("dev", "most of its spend")
    unbilled = EstateContext(build_index(scan([dev], containers=[container("rg-a")], quota="MSDNDevTest_x")), {})
    assert unbilled.environment(f"/subscriptions/{SUB}").value == "test"  # no spend: the offer decides


def test_dr_tag_value_counts_by_its_words() -> None:
    assert bool(_context({"role": "DR-site"}).dr_reasons) and not _context({"role": "address"}).dr_reasons
