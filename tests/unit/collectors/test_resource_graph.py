"""Resource Graph collector over a fake ARM: every table, every page, fail closed, lower-case types; the optional
tables and each candidate storage account's lifecycle policy, read through the same pipeline."""

from __future__ import annotations

from typing import Any

import pytest

from shared.arm import resource_graph_client
from shared.collectors import CollectRequest
from shared.collectors.resource_graph import collect
from shared.errors import AccessDenied, TransientError
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

SUB = "aaaaaaaa-0000-0000-0000-000000000001"


def run(handler: Any, **kwargs: Any) -> tuple[Any, FakeArm]:
    arm = FakeArm(handler)
    client = resource_graph_client(FakeCredential(), transport=arm, retry_total=0)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    return collect(request, client=client, sleep=lambda s: None, **kwargs), arm


EMPTY = Reply(200, {"totalRecords": 0, "count": 0, "resultTruncated": "false", "data": []})
NO_POLICY = Reply(404, {"error": {"code": "ManagementPolicyNotFound", "message": "none"}})


def resources(seen: Seen) -> Reply:
    if seen.method == "GET":
        return NO_POLICY
    token = (seen.body.get("options") or {}).get("$skipToken")
    if seen.body["query"].startswith(("recoveryservicesresources", "policyresources")):
        return EMPTY
    if seen.body["query"].startswith("resourcecontainers"):
        return Reply(200, {"totalRecords": 1, "count": 1, "resultTruncated": "false", "data": [
            {"id": f"/subscriptions/{SUB}", "type": "microsoft.resources/subscriptions", "subscriptionId": SUB,
             "properties": {"subscriptionPolicies": {"quotaId": "PayAsYouGo_2014-09-01"}}}]})
    if token is None:
        return Reply(200, {"totalRecords": 3, "count": 2, "resultTruncated": "false", "$skipToken": "t2",
                           "data": [{"id": "/r/1", "type": "Microsoft.Compute/virtualMachines"},
                                    {"id": "/r/2", "type": "microsoft.compute/disks"}]})
    return Reply(200, {"totalRecords": 3, "count": 1, "resultTruncated": "false",
                       "data": [{"id": "/r/3", "type": "microsoft.network/publicipaddresses"}]})


def test_reads_every_page_of_both_tables_when_resources_span_pages():
    collected, arm = run(resources)
    assert [r["id"] for r in collected.data["resources"]] == ["/r/1", "/r/2", "/r/3"]
    assert collected.data["resource_containers"][0]["properties"]["subscriptionPolicies"]["quotaId"]
    assert collected.row_count == 4
    assert all(r.body["subscriptions"] == [SUB] for r in arm.requests if r.method == "POST")


def test_types_are_lower_case_when_the_service_sends_mixed_case():
    collected, _ = run(resources)
    assert collected.data["resources"][0]["type"] == "microsoft.compute/virtualmachines"


def test_fails_closed_when_the_result_is_truncated():
    truncated = Reply(200, {"totalRecords": 5000, "count": 1000, "resultTruncated": "true", "data": []})
    with pytest.raises(TransientError):
        run(lambda seen: truncated)


def test_fails_closed_when_the_skip_token_repeats():
    looping = Reply(200, {"totalRecords": 9, "count": 1, "resultTruncated": "false", "$skipToken": "same",
                          "data": [{"id": "/r/1", "type": "x"}]})
    with pytest.raises(TransientError):
        run(lambda seen: looping)


def test_raises_access_denied_when_the_tenant_refuses():
    with pytest.raises(AccessDenied):
        run(lambda seen: Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no"}}))


ACCOUNT = f"/subscriptions/{SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts"
POLICY = {"rules": [{"enabled": True, "name": "cool", "type": "Lifecycle", "definition": {}}]}
VAULT = f"/subscriptions/{SUB}/resourceGroups/rg-bk/providers/Microsoft.RecoveryServices/vaults/v"
ITEM: dict[str, Any] = {
        "id": f"{VAULT}/backupFabrics/Azure/protectionContainers/c/protectedItems/VM;i", "name": "VM;i",
        "type": "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems",
        "properties": {"lastBackupTime": "2026-12-01T00:00:00Z"}}
MG = "/providers/Microsoft.Management/managementGroups/mg1"
ASSIGNMENT: dict[str, Any] = {
              "id": f"{MG}/providers/Microsoft.Authorization/policyAssignments/locations", "name": "locations",
              "type": "Microsoft.Authorization/policyAssignments", "subscriptionId": "",
              "properties": {"scope": "/providers/Microsoft.Management/managementGroups/mg1"}}


def account(name: str, kind: str, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": f"{ACCOUNT}/{name}", "type": "Microsoft.Storage/storageAccounts", "kind": kind,
            "properties": {} if properties is None else properties}


def estate(policy_answers: dict[str, Reply], tables: dict[str, Reply] | None = None) -> Any:
    """Five storage accounts (three of them candidates) and per-account policy answers."""
    rows = [account("stlake", "StorageV2"), account("stdocs", "StorageV2"), account("starchive", "BlobStorage"),
            account("stlegacy", "Storage"), {**account("stnoprops", "StorageV2"), "properties": None}]

    def handler(seen: Seen) -> Reply:
        if seen.method == "GET":
            name = seen.url.split("/storageAccounts/", 1)[1].split("/", 1)[0]
            return policy_answers.get(name, NO_POLICY)
        query = seen.body["query"]
        for table, reply in (tables or {}).items():
            if query.startswith(table):
                return reply
        if query.startswith("resources"):
            return Reply(200, {"totalRecords": len(rows), "count": len(rows), "resultTruncated": "false",
                               "data": rows})
        return EMPTY

    return handler


def test_each_candidate_accounts_policy_is_read_once_when_inventory_lists_it():
    # given: stdocs has an enabled rule, stlake none (404 ManagementPolicyNotFound), starchive is refused (403)
    answers = {"stdocs": Reply(200, {"id": f"{ACCOUNT}/stdocs/managementPolicies/default",
                                     "name": "DefaultManagementPolicy", "properties": {"policy": POLICY}}),
               "starchive": Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no"}})}
    # when
    collected, arm = run(estate(answers))
    # then: one GET per StorageV2/BlobStorage account with properties; v1 and property-less accounts never asked
    gets = [r.url for r in arm.requests if r.method == "GET"]
    assert sorted(u.split("/storageAccounts/")[1].split("?")[0] for u in gets) == [
        f"{name}/managementPolicies/default" for name in ("starchive", "stdocs", "stlake")]
    assert all("api-version=2024-01-01" in u for u in gets)
    policies = collected.data["management_policies"]
    assert policies == {f"{ACCOUNT}/stdocs".lower(): {"status": 200, "policy": POLICY},
                        f"{ACCOUNT}/stlake".lower(): {"status": 404},
                        f"{ACCOUNT}/starchive".lower(): {"status": 403, "code": "AuthorizationFailed"}}
    assert collected.data["reads"] == {"calls": 3, "throttled": 0, "policy_candidates": 3, "policies_unknown": 0}


def test_a_policy_read_throttled_waits_retry_after_and_then_records_429_when_it_stays_throttled():
    throttled = Reply(429, {"error": {"code": "SubscriptionRequestsThrottled", "message": "x"}},
                      {"Retry-After": "2", "x-ms-ratelimit-remaining-subscription-reads": "0"})
    waits: list[float] = []
    arm = FakeArm(estate({"stlake": throttled}))
    client = resource_graph_client(FakeCredential(), transport=arm, retry_total=0)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    collected = collect(request, client=client, sleep=waits.append)
    assert collected.data["management_policies"][f"{ACCOUNT}/stlake".lower()] == {
        "status": 429, "code": "SubscriptionRequestsThrottled"}
    assert 2.0 in waits and collected.data["reads"]["throttled"] == 4


def test_accounts_gone_or_unread_stay_unknown_when_no_answer_says_anything_about_their_policy():
    gone = Reply(404, {"error": {"code": "ResourceNotFound", "message": "gone"}})
    collected, _ = run(estate({"stlake": gone}), read_budget_s=60.0)
    assert f"{ACCOUNT}/stlake".lower() not in collected.data["management_policies"]
    assert collected.data["reads"]["policies_unknown"] == 1
    # and with no time left, nothing is read and nothing is claimed
    collected, arm = run(estate({}), read_budget_s=0.0)
    assert collected.data["management_policies"] == {} and not [r for r in arm.requests if r.method == "GET"]
    assert collected.data["reads"]["policies_unknown"] == 3


def test_optional_tables_are_kept_and_types_lowered_when_read():
    tables = {"recoveryservicesresources": Reply(200, {"totalRecords": 1, "count": 1, "resultTruncated": "false",
                                                       "data": [ITEM]}),
              "policyresources": Reply(200, {"totalRecords": 1, "count": 1, "resultTruncated": "false",
                                             "data": [ASSIGNMENT]})}
    collected, arm = run(estate({}, tables))
    assert collected.data["recovery_services"][0]["type"] == str(ITEM["type"]).lower()
    assert collected.data["policy_assignments"][0]["properties"]["scope"].endswith("/mg1")
    sent = {r.body["query"].split(" ", 1)[0]: r.body["options"] for r in arm.requests if r.method == "POST"}
    assert sent["policyresources"]["authorizationScopeFilter"] == "AtScopeAboveAndBelow"
    assert collected.data["missing"] == {}


def test_a_refused_optional_table_is_named_in_missing_and_the_inventory_kept_when_the_service_says_no():
    bad = Reply(400, {"error": {"code": "BadRequest", "details": [{"code": "InvalidQuery", "message": "x"}]}})
    collected, _ = run(estate({}, {"recoveryservicesresources": bad}))
    assert "recovery_services" not in collected.data
    assert collected.data["missing"]["recovery_services"].startswith("Resource Graph query")
    assert len(collected.data["resources"]) == 5 and collected.data["policy_assignments"] == []


def test_policy_reads_get_only_what_the_inventory_left_of_the_task_budget_when_queries_were_slow():
    # given: the inventory queries took 475 of the task's 480 seconds, and the reads then find the clock past 480
    times = iter([0.0, 475.0, 475.0])
    arm = FakeArm(estate({}))
    client = resource_graph_client(FakeCredential(), transport=arm, retry_total=0)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    # when
    collected = collect(request, client=client, sleep=lambda s: None, clock=lambda: next(times, 481.0))
    # then: nothing is read past the budget, and every candidate stays unknown rather than "none set"
    assert collected.data["management_policies"] == {}
    assert collected.data["reads"] == {"calls": 0, "throttled": 0, "policy_candidates": 3, "policies_unknown": 3}
    assert not [r for r in arm.requests if r.method == "GET"]
