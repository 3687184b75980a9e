"""The committed demo estate: reproducible, valid, and seeded with what the analysis must (not) find."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from local.estates import build_demo
from local.estates.demo_kit import HOSTILE_EMAIL, HOSTILE_IMG, HOSTILE_INJECTION, HOSTILE_MARKDOWN, HOSTILE_SCRIPT
from local.estates.model import Estate, expand_costs, load_estate

TODAY = dt.date(2026, 11, 27)
ISSUE_5_RULES = {
    "VM-1", "VM-2", "VM-3", "VM-4", "LIC-1", "LIC-2", "DSK-1", "DSK-3", "DSK-4", "DSK-5", "NET-1", "NET-3",
    "NET-4", "NET-5", "NET-8", "NET-9", "NET-10", "NET-11", "NET-12", "APP-1", "DB-2", "STO-1", "STO-3",
    "CMT-1", "CMT-2", "COST-1", "COST-2", "COST-5", "GOV-1",
}


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(build_demo.DEMO_PATH, today=TODAY)


@pytest.fixture(scope="module")
def expectations() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(build_demo.EXPECTATIONS_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def rows(estate: Estate) -> dict[str, dict[str, Any]]:
    return {r["id"].lower(): r for t in estate.tenants for s in t.subscriptions for r in s.resources}


@pytest.fixture(scope="module")
def recent_cost(estate: Estate) -> dict[str, float]:
    """ActualCost of the last 30 days per lower-cased resource id."""
    totals: dict[str, float] = defaultdict(float)
    for tenant in estate.tenants:
        for sub in tenant.subscriptions:
            for row in expand_costs(sub, TODAY):
                if (TODAY - row.date).days <= 30:
                    totals[row.dims["ResourceId"].lower()] += row.cost
    return totals


def test_committed_files_equal_builder_output_when_rebuilt(tmp_path: Path) -> None:
    # when
    demo, expect = build_demo.write(tmp_path)
    # then
    assert demo.read_text(encoding="utf-8") == build_demo.DEMO_PATH.read_text(encoding="utf-8")
    assert expect.read_text(encoding="utf-8") == build_demo.EXPECTATIONS_PATH.read_text(encoding="utf-8")


def test_demo_loads_when_validated_by_the_estate_model(estate: Estate) -> None:
    assert [t.display_name for t in estate.tenants] == ["Pennine Freight Ltd", "Tamar Analytics Ltd",
                                                        "Wessex Larder Ltd"]


def test_main_tenant_has_about_150_resources_in_two_regions_when_counted(estate: Estate) -> None:
    resources = [r for s in estate.tenants[0].subscriptions for r in s.resources]
    assert 140 <= len(resources) <= 170
    assert {r["location"] for r in resources} >= {"uksouth", "ukwest"}


def test_main_tenant_has_the_three_offers_when_listed(estate: Estate) -> None:
    quotas = [s.quota_id for s in estate.tenants[0].subscriptions]
    assert quotas == ["EnterpriseAgreement_2014-09-01", "MSDNDevTest_2014-09-01", "PayAsYouGo_2014-09-01"]


def test_resource_ids_are_unique_when_case_is_ignored(estate: Estate) -> None:
    ids = [r["id"].lower() for t in estate.tenants for s in t.subscriptions for r in s.resources]
    assert len(ids) == len(set(ids))


def test_every_expectation_refers_to_an_estate_object_when_checked(
    estate: Estate, expectations: list[dict[str, Any]], rows: dict[str, dict[str, Any]]
) -> None:
    known = set(rows)
    for tenant in estate.tenants:
        for sub in tenant.subscriptions:
            known.add(sub.scope.lower())
            known.update(f"{sub.scope}/resourceGroups/{g.name}".lower() for g in sub.resource_groups)
            known.update(r["id"].lower() for r in sub.recovery_services)  # protected items (recoveryservicesresources)
    missing = [c for c in expectations if c["resource_id"].lower() not in known]
    assert missing == []


def test_expectations_use_the_agreed_shape_when_read(expectations: list[dict[str, Any]]) -> None:
    for case in expectations:
        assert set(case) == {"rule", "resource_id", "expect", "basis", "note"}
        assert case["expect"] in {"flagged", "not_flagged"}
        assert case["basis"] in {"actual_cost", "advisor", "estimate", None}
        # Every finding carries a basis; a case that must not be flagged has none.
        assert (case["basis"] is None) == (case["expect"] == "not_flagged")


def test_every_issue_5_rule_is_exercised_when_expectations_are_listed(expectations: list[dict[str, Any]]) -> None:
    flagged = {c["rule"] for c in expectations if c["expect"] == "flagged"}
    assert flagged >= ISSUE_5_RULES


def test_each_waste_resource_is_seeded_for_one_rule_when_flagged(expectations: list[dict[str, Any]]) -> None:
    # CMT-1 / CMT-2 share the subscription on purpose (mutually exclusive alternatives); COST-* are
    # observations about spend, not waste, and may sit on a wasteful resource.
    per_resource = defaultdict(set)
    for case in expectations:
        if case["expect"] == "flagged" and not case["rule"].startswith(("CMT", "COST")):
            per_resource[case["resource_id"].lower()].add(case["rule"])
    assert {k: v for k, v in per_resource.items() if len(v) > 1} == {}


@pytest.mark.parametrize("marker", ["-ASRReplica", "kubernetes.io-created-for-pvc", "RSVaultBackup",
                                    "suppression", "Free tier", "with a connection", "NAT gateway"])
def test_exclusion_is_listed_as_not_flagged_when_expected(expectations: list[dict[str, Any]], marker: str) -> None:
    cases = [c for c in expectations if c["expect"] == "not_flagged" and marker.lower() in c["note"].lower()]
    assert cases


def test_excluded_disks_are_unattached_when_inspected(
    expectations: list[dict[str, Any]], rows: dict[str, dict[str, Any]]
) -> None:
    excluded = [c for c in expectations if c["rule"] == "DSK-1" and c["expect"] == "not_flagged"]
    for case in excluded:
        row = rows[case["resource_id"].lower()]
        assert row["managedBy"] == "" and row["properties"]["diskState"] == "Unattached"


def test_flagged_actual_cost_cases_have_recent_cost_when_expanded(
    recent_cost: dict[str, float], expectations: list[dict[str, Any]]
) -> None:
    # VM-2 is priced from the disks and IP of the VM, not its own compute meter; LIC-2 from the licence meter
    # of the VM under the SQL VM resource (issue 15); hygiene findings and untagged spend (a subscription)
    # claim no saving of their own.
    skip = {"VM-2", "LIC-2", "NET-3", "GOV-1", "STO-3", "COST-5"}
    cases = [c for c in expectations if c["basis"] == "actual_cost" and c["rule"] not in skip]
    assert [c["resource_id"] for c in cases if recent_cost[c["resource_id"].lower()] <= 0] == []


def test_long_deallocated_vm_has_no_recent_compute_but_billed_disks_when_expanded(
    recent_cost: dict[str, float], expectations: list[dict[str, Any]], rows: dict[str, dict[str, Any]]
) -> None:
    # given
    vm_id = next(c["resource_id"] for c in expectations if c["rule"] == "VM-2" and c["expect"] == "flagged")
    vm = rows[vm_id.lower()]
    disks = [vm["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"]]
    # then
    assert vm["properties"]["extended"]["instanceView"]["powerState"]["code"] == "PowerState/deallocated"
    assert recent_cost[vm_id.lower()] == 0
    assert all(recent_cost[d.lower()] > 0 for d in disks)


def test_every_subscription_has_90_days_of_costs_when_expanded(estate: Estate) -> None:
    # A subscription created days ago (Cost Management answers SubscriptionNotFound for up to 48 h) has costs
    # since its creation only.
    for tenant in estate.tenants:
        for sub in tenant.subscriptions:
            days = {row.date for row in expand_costs(sub, TODAY)}
            new = sub.cost_error is not None and sub.cost_error.code == "SubscriptionNotFound"
            assert len(days) == (3 if new else 90), sub.display_name


def test_every_cost_line_bills_an_existing_resource_when_matched(
    estate: Estate, rows: dict[str, dict[str, Any]]
) -> None:
    lines = [c.resource_id for t in estate.tenants for s in t.subscriptions for c in s.costs]
    assert [r for r in lines if r.lower() not in rows] == []


def test_only_the_seeded_resource_group_is_empty_when_groups_are_scanned(
    estate: Estate, expectations: list[dict[str, Any]]
) -> None:
    empty = set()
    for tenant in estate.tenants:
        for sub in tenant.subscriptions:
            used = {r["resourceGroup"].lower() for r in sub.resources}
            empty |= {f"{sub.scope}/resourceGroups/{g.name}".lower() for g in sub.resource_groups
                      if g.name.lower() not in used}
    assert empty == {c["resource_id"].lower() for c in expectations if c["rule"] == "GOV-1"}


@pytest.mark.parametrize("text", [HOSTILE_SCRIPT, HOSTILE_IMG, HOSTILE_INJECTION, HOSTILE_MARKDOWN, HOSTILE_EMAIL])
def test_hostile_string_is_planted_when_the_file_is_read(text: str) -> None:
    assert text in build_demo.DEMO_PATH.read_text(encoding="utf-8")


def test_hostile_text_appears_in_resource_names_when_azure_allows_it(rows: dict[str, dict[str, Any]]) -> None:
    names = [r["name"].lower() for r in rows.values()]
    assert any("ignore_previous_instructions" in n for n in names)
    assert any("ignore-all-previous-instructions" in n for n in names)


def test_suppressed_recommendation_carries_suppression_ids_when_read(estate: Estate) -> None:
    recs = [r for t in estate.tenants for s in t.subscriptions for r in s.advisor]
    suppressed = [r for r in recs if r["properties"].get("suppressionIds")]
    assert len(suppressed) == 1
    assert all(isinstance(v, str) for r in recs for v in r["properties"]["extendedProperties"].values())


def test_second_tenant_uses_the_federated_app_with_contributor_when_onboarded(estate: Estate) -> None:
    # given
    tenant = estate.tenants[1]
    app = tenant.application(estate.caleta.app_client_id)
    # then
    assert app is not None and app.federated and app.secrets == []
    roles = {a.role for s in tenant.subscriptions for a in s.role_assignments if a.principal_id == app.object_id}
    assert roles == {"Reader", "Cost Management Reader", "Contributor"}
    assert [s.quota_id for s in tenant.subscriptions] == ["PayAsYouGo_2014-09-01"]


def test_main_tenant_principal_has_a_secret_and_reader_roles_when_onboarded(estate: Estate) -> None:
    tenant = estate.tenants[0]
    app = tenant.applications[0]
    assert not app.federated and app.secrets
    for sub in tenant.subscriptions:
        roles = {a.role for a in sub.role_assignments if a.principal_id == app.object_id}
        assert roles == {"Reader", "Cost Management Reader"}


@pytest.mark.parametrize("page", ["callback", "consent"])
@pytest.mark.parametrize("base", ["http://127.0.0.1:49152", "http://localhost:7071"])
def test_local_host_sign_in_pages_are_registered_whatever_its_port_when_matched(estate: Estate, base: str,
                                                                                  page: str) -> None:
    from local.simulator.oidc_pages import matches
    assert matches(f"{base}/api/onboarding/{page}", estate.caleta.redirect_uris)
    assert estate.caleta.group_membership_claims == "DirectoryRole"


def test_each_tenant_has_an_administrator_and_a_non_administrator_when_signing_in(estate: Estate) -> None:
    for tenant in estate.tenants:
        assert sorted(u.can_consent() for u in tenant.users) == [False, True]
    assert [u.app_roles for u in estate.caleta.users] == [["Caleta.Admin"], [], ["Caleta.Admin"]]
    # The third is an admin whose sign-in skipped MFA: the admin API refuses its token (tests/e2e/test_admin_auth.py).
    assert [u.mfa for u in estate.caleta.users] == [True, True, False]
    assert estate.caleta.admin_api is not None


def test_cli_writes_both_files_when_given_an_output_directory(tmp_path: Path) -> None:
    build_demo.main(["--out-dir", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.json", "demo_expectations.json"]


def test_third_tenant_is_federated_with_one_readable_subscription_and_five_refusing_cost_when_onboarded(
        estate: Estate) -> None:
    # given
    tenant = estate.tenants[2]
    app = tenant.application(estate.caleta.app_client_id)
    # then
    assert app is not None and app.federated and app.secrets == []
    refusals = {s.display_name: (s.cost_error.code if s.cost_error else None) for s in tenant.subscriptions}
    assert refusals == {"Wessex Larder Operations": None, "Wessex Larder Finance": "AccountCostDisabled",
                        "Wessex Larder Retail": "401", "Wessex Larder Analytics": "SubscriptionNotFound",
                        "Wessex Larder Hosting": "IndirectCostDisabled", "Wessex Larder Sandbox": None}
    roles = {s.display_name: {a.role for a in s.role_assignments if a.principal_id == app.object_id}
             for s in tenant.subscriptions}
    assert roles.pop("Wessex Larder Sandbox") == set()  # forgotten: its cost query fails AuthorizationFailed
    assert all(r == {"Reader", "Cost Management Reader"} for r in roles.values())


def test_third_tenant_waste_is_all_in_the_readable_subscription_when_seeded(
        estate: Estate, expectations: list[dict[str, Any]]) -> None:
    operations = estate.tenants[2].subscriptions[0].scope.lower()
    tenant_subs = {s.scope.lower() for s in estate.tenants[2].subscriptions}
    seeded = [c for c in expectations if "/".join(c["resource_id"].lower().split("/")[:3]) in tenant_subs]
    assert sorted(c["rule"] for c in seeded) == ["BKP-1", "BKP-1", "DSK-1", "DSK-1", "NET-1", "NET-1", "NET-8"]
    assert all(c["resource_id"].lower().startswith(operations) for c in seeded)
