"""Cost Management through the real CostManagementClient: shape, paging, 204, QPU quota and role checks."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.costmanagement import CostManagementClient
from azure.mgmt.costmanagement.models import QueryDefinition

from local.estates import expand_costs
from local.estates.model import CostError
from local.simulator import SimOptions
from tests.integration.sim_fixtures import (
    CONTOSO,
    PROD,
    READER,
    TAGGER,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)
from tests.integration.sim_variants import running

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]
SCOPE = f"/subscriptions/{PROD}"


def client(sim, certs, app=READER) -> CostManagementClient:
    cred = secret_credential(sim, certs, CONTOSO, app[0], app[1])
    return CostManagementClient(cred, base_url=sim.base_url, connection_verify=str(certs.ca), retry_total=0)


def definition(days: int = 30, granularity: str = "Daily", grouping: list[dict[str, str]] | None = None,
               kind: str = "ActualCost", **extra: Any) -> dict[str, Any]:
    end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    return {"type": kind, "timeframe": "Custom",
            "timePeriod": {"from": f"{start}T00:00:00Z", "to": f"{end}T23:59:59Z"},
            "dataset": {"granularity": granularity,
                        "aggregation": {"totalCost": {"name": "Cost", "function": "Sum"},
                                        "totalCostUSD": {"name": "CostUSD", "function": "Sum"}},
                        "grouping": grouping if grouping is not None else [{"type": "Dimension", "name": "ResourceId"}],
                        **extra}}


def usage(cm: CostManagementClient, scope: str, parameters: dict[str, Any], **kwargs: Any) -> Any:
    """The SDK call with a typed body; Any so tests can read the result without None checks."""
    return cm.query.usage(scope=scope, parameters=QueryDefinition(parameters), **kwargs)


def all_rows(cm: CostManagementClient, body: dict[str, Any]) -> tuple[list[list[Any]], int]:
    result = usage(cm, scope=SCOPE, parameters=body)
    rows, pages = list(result.properties.rows), 1
    while result.properties.next_link:
        token = parse_qs(urlsplit(result.properties.next_link).query)["$skiptoken"][0]
        result = usage(cm, scope=SCOPE, parameters=body, params={"$skiptoken": token})
        rows += result.properties.rows
        pages += 1
    return rows, pages


def test_columns_are_aggregations_date_groupings_currency_when_daily(sim, sim_certs):
    result = usage(client(sim, sim_certs), scope=SCOPE, parameters=definition())
    assert [(c.name, c.type) for c in result.properties.columns] == [
        ("Cost", "Number"), ("CostUSD", "Number"), ("UsageDate", "Number"), ("ResourceId", "String"),
        ("Currency", "String")]


def test_next_link_paging_returns_every_row_when_rows_exceed_page(sim, sim_certs):
    rows, pages = all_rows(client(sim, sim_certs), definition())
    assert (len(rows), pages) == (150, 3)  # 5 resources x 30 days, 50 per page


def test_paged_total_equals_estate_expansion_when_summed(sim, sim_certs):
    rows, _ = all_rows(client(sim, sim_certs), definition())
    today = sim.state.today
    start = today - dt.timedelta(days=30)
    expected = sum(r.cost for r in expand_costs(sim.state.estate.subscription(PROD), today) if r.date >= start)
    assert sum(r[0] for r in rows) == pytest.approx(expected)


def test_usage_date_is_yyyymmdd_number_when_daily(sim, sim_certs):
    row = usage(client(sim, sim_certs), scope=SCOPE, parameters=definition()).properties.rows[0]
    assert isinstance(row[2], int) and 20200101 < row[2] < 21000101 and row[-1] == "GBP"


def test_amortized_cost_differs_when_line_has_amortized_rate(sim, sim_certs):
    cm = client(sim, sim_certs)
    grouping = [{"type": "Dimension", "name": "MeterCategory"}]
    actual = usage(cm, scope=SCOPE, parameters=definition(granularity="None", grouping=grouping))
    amortized = usage(cm, scope=SCOPE, parameters=definition(granularity="None", grouping=grouping,
                                                                 kind="AmortizedCost"))
    vm = {r[2]: r[0] for r in actual.properties.rows}["Virtual Machines"]
    vm_amortized = {r[2]: r[0] for r in amortized.properties.rows}["Virtual Machines"]
    assert vm_amortized < vm


def test_filter_keeps_only_matching_dimension_when_given(sim, sim_certs):
    body = definition(granularity="None", grouping=[{"type": "Dimension", "name": "ResourceGroupName"}],
                      filter={"dimensions": {"name": "MeterCategory", "operator": "In", "values": ["Storage"]}})
    rows = usage(client(sim, sim_certs), scope=SCOPE, parameters=body).properties.rows
    assert sorted(r[2] for r in rows) == ["rg-data-prod", "rg-web-prod"]


def test_tag_grouping_adds_tag_key_and_value_when_grouped_by_tag(sim, sim_certs):
    body = definition(granularity="None", grouping=[{"type": "TagKey", "name": "env"}])
    result = usage(client(sim, sim_certs), scope=SCOPE, parameters=body)
    assert [c.name for c in result.properties.columns][2:] == ["TagKey", "TagValue", "Currency"]
    assert {(r[2], r[3]) for r in result.properties.rows} == {("env", "prod"), ("", "")}


def test_resource_group_scope_limits_rows_when_scope_is_group(sim, sim_certs):
    body = definition(granularity="None", grouping=[{"type": "Dimension", "name": "ResourceGroupName"}])
    result = usage(client(sim, sim_certs), scope=f"{SCOPE}/resourceGroups/rg-web-prod", parameters=body)
    assert {r[2] for r in result.properties.rows} == {"rg-web-prod"}


def empty_window() -> dict[str, Any]:
    body = definition()
    start = dt.datetime.now(dt.UTC).date().replace(day=1) - dt.timedelta(days=700)  # long before any estate cost
    body["timePeriod"] = {"from": f"{start}T00:00:00Z", "to": f"{start + dt.timedelta(days=30)}T23:59:59Z"}
    return body


def test_no_cost_is_200_with_no_rows_when_window_has_no_costs(sim, sim_certs):
    result = usage(client(sim, sim_certs), scope=SCOPE, parameters=empty_window())
    assert (sim.request_log[-1].status, result.properties.rows, result.properties.next_link) == (200, [], None)
    assert [c.name for c in result.properties.columns][-1] == "Currency"


def test_no_content_is_204_when_window_has_no_costs_and_option_asks(sim_certs):
    with running(sim_certs, SimOptions(cm_empty_status=204)) as variant:
        assert usage(client(variant, sim_certs), scope=SCOPE, parameters=empty_window()) is None
        assert variant.request_log[-1].status == 204


def test_period_over_a_year_is_refused_when_custom(sim, sim_certs):
    body = definition()
    body["timePeriod"] = {"from": "2024-01-01T00:00:00Z", "to": "2025-06-30T23:59:59Z"}
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=body)
    assert caught.value.status_code == 400
    assert caught.value.error is not None and caught.value.error.code == "BadRequest"
    assert "Invalid query definition: The time period for pulling the data cannot exceed 1 year(s)" in str(
        caught.value.error.message)


def test_period_of_366_days_is_refused_and_365_answered_when_custom(sim, sim_certs):
    cm = client(sim, sim_certs)
    with pytest.raises(HttpResponseError) as caught:
        usage(cm, scope=SCOPE, parameters=definition(days=366, granularity="None"))
    assert caught.value.status_code == 400
    assert usage(cm, scope=SCOPE, parameters=definition(days=365, granularity="None")) is not None


def test_more_than_two_groupings_is_refused_when_sent(sim, sim_certs):
    grouping = [{"type": "Dimension", "name": n} for n in ("ResourceId", "MeterCategory", "ChargeType")]
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=definition(grouping=grouping))
    assert caught.value.status_code == 400


def test_success_carries_qpu_headers_when_answered(sim, sim_certs):
    seen: list[Any] = []
    usage(client(sim, sim_certs), scope=SCOPE, parameters=definition(days=60, granularity="None"),
                                       cls=lambda resp, body, headers: seen.append(resp.http_response.headers))
    qpu = "x-ms-ratelimit-microsoft.costmanagement-qpu"
    assert (seen[0][f"{qpu}-consumed"], seen[0][f"{qpu}-remaining"]) == (
        "2", "QueriesPerHour:598,QueriesPerMin:58,QueriesPer10Sec:10")


def test_tenant_quota_gives_429_with_qpu_retry_after_and_no_retry_after_when_spent(sim, sim_certs):
    cm = client(sim, sim_certs)
    usage(cm, scope=SCOPE, parameters=definition(days=360, granularity="None"))  # 12 QPU
    with pytest.raises(HttpResponseError) as caught:
        usage(cm, scope=SCOPE, parameters=definition(days=10, granularity="None"))
    headers: Any = caught.value.response.headers  # type: ignore[union-attr]
    assert caught.value.status_code == 429 and "Retry-After" not in headers
    assert 0 < int(headers["x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after"]) <= 10
    assert (sim.stats()["qpu_used"], sim.stats()["throttled"]) == (12, {"cost_management": 1})


def test_query_is_refused_rbac_access_denied_when_principal_lacks_cost_roles(sim, sim_certs):
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs, TAGGER), scope=SCOPE, parameters=definition())
    assert caught.value.error is not None
    assert (caught.value.status_code, caught.value.error.code) == (403, "RBACAccessDenied")


def test_query_is_refused_when_reader_and_cost_reader_are_removed(sim, sim_certs):
    sim.remove_role(CONTOSO, READER[2], "Reader")
    sim.remove_role(CONTOSO, READER[2], "Cost Management Reader")
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=definition())
    assert caught.value.status_code == 403
    # No role left in the subscription: ARM's own refusal, before Cost Management sees the query.
    assert caught.value.error is not None and caught.value.error.code == "AuthorizationFailed"


# (code, status) for each configured refusal; statuses Microsoft does not document are the simulator's choice
# (docs/estate-format.md, "Cost Management refusals").
COST_ERRORS = [("AccountCostDisabled", 401), ("DepartmentCostDisabled", 401), ("IndirectCostDisabled", 401),
               ("DisallowedOperation", 400), ("SubscriptionTypeNotSupported", 400),
               ("ReadOnlyDisabledSubscription", 409), ("InvalidAuthenticationTokenTenant", 401), ("401", 401),
               ("SubscriptionNotFound", 404), ("AuthorizationFailed", 403), ("BillingAccessDenied", 403),
               ("RBACAccessDenied", 403)]


@pytest.mark.parametrize(("code", "status"), COST_ERRORS)
def test_configured_cost_error_answers_its_code_and_status_when_queried(sim, sim_certs, monkeypatch, code, status):
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "cost_error", CostError(code=code))
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=definition())
    response: Any = caught.value.response
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert set(response.json()["error"]) == {"code", "message"}


def test_disallowed_operation_carries_arms_message_when_configured(sim, sim_certs, monkeypatch):
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "cost_error", CostError(code="DisallowedOperation"))
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=definition())
    assert caught.value.error is not None and caught.value.error.message == (
        "The current subscription type is not permitted to perform operations on any provider namespace. "
        "Please use a different subscription.")


def test_configured_status_and_message_override_the_defaults_when_given(sim, sim_certs, monkeypatch):
    error = CostError(code="SubscriptionTypeNotSupported", status=422, message="Sponsored offers have no cost data")
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "cost_error", error)
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=definition())
    assert (caught.value.status_code, str(caught.value.response.json()["error"]["message"])) == (  # type: ignore[union-attr]
        422, "Sponsored offers have no cost data")


def test_missing_role_still_wins_over_a_configured_cost_error_when_both_apply(sim, sim_certs, monkeypatch):
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "cost_error", CostError(code="AccountCostDisabled"))
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs, TAGGER), scope=SCOPE, parameters=definition())
    assert caught.value.error is not None and caught.value.error.code == "RBACAccessDenied"


def test_malformed_aggregation_is_400_when_not_an_object(sim, sim_certs):
    body = definition()
    body["dataset"]["aggregation"] = {"totalCost": "Cost"}
    with pytest.raises(HttpResponseError) as caught:
        usage(client(sim, sim_certs), scope=SCOPE, parameters=body)
    assert caught.value.status_code == 400
