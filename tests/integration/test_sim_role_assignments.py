"""Role assignments: propagation on the simulator's clock (ARM vs Resource Graph), the ARM list API with its
filters, role definitions by id, and roles given to groups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.costmanagement import CostManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest

from local.simulator import SimOptions, Simulator
from local.simulator.control_arm import grant_role
from tests.integration.sim_fixtures import (
    CONTOSO,
    PROD,
    READER,
    SANDBOX,
    TAGGER,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)
from tests.integration.sim_variants import running, small_estate, write_estate

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]
READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
GROUP = "11111111-0000-0000-0000-0000000000c1"
NESTED = "11111111-0000-0000-0000-0000000000c2"
API = "api-version=2022-04-01"


def graph(sim, certs, app=READER) -> ResourceGraphClient:
    cred = secret_credential(sim, certs, CONTOSO, app[0], app[1])
    return ResourceGraphClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)


def arm(sim, certs, app=READER) -> CostManagementClient:
    """Any management client: send_request goes through the ARM pipeline with a bearer token."""
    cred = secret_credential(sim, certs, CONTOSO, app[0], app[1])
    return CostManagementClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)


def tagger_roles_in_graph(sim, certs) -> list[str]:
    query = ("authorizationresources | where type =~ 'microsoft.authorization/roleassignments' "
             f"| where tostring(properties.principalId) =~ '{TAGGER[2]}' "
             "| project role = tostring(properties.roleDefinitionId)")
    page = graph(sim, certs).resources(QueryRequest(subscriptions=[PROD], query=query))
    return sorted(r["role"].rsplit("/", 1)[-1] for r in cast(list[dict[str, Any]], page.data))


def listed(sim, certs, path: str, flt: str | None = None, app=READER) -> Any:
    query = f"?{API}" + (f"&$filter={flt}" if flt else "")
    return arm(sim, certs, app).send_request(HttpRequest("GET", path + query))


def test_new_assignment_reaches_resource_graph_only_after_its_freshness_delay(sim, sim_certs):
    sim.state.clock.pin(0)
    grant_role(sim.state, CONTOSO, TAGGER[2], "Monitoring Reader", f"/subscriptions/{PROD}")
    before = tagger_roles_in_graph(sim, sim_certs)
    sim.state.clock.advance(29)
    still = tagger_roles_in_graph(sim, sim_certs)
    sim.state.clock.advance(1)
    after = tagger_roles_in_graph(sim, sim_certs)
    assert (len(before), len(still), len(after)) == (1, 1, 2)
    assert "43d0d8ad-25c7-4714-9337-8ba259a9fe05" in after


def test_new_reader_grants_access_only_after_arm_propagation(sim, sim_certs):
    sim.state.clock.pin(0)
    grant_role(sim.state, CONTOSO, TAGGER[2], "Reader", f"/subscriptions/{PROD}")
    query = QueryRequest(subscriptions=[PROD], query="Resources | project id")
    sim.state.clock.advance(599)
    with pytest.raises(HttpResponseError) as caught:
        graph(sim, sim_certs, TAGGER).resources(query)
    sim.state.clock.advance(1)
    assert (caught.value.status_code, graph(sim, sim_certs, TAGGER).resources(query).count) == (403, 5)


def test_list_for_scope_shows_a_new_assignment_at_once_when_arm_still_lags(sim, sim_certs):
    sim.state.clock.pin(0)
    grant_role(sim.state, CONTOSO, TAGGER[2], "Reader", f"/subscriptions/{PROD}")
    body = listed(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments",
                  f"principalId eq '{TAGGER[2]}'").json()
    roles = sorted(a["properties"]["roleDefinitionId"] for a in body["value"])
    assert roles == [f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleDefinitions/"
                     "99999999-0000-0000-0000-000000000001",
                     f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleDefinitions/{READER_ROLE}"]


def test_list_for_scope_has_the_rest_shape_when_listed(sim, sim_certs):
    body = listed(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments",
                  f"principalId eq '{READER[2]}'").json()
    first = body["value"][0]
    assert set(first) == {"properties", "id", "type", "name"}
    assert first["type"] == "Microsoft.Authorization/roleAssignments"
    assert first["id"] == f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments/{first['name']}"
    props = first["properties"]
    assert (props["principalId"], props["principalType"], props["scope"]) == (
        READER[2], "ServicePrincipal", f"/subscriptions/{PROD}")
    assert props["createdOn"].endswith("Z") and len(body["value"]) == 2


def test_list_for_scope_includes_management_group_assignments_above_when_filtered_by_principal(sim, sim_certs):
    dev = "11111111-1111-0000-0000-000000000002"
    body = listed(sim, sim_certs, f"/subscriptions/{dev}/providers/Microsoft.Authorization/roleAssignments",
                  f"principalId eq '{READER[2]}'").json()
    assert [a["properties"]["scope"] for a in body["value"]] == [
        "/providers/Microsoft.Management/managementGroups/mg-contoso"]
    assert body["value"][0]["properties"]["roleDefinitionId"] == (
        f"/providers/Microsoft.Authorization/roleDefinitions/{READER_ROLE}")


def test_at_scope_filter_leaves_out_resource_group_assignments_when_listed(sim, sim_certs):
    path = f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments"
    everything = listed(sim, sim_certs, path).json()["value"]
    at_scope = listed(sim, sim_certs, path, "atScope()").json()["value"]
    below = [a for a in everything if "/resourceGroups/" in a["properties"]["scope"]]
    assert below and len(at_scope) == len(everything) - len(below)


def test_list_is_refused_403_when_caller_cannot_read_role_assignments(sim, sim_certs):
    response = listed(sim, sim_certs, f"/subscriptions/{SANDBOX}/providers/Microsoft.Authorization/roleAssignments")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "AuthorizationFailed")


def test_unsupported_filter_is_refused_400_when_sent(sim, sim_certs):
    response = listed(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments",
                      "roleDefinitionId eq 'x'")
    assert response.status_code == 400


@pytest.mark.parametrize(("role_id", "name"), [(READER_ROLE, "Reader"),
                                               ("99999999-0000-0000-0000-000000000001", "Cost Tagger")])
def test_role_definition_is_returned_when_got_by_id(sim, sim_certs, role_id, name):
    body = listed(sim, sim_certs, f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleDefinitions/"
                                  f"{role_id}").json()
    assert (body["properties"]["roleName"], body["name"], body["type"]) == (
        name, role_id, "Microsoft.Authorization/roleDefinitions")


def test_unknown_role_definition_is_404_when_got(sim, sim_certs):
    response = listed(sim, sim_certs, "/providers/Microsoft.Authorization/roleDefinitions/"
                                      "00000000-0000-0000-0000-00000000dead")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "RoleDefinitionDoesNotExist")


def _control(sim, certs, method: str, name: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.request(method, f"{sim.base_url}/_sim/{name}", json=body, verify=str(certs.ca), timeout=10)


def test_control_endpoints_grant_a_role_and_move_the_clock_when_posted(sim, sim_certs):
    _control(sim, sim_certs, "POST", "clock", {"pin_s": 100})
    granted = _control(sim, sim_certs, "POST", "grant-role", {"tenant_id": CONTOSO, "principal_id": TAGGER[2],
                                                              "role": "Monitoring Reader",
                                                              "scope": f"/subscriptions/{PROD}"}).json()
    _control(sim, sim_certs, "POST", "clock", {"advance_s": 30})
    assert granted["granted_at_s"] == 100 and _control(sim, sim_certs, "GET", "clock").json() == {"now_s": 130}
    assert len(tagger_roles_in_graph(sim, sim_certs)) == 2


def test_reset_sets_the_clock_back_and_drops_grants_when_called(sim, sim_certs):
    sim.state.clock.advance(5000)
    grant_role(sim.state, CONTOSO, TAGGER[2], "Reader", f"/subscriptions/{PROD}")
    sim.reset()
    assert sim.state.clock.now() < 60 and len(tagger_roles_in_graph(sim, sim_certs)) == 1


@pytest.fixture(scope="module")
def grouped(sim_certs, tmp_path_factory) -> Iterator[Simulator]:
    """Reader on the sandbox given to a group that READER is in through a nested group; plus a Reader for the
    tagger made 20 s before the estate loaded whose Resource Graph row lags an hour (no upper bound)."""
    doc = small_estate()
    contoso = doc["tenants"][0]
    contoso["groups"] = [{"object_id": GROUP, "display_name": "Cost readers", "members": [NESTED]},
                         {"object_id": NESTED, "display_name": "Finance apps", "members": [READER[2]]}]
    sandbox = contoso["subscriptions"][2]
    sandbox["role_assignments"] = [
        {"principal_id": GROUP, "role": "Reader"},
        {"principal_id": TAGGER[2], "role": "Reader", "created_seconds_ago": 20, "graph_delay_seconds": 3600}]
    path = write_estate(doc, tmp_path_factory.mktemp("grouped"))
    with running(sim_certs, SimOptions(), path) as simulator:
        yield simulator


def test_role_given_to_a_group_reaches_its_nested_member_when_queried(grouped, sim_certs):
    page = graph(grouped, sim_certs).resources(QueryRequest(subscriptions=[SANDBOX], query="Resources | project name"))
    assert [r["name"] for r in cast(list[dict[str, Any]], page.data)] == ["pip-sbx"]


def test_assigned_to_filter_lists_the_group_assignment_when_listed(grouped, sim_certs):
    path = f"/subscriptions/{SANDBOX}/providers/Microsoft.Authorization/roleAssignments"
    mine = listed(grouped, sim_certs, path, f"assignedTo('{READER[2]}')").json()["value"]
    direct = listed(grouped, sim_certs, path, f"principalId eq '{READER[2]}'").json()["value"]
    assert [(a["properties"]["principalId"], a["properties"]["principalType"]) for a in mine] == [(GROUP, "Group")]
    assert direct == []


def test_estate_assignment_waits_out_both_delays_when_made_before_load(grouped, sim_certs):
    grouped.reset()
    query = QueryRequest(subscriptions=[SANDBOX], query="Resources | project name")
    roles = ("authorizationresources | where type =~ 'microsoft.authorization/roleassignments' "
             f"| where tostring(properties.principalId) =~ '{TAGGER[2]}' | project id")
    grouped.state.clock.pin(579)
    with pytest.raises(HttpResponseError):
        graph(grouped, sim_certs, TAGGER).resources(query)
    grouped.state.clock.pin(580)  # 20 s before load + 600 s
    visible_to_arm = graph(grouped, sim_certs, TAGGER).resources(query).count
    in_graph = graph(grouped, sim_certs).resources(QueryRequest(subscriptions=[SANDBOX], query=roles)).count
    grouped.state.clock.pin(3580)
    in_graph_later = graph(grouped, sim_certs).resources(QueryRequest(subscriptions=[SANDBOX], query=roles)).count
    assert (visible_to_arm, in_graph, in_graph_later) == (1, 0, 1)
