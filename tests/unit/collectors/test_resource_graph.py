"""Resource Graph collector over a fake ARM: both tables, every page, fail closed, lower-case types."""

from __future__ import annotations

from typing import Any

import pytest

from shared.arm import resource_graph_client
from shared.collectors import CollectRequest
from shared.collectors.resource_graph import collect
from shared.errors import AccessDenied, TransientError
from tests.unit.collectors.fake_arm import FakeArm, FakeCredential, Reply, Seen

SUB = "aaaaaaaa-0000-0000-0000-000000000001"


def run(handler: Any) -> tuple[Any, FakeArm]:
    arm = FakeArm(handler)
    client = resource_graph_client(FakeCredential(), transport=arm, retry_total=0)
    request = CollectRequest(scan_id="s1", subscription_id=SUB, tenant_id="t1", credential=FakeCredential())
    return collect(request, client=client, sleep=lambda s: None), arm


def resources(seen: Seen) -> Reply:
    token = (seen.body.get("options") or {}).get("$skipToken")
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
    assert all(r.body["subscriptions"] == [SUB] for r in arm.requests)


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
