"""Per-subscription validation of a customer's principal, against a fake tenant."""

from __future__ import annotations

from typing import Any

from shared.pipeline.principal_roles import (
    CONTRIBUTOR,
    COST_MANAGEMENT_READER,
    OWNER,
    READER,
    USER_ACCESS_ADMINISTRATOR,
)
from shared.pipeline.validate_principal import MAX_COST_PROBES, validate_principal
from tests.unit.fakes import OID, FakeProbe

SUB = "33333333-3333-3333-3333-333333333333"
OTHER = "55555555-5555-5555-5555-555555555555"
CUSTOM = "66666666-6666-6666-6666-666666666666"


def a_tenant(*roles: str, sub: str = SUB) -> FakeProbe:
    probe = FakeProbe()
    probe.add_subscription(sub)
    for role in roles:
        probe.assign(role, f"/subscriptions/{sub}")
    return probe


def result(probe: FakeProbe, subs: list[str] | None = None) -> dict[str, Any]:
    validation = validate_principal(probe, OID, subs or [SUB])
    assert validation.principal_object_id == OID
    return validation.subscriptions[0].model_dump()


def test_subscription_is_ok_without_warnings_when_reader_and_cost_reader() -> None:
    r = result(a_tenant(READER, COST_MANAGEMENT_READER))
    assert (r["ok"], r["missing"], r["excess"]) == (True, [], [])
    assert sorted(r["roles_found"]) == ["Cost Management Reader", "Reader"]
    assert (r["offer"], r["display_name"]) == ("Pay-as-you-go", "Sub 3333")


def test_cost_reader_is_missing_when_only_reader() -> None:
    r = result(a_tenant(READER))
    assert (r["ok"], r["missing"]) == (False, ["Cost Management Reader"])


def test_reader_is_missing_when_only_cost_reader() -> None:
    r = result(a_tenant(COST_MANAGEMENT_READER))
    assert (r["ok"], r["missing"]) == (False, ["Reader"])


def test_subscription_fails_with_note_when_not_visible() -> None:
    probe = FakeProbe()
    r = result(probe)
    assert (r["ok"], r["missing"], r["offer"]) == (False, ["Reader", "Cost Management Reader"], None)
    assert any("cannot see this subscription" in n for n in r["notes"])
    assert probe.cost_calls == []


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
    probe.assign(READER, "/providers/Microsoft.Management/managementGroups/MG1")
    probe.assign(COST_MANAGEMENT_READER, "/providers/Microsoft.Management/managementGroups/mg1")
    assert result(probe)["ok"] is True


def test_management_group_roles_do_not_count_when_subscription_is_elsewhere() -> None:
    probe = FakeProbe()
    probe.add_subscription(SUB, mgs=("mg1",))
    probe.assign(READER, "/providers/Microsoft.Management/managementGroups/mg2")
    probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{SUB}")
    r = result(probe)
    assert (r["missing"], r["roles_found"]) == (["Reader"], ["Cost Management Reader"])


def test_other_subscriptions_roles_do_not_count_when_judging_this_one() -> None:
    probe = a_tenant()
    probe.assign(READER, f"/subscriptions/{OTHER}")
    probe.assign(COST_MANAGEMENT_READER, f"/subscriptions/{SUB}0")
    assert result(probe)["ok"] is False


def test_resource_group_reader_is_noted_but_not_enough_when_only_on_a_group() -> None:
    probe = a_tenant(COST_MANAGEMENT_READER)
    probe.assign(READER, f"/subscriptions/{SUB}/resourceGroups/rg1")
    r = result(probe)
    assert (r["ok"], r["missing"]) == (False, ["Reader"])
    assert "Reader (resource group)" in r["roles_found"]
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


def test_cost_reader_is_missing_when_cost_query_is_forbidden() -> None:
    probe = a_tenant(READER, COST_MANAGEMENT_READER)
    probe.cost[SUB] = ("forbidden", None)
    r = result(probe)
    assert (r["ok"], r["missing"]) == (False, ["Cost Management Reader"])


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
    validation = validate_principal(probe, OID, subs)
    assert len(probe.cost_calls) == MAX_COST_PROBES
    assert all(s.ok for s in validation.subscriptions)


def test_offer_is_described_when_quota_id_is_known() -> None:
    cases = {"EnterpriseAgreement_2014-09-01": "EA", "CSP_2015-05-01": "CSP", "MSDNDevTest_2014-09-01":
             "Visual Studio (dev/test)", "FreeTrial_2014-09-01": "Free trial", "Sponsored_2016-01-01": "Sponsored",
             "Weird_1": "Other"}
    for quota_id, offer in cases.items():
        probe = a_tenant(READER, COST_MANAGEMENT_READER)
        probe.add_subscription(SUB, quota_id=quota_id)
        r = result(probe)
        assert r["offer"] == offer
        if offer == "CSP":
            assert any("cost data may be unavailable" in n for n in r["notes"])


def test_cost_access_is_taken_from_the_probe_when_role_assignments_are_invisible() -> None:
    # given: the principal sees the subscription (Cost Management Reader can) but none of its assignments
    probe = a_tenant()
    # when
    r = result(probe)
    # then
    assert (r["ok"], r["missing"]) == (False, ["Reader"])
    assert any("not visible" in n for n in r["notes"])
