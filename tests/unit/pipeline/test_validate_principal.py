"""Per-subscription validation of a customer's principal, against a fake tenant: ok or awaiting roles, never
refused; Reader alone reads cost (S11); the deadline leaves work awaiting (S8); offers by quota id (M11)."""

from __future__ import annotations

import time
from typing import Any

from shared.api.responses import Validation
from shared.deadline import Deadline
from shared.pipeline.principal_roles import (
    CONTRIBUTOR,
    COST_MANAGEMENT_READER,
    OWNER,
    READER,
    USER_ACCESS_ADMINISTRATOR,
)
from shared.pipeline.validate_principal import MAX_COST_PROBES, UNCHECKED, validate_principal
from tests.unit.fakes import OID, FakeProbe

SUB = "33333333-3333-3333-3333-333333333333"
OTHER = "55555555-5555-5555-5555-555555555555"
CUSTOM = "66666666-6666-6666-6666-666666666666"
GROUP = "77777777-7777-7777-7777-777777777777"


def a_tenant(*roles: str, sub: str = SUB) -> FakeProbe:
    probe = FakeProbe()
    probe.add_subscription(sub)
    for role in roles:
        probe.assign(role, f"/subscriptions/{sub}")
    return probe


def validate(probe: FakeProbe, subs: list[str] | None = None, deadline: Deadline | None = None) -> Validation:
    validation = validate_principal(probe, OID, subs or [SUB], deadline=deadline or Deadline.within(30.0))
    assert validation.principal_object_id == OID
    return validation


def result(probe: FakeProbe, subs: list[str] | None = None) -> dict[str, Any]:
    return validate(probe, subs).subscriptions[0].model_dump()


def test_subscription_is_ok_without_warnings_when_reader_and_cost_reader() -> None:
    r = result(a_tenant(READER, COST_MANAGEMENT_READER))
    assert (r["status"], r["ok"], r["missing"], r["recommended"], r["excess"]) == ("ok", True, [], [], [])
    assert sorted(r["roles_found"]) == ["Cost Management Reader", "Reader"]
    assert (r["offer"], r["display_name"]) == ("Pay-as-you-go", "Sub 3333")


def test_cost_reader_is_recommended_not_missing_when_reader_alone_reads_cost() -> None:
    # given: Reader only, and the cost probe succeeds (Reader grants cost read, audit S11)
    probe = a_tenant(READER)
    # when
    r = result(probe)
    # then
    assert (r["status"], r["ok"], r["missing"], r["recommended"]) == ("ok", True, [], ["Cost Management Reader"])
    assert probe.cost_calls == [SUB]


def test_reader_is_awaited_when_only_cost_reader() -> None:
    probe = a_tenant(COST_MANAGEMENT_READER)
    r = result(probe)
    assert (r["status"], r["ok"], r["missing"]) == ("awaiting_roles", False, ["Reader"])
    assert any("may take a few minutes to appear" in n for n in r["notes"])
    assert any("not visible" in n for n in r["notes"])
    assert probe.cost_calls == []  # no cost query is spent on a subscription that cannot be scanned yet


def test_subscription_awaits_roles_with_note_when_not_visible() -> None:
    probe = FakeProbe()
    r = result(probe)
    assert (r["status"], r["missing"], r["recommended"], r["offer"]) == (
        "awaiting_roles", ["Reader"], ["Cost Management Reader"], None)
    assert any("cannot see this subscription" in n and "few minutes" in n for n in r["notes"])
    assert probe.cost_calls == [] and probe.list_calls == []


def test_awaiting_since_is_set_only_when_something_awaits() -> None:
    assert validate(a_tenant(READER)).awaiting_since is None
    awaiting = validate(FakeProbe())
    assert awaiting.awaiting_since == awaiting.validated_at and awaiting.awaiting == (SUB,)


def test_contributor_reads_but_is_warned_when_assigned() -> None:
    r = result(a_tenant(CONTRIBUTOR))
    assert (r["ok"], r["missing"], r["excess"]) == (True, [], ["Contributor"])
    assert any("Contributor grants more" in n for n in r["notes"])


def test_owner_and_user_access_admin_are_excess_when_assigned() -> None:
    r = result(a_tenant(READER, COST_MANAGEMENT_READER, OWNER, USER_ACCESS_ADMINISTRATOR))
    assert sorted(r["excess"]) == ["Owner", "User Access Administrator"]


def test_inherited_owner_is_found_and_warned_when_assigned_on_management_group() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER)
    probe.add_subscription(SUB, mgs=("mg-child", "mg-root"))
    probe.assign(OWNER, "/providers/Microsoft.Management/managementGroups/mg-root")
    r = result(probe)
    assert "Owner (management group)" in r["roles_found"]
    assert r["excess"] == ["Owner"]


def test_management_group_roles_count_when_subscription_is_under_it() -> None:
    probe = FakeProbe()
    probe.add_subscription(SUB, mgs=("mg1",))
    probe.assign(READER, "/providers/Microsoft.Management/managementGroups/mg1")
    probe.assign(COST_MANAGEMENT_READER, "/providers/Microsoft.Management/managementGroups/mg1")
    r = result(probe)
    assert (r["ok"], r["recommended"]) == (True, [])
    assert "Reader (management group)" in r["roles_found"]


def test_management_group_roles_do_not_count_when_subscription_is_elsewhere() -> None:
    probe = FakeProbe()
    probe.add_subscription(SUB, mgs=("mg1",))
    probe.assign(READER, "/providers/Microsoft.Management/managementGroups/mg2")
    probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{SUB}")
    r = result(probe)
    assert (r["status"], r["missing"], r["roles_found"]) == ("awaiting_roles", ["Reader"], [])


def test_group_held_reader_counts_and_is_labelled_when_assigned_to_a_group() -> None:
    # given: Reader given to a group the principal belongs to (listed with the group's id, assignedTo filter)
    probe = FakeProbe()
    probe.add_subscription(SUB)
    probe.assign(READER, f"/subscriptions/{SUB}", principal=GROUP)
    # when
    r = result(probe)
    # then
    assert (r["ok"], r["roles_found"]) == (True, ["Reader (via a group)"])


def test_other_subscriptions_roles_do_not_count_when_judging_this_one() -> None:
    probe = a_tenant()
    probe.assign(READER, f"/subscriptions/{OTHER}")
    probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{SUB}0")
    assert result(probe)["ok"] is False


def test_resource_group_reader_is_noted_but_not_enough_when_only_on_a_group() -> None:
    # given: Reader on one resource group only, whose resources Resource Graph shows
    probe = a_tenant(COST_MANAGEMENT_READER)
    probe.assign(READER, f"/subscriptions/{SUB}/resourceGroups/rg1")
    probe.resources[SUB] = 4
    # when
    r = result(probe)
    # then
    assert (r["status"], r["missing"]) == ("awaiting_roles", ["Reader"])
    assert any("resource groups only" in n for n in r["notes"])


def test_custom_role_is_excess_when_it_can_write() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER, CUSTOM)
    probe.definitions.append({"id": f"/x/{CUSTOM}", "name": CUSTOM, "roleName": "VM Operator",
                              "permissions": [{"actions": ["Microsoft.Compute/*"], "notActions": []}]})
    assert result(probe)["excess"] == ["VM Operator"]


def test_custom_role_is_not_excess_when_it_only_reads() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER, CUSTOM)
    probe.definitions.append({"id": f"/x/{CUSTOM}", "name": CUSTOM, "roleName": "Auditor",
                              "permissions": [{"actions": ["*/read"], "dataActions": []}]})
    r = result(probe)
    assert (r["excess"], "Auditor" in r["roles_found"]) == ([], True)


def test_custom_role_is_excess_when_data_actions_write() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER, CUSTOM)
    probe.definitions.append({"id": f"/x/{CUSTOM}", "name": CUSTOM, "properties": {"roleName": "Blob Writer",
                              "permissions": [{"actions": [], "dataActions": [
                                  "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"]}]}})
    assert result(probe)["excess"] == ["Blob Writer"]


def test_unreadable_role_is_excess_when_its_definition_is_not_visible() -> None:
    assert result(a_tenant(READER, COST_MANAGEMENT_READER, CUSTOM))["excess"] == [f"role {CUSTOM}"]


def test_cost_reader_is_awaited_when_cost_query_is_forbidden() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER)
    probe.cost[SUB] = ("forbidden", "Cost Management refused the query (HTTP 403 RBACAccessDenied).")
    r = result(probe)
    assert (r["status"], r["missing"]) == ("awaiting_roles", ["Cost Management Reader"])
    assert any("RBACAccessDenied" in n and "few minutes" in n for n in r["notes"])


def test_unavailable_cost_data_is_noted_but_not_failed_when_probe_errors() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER)
    probe.cost[SUB] = ("unavailable", "Cost Management answered 500.")
    r = result(probe)
    assert r["ok"] is True
    assert any("answered 500" in n for n in r["notes"])


def test_cost_probes_are_capped_when_many_subscriptions() -> None:
    probe = FakeProbe()
    subs = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(MAX_COST_PROBES + 5)]
    for sub in subs:
        probe.add_subscription(sub)
        probe.assign(READER, f"/subscriptions/{sub}")
        probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{sub}")
    validation = validate(probe, subs)
    assert len(probe.cost_calls) == MAX_COST_PROBES
    assert all(s.ok for s in validation.subscriptions)
    assert validation.usable == tuple(subs) and validation.awaiting == ()


def test_offer_is_described_when_quota_id_is_known() -> None:
    # Quota ids from the Cost Management "supported offers" table (understand-cost-mgt-data.md, M11).
    cases = {"EnterpriseAgreement_2014-09-01": "EA or MCA", "CSP_2015-05-01": "CSP or MCA through a partner",
             "CSP_MG_2017-12-01": "CSP or MCA through a partner", "CSPDEVTEST_2018-05-01":
             "CSP or MCA through a partner", "MSDNDevTest_2014-09-01": "Dev/Test", "MSDN_2014-09-01":
             "Visual Studio (MSDN)", "MPN_2014-09-01": "Partner Program / Visual Studio Enterprise (MPN)",
             "FreeTrial_2014-09-01": "Free trial", "Sponsored_2016-01-01": "Sponsored",
             "AzureForStudents_2018-01-01": "Azure for Students", "Weird_1": "Other"}
    for quota_id, offer in cases.items():
        probe = a_tenant(READER, COST_MANAGEMENT_READER)
        probe.add_subscription(SUB, quota_id=quota_id)
        r = result(probe)
        assert r["offer"] == offer, quota_id
        if offer.startswith("CSP"):
            assert any("classic CSP is not supported" in n for n in r["notes"])
        if offer in ("Sponsored", "Azure for Students"):
            assert any("does not support this offer" in n for n in r["notes"])


def test_an_mca_azure_plan_has_no_unrecognised_offer_note_when_its_quota_id_is_the_ea_one() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER)
    probe.add_subscription(SUB, quota_id="EnterpriseAgreement_2014-09-01")
    assert result(probe)["notes"] == []


def test_role_assignments_are_awaited_when_the_principal_cannot_list_them() -> None:
    # given: the principal sees the subscription (Cost Management Reader can) but none of its assignments
    probe = a_tenant()
    # when
    r = result(probe)
    # then
    assert (r["ok"], r["missing"]) == (False, ["Reader"])
    assert any("not visible" in n for n in r["notes"])


def test_subscriptions_are_left_awaiting_when_the_deadline_passes_midway() -> None:
    # given: five subscriptions, and each role-assignment list takes ten seconds of a 25-second budget
    now = [0.0]
    probe = FakeProbe()
    subs = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(5)]
    for sub in subs:
        probe.add_subscription(sub)
        probe.assign(READER, f"/subscriptions/{sub}")

    def slow(name: str) -> None:
        now[0] += 10.0 if name == "role_assignments" else 0.0

    probe.on_call = slow
    # when
    validation = validate(probe, subs, deadline=Deadline(25.0, lambda: now[0]))
    # then: lists started at 0, 10 and 20 s are judged; none starts after the deadline; the rest await re-checking
    assert [s.status for s in validation.subscriptions] == ["ok", "ok", "ok", "awaiting_roles", "awaiting_roles"]
    assert all(s.notes == [UNCHECKED] for s in validation.subscriptions[3:])
    assert len(probe.list_calls) == 3 and len(probe.cost_calls) == 2
    assert validation.awaiting_since == validation.validated_at


def test_batches_resource_graph_did_not_finish_are_awaiting_when_probe_reports_them_unfinished() -> None:
    probe = a_tenant(READER)
    probe.unfinished.add(SUB)
    r = result(probe)
    assert (r["status"], r["notes"]) == ("awaiting_roles", [UNCHECKED])
    assert probe.list_calls == []


def test_status_and_ok_agree_when_an_older_stored_validation_is_read() -> None:
    old = {"validated_at": "2026-01-01T00:00:00+00:00", "subscriptions": [
        {"subscription_id": SUB, "ok": True}, {"subscription_id": OTHER, "ok": False, "missing": ["Reader"]}]}
    validation = Validation.model_validate(old)
    assert validation.usable == (SUB,) and validation.awaiting == (OTHER,)
    assert validation.model_dump()["subscriptions"][1]["status"] == "awaiting_roles"


def test_a_monotonic_instant_is_the_deadline_when_a_number_is_given() -> None:
    # onboarding passes time.monotonic() + ONBOARDING_DEADLINE_SECONDS; an instant already past checks nothing
    probe = a_tenant(READER)
    passed = validate_principal(probe, OID, [SUB], deadline=time.monotonic() - 1.0)
    assert passed.subscriptions[0].notes == [UNCHECKED] and probe.list_calls == []
    assert validate_principal(probe, OID, [SUB], deadline=time.monotonic() + 30.0).usable == (SUB,)
