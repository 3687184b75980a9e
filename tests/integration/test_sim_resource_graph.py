"""Resource Graph through the real ResourceGraphClient: paging, formats, scoping, quota and errors."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from tests.integration.sim_fixtures import (
    CONTOSO,
    DEV,
    FABRIKAM,
    FABRIKAM_APP,
    FEDERATED_OBJECT,
    PROD,
    READER,
    SANDBOX,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]


def client(sim, certs, tenant=CONTOSO, app=READER, **kwargs: Any) -> ResourceGraphClient:
    cred = secret_credential(sim, certs, tenant, app[0], app[1])
    return ResourceGraphClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0, **kwargs)


def run(rg: ResourceGraphClient, query: str, subs: list[str], **options):
    return rg.resources(QueryRequest(subscriptions=subs, query=query, options=QueryRequestOptions(**options)))


def test_paging_with_skip_tokens_reaches_every_row_when_top_is_small(sim, sim_certs):
    rg, rows, token, pages = client(sim, sim_certs), [], None, 0
    while True:
        page = run(rg, "Resources | project id, name | order by id asc", [PROD, DEV], top=2, skip_token=token)
        rows += page.data
        pages += 1
        token = page.skip_token
        if not token:
            break
    assert (len(rows), len({r["id"] for r in rows}), pages, page.total_records) == (6, 6, 3, 6)


def test_result_truncated_is_a_string_when_answered(sim, sim_certs):
    page = run(client(sim, sim_certs), "Resources | project id", [PROD])
    assert page.result_truncated == "false"


def test_take_truncates_without_skip_token_when_page_is_smaller(sim, sim_certs):
    page = run(client(sim, sim_certs), "Resources | order by id asc | take 4 | project id", [PROD], top=2)
    assert (page.result_truncated, page.skip_token, page.count) == ("true", None, 2)


def test_table_format_returns_columns_and_rows_when_asked(sim, sim_certs):
    page = run(client(sim, sim_certs), "Resources | where name == 'disk-orphan-01' | project id, name, "
               "size = toint(properties.diskSizeGB)", [PROD], result_format="table")
    assert page.data["columns"] == [{"name": "id", "type": "string"}, {"name": "name", "type": "string"},
                                    {"name": "size", "type": "integer"}]
    assert page.data["rows"][0][1:] == ["disk-orphan-01", 128]


def test_unreadable_subscription_is_left_out_when_mixed_with_readable(sim, sim_certs):
    page = run(client(sim, sim_certs), "Resources | project subscriptionId", [PROD, SANDBOX])
    assert {r["subscriptionId"] for r in page.data} == {PROD}


def test_query_is_refused_403_when_no_requested_subscription_is_readable(sim, sim_certs):
    with pytest.raises(HttpResponseError) as caught:
        run(client(sim, sim_certs), "Resources | project id", [SANDBOX])
    assert caught.value.error is not None
    assert (caught.value.status_code, caught.value.error.code) == (403, "AccessDenied")


def test_other_tenant_sees_only_its_own_resources_when_querying_every_subscription(sim, sim_certs):
    page = run(client(sim, sim_certs, FABRIKAM, FABRIKAM_APP), "Resources | project subscriptionId", [])
    assert {r["subscriptionId"] for r in page.data} == {"22222222-2222-0000-0000-000000000001"}


def test_resource_containers_carry_quota_id_when_subscription_is_listed(sim, sim_certs):
    page = run(client(sim, sim_certs), "ResourceContainers | where type == 'microsoft.resources/subscriptions' "
               "| project subscriptionId, quotaId = tostring(properties.subscriptionPolicies.quotaId)", [PROD])
    assert page.data == [{"subscriptionId": PROD, "quotaId": "EnterpriseAgreement_2014-09-01"}]


ASSIGNMENTS = ("authorizationresources | where type =~ 'microsoft.authorization/roleassignments' "
               f"| where tostring(properties.principalId) =~ '{READER[2]}' "
               "| project role = tostring(properties.roleDefinitionId), scope = tostring(properties.scope)")


def raw_query(rg: ResourceGraphClient, body: dict[str, Any]) -> dict[str, Any]:
    """Send the body verbatim (the SDK model drops authorizationScopeFilter) and return the JSON answer."""
    captured: dict[str, Any] = {}
    rg.resources(io.BytesIO(json.dumps(body).encode()), content_type="application/json",
                 cls=lambda resp, _body, _headers: captured.update(resp.http_response.json()))
    return captured


def test_inherited_assignments_are_hidden_when_scope_filter_is_default(sim, sim_certs):
    page = raw_query(client(sim, sim_certs), {"subscriptions": [PROD, DEV], "query": ASSIGNMENTS})
    assert all("managementGroups" not in r["scope"] for r in page["data"]) and len(page["data"]) == 2


LOOK_ABOVE = {"subscriptions": [PROD, DEV], "query": ASSIGNMENTS,
              "options": {"authorizationScopeFilter": "AtScopeAboveAndBelow"}}


def test_authorization_resources_show_inherited_assignments_when_looking_above(sim, sim_certs):
    # authorizationScopeFilter exists from api-version 2022-10-01 (the SDK's default 2021-03-01 lacks it).
    rg = client(sim, sim_certs, api_version="2022-10-01")
    roles = {(r["role"].rsplit("/", 1)[-1], r["scope"]) for r in raw_query(rg, LOOK_ABOVE)["data"]}
    assert roles == {("acdd72a7-3385-48ef-bd42-f606fba81ae7", f"/subscriptions/{PROD}"),
                     ("72fafb9e-0641-4937-9268-a91bfd8191a3", f"/subscriptions/{PROD}"),
                     ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "/providers/Microsoft.Management/managementGroups/"
                                                              "mg-contoso")}


def test_role_definitions_list_actions_when_custom_role_exists(sim, sim_certs):
    query = ("authorizationresources | where type == 'microsoft.authorization/roledefinitions' "
             "| where properties.roleName == 'Cost Tagger' | project actions = properties.permissions")
    page = run(client(sim, sim_certs), query, [PROD])
    assert page.data[0]["actions"][0]["actions"] == ["Microsoft.Resources/tags/write"]


def test_removed_role_disappears_when_role_is_removed(sim, sim_certs):
    sim.remove_role(CONTOSO, FEDERATED_OBJECT, "Cost Management Reader")
    query = (f"authorizationresources | where tostring(properties.principalId) == '{FEDERATED_OBJECT}' "
             "| project id")
    assert len(run(client(sim, sim_certs), query, [PROD]).data) == 2


def test_advisor_resources_hold_recommendations_when_queried(sim, sim_certs):
    page = run(client(sim, sim_certs), "advisorresources | where properties.category == 'Cost' | project id", [PROD])
    assert page.count == 3


def test_quota_headers_count_down_when_queries_repeat(sim, sim_certs):
    rg, seen = client(sim, sim_certs), []
    for _ in range(2):
        rg.resources(QueryRequest(subscriptions=[PROD], query="Resources | project id"),
                     cls=lambda resp, body, headers: seen.append(resp.http_response.headers))
    assert [h["x-ms-user-quota-remaining"] for h in seen] == ["14", "13"]
    assert seen[0]["x-ms-user-quota-resets-after"] == "00:00:05"


def test_query_gets_429_with_quota_headers_when_quota_is_spent(sim, sim_certs):
    rg = client(sim, sim_certs)
    for _ in range(15):
        run(rg, "Resources | project id", [PROD])
    with pytest.raises(HttpResponseError) as caught:
        run(rg, "Resources | project id", [PROD])
    headers: Any = caught.value.response.headers  # type: ignore[union-attr]
    assert (caught.value.status_code, headers["x-ms-user-quota-remaining"]) == (429, "0")
    assert headers["x-ms-user-quota-resets-after"].startswith("00:00:0") and 1 <= int(headers["Retry-After"]) <= 5
    assert sim.stats()["throttled"] == {"resource_graph": 1}


def test_invalid_query_is_answered_400_when_kql_is_unsupported(sim, sim_certs):
    with pytest.raises(HttpResponseError) as caught:
        run(client(sim, sim_certs), "Resources | mv-expand zones", [PROD])
    assert caught.value.error is not None
    assert (caught.value.status_code, caught.value.error.code) == (400, "BadRequest")


def test_top_above_1000_is_refused_when_sent(sim, sim_certs):
    with pytest.raises(HttpResponseError) as caught:
        run(client(sim, sim_certs), "Resources | project id", [PROD], top=1001)
    assert caught.value.status_code == 400


def test_management_group_scope_queries_its_subscriptions_when_given(sim, sim_certs):
    page = raw_query(client(sim, sim_certs), {"managementGroups": ["mg-contoso"],
                                              "query": "Resources | project subscriptionId"})
    assert {r["subscriptionId"] for r in page["data"]} == {DEV}


def test_skip_is_ignored_when_query_uses_take(sim, sim_certs):
    page = run(client(sim, sim_certs), "Resources | order by id asc | take 2 | project id", [PROD], skip=1)
    first = run(client(sim, sim_certs), "Resources | order by id asc | project id", [PROD], top=1)
    assert page.data[0] == first.data[0]


@pytest.mark.parametrize("version", ["2022-10-01", "2024-04-01"])
def test_scope_filter_is_honoured_when_api_version_has_it(sim, sim_certs, version):
    rows = raw_query(client(sim, sim_certs, api_version=version), LOOK_ABOVE)["data"]
    assert any("managementGroups" in r["scope"] for r in rows)


def test_scope_filter_is_ignored_when_api_version_predates_it(sim, sim_certs):
    # The SDK's default 2021-03-01: QueryRequestOptions has no authorizationScopeFilter, so inherited
    # (management-group) assignments stay hidden even when the option is sent.
    rg = client(sim, sim_certs)
    rows = raw_query(rg, LOOK_ABOVE)["data"]
    assert rg._config.api_version == "2021-03-01" and len(rows) == 2
    assert all("managementGroups" not in r["scope"] for r in rows)


def test_unknown_api_version_is_refused_400_when_sent(sim, sim_certs):
    with pytest.raises(HttpResponseError) as caught:
        run(client(sim, sim_certs, api_version="2023-01-01"), "Resources | project id", [PROD])
    assert caught.value.error is not None
    assert (caught.value.status_code, caught.value.error.code) == (400, "NoRegisteredProviderFound")
