"""The estate model: validation, placeholders, derived columns, cost expansion and the committed schema."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from local.estates import expand_costs, load_estate, parse_estate
from local.estates.schema import SCHEMA_PATH, render_schema

SMALL = Path(__file__).resolve().parents[2] / "fixtures" / "estates" / "small.json"
TODAY = dt.date(2026, 11, 27)  # a Friday
VM_ID = ("/subscriptions/11111111-1111-0000-0000-000000000001/resourceGroups/rg-web-prod/providers/"
         "Microsoft.Compute/virtualMachines/vm-web-01")
SQL_ID = ("/subscriptions/11111111-1111-0000-0000-000000000001/resourceGroups/rg-data-prod/providers/"
          "Microsoft.Sql/servers/sql-01")


def small_doc() -> dict[str, Any]:
    return copy.deepcopy(json.loads(SMALL.read_text()))


def test_committed_schema_matches_models_when_generated():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema()


def test_days_ago_placeholder_resolves_to_iso_timestamp_when_loaded():
    estate = load_estate(SMALL, TODAY)
    disk = estate.tenants[0].subscriptions[0].resources[1]
    assert disk["properties"]["timeCreated"] == "2026-10-18T00:00:00Z"


def test_resource_group_subscription_and_tenant_are_derived_when_omitted():
    row = load_estate(SMALL, TODAY).tenants[0].subscriptions[0].resources[0]
    assert (row["resourceGroup"], row["subscriptionId"], row["tenantId"]) == (
        "rg-web-prod", "11111111-1111-0000-0000-000000000001", "11111111-0000-0000-0000-000000000001")


def test_resource_type_is_lower_cased_when_loaded():
    row = load_estate(SMALL, TODAY).tenants[0].subscriptions[0].resources[0]
    assert row["type"] == "microsoft.compute/virtualmachines"


def test_role_assignment_scope_defaults_to_subscription_when_omitted():
    sub = load_estate(SMALL, TODAY).tenants[0].subscriptions[0]
    assert sub.role_assignments[0].scope == "/subscriptions/11111111-1111-0000-0000-000000000001"


def test_load_fails_when_role_is_unknown():
    doc = small_doc()
    doc["tenants"][0]["subscriptions"][0]["role_assignments"][0]["role"] = "Janitor"
    with pytest.raises(ValidationError, match="unknown role"):
        parse_estate(doc, TODAY)


def test_load_fails_when_key_is_misspelt():
    doc = small_doc()
    doc["tenants"][0]["subscriptions"][0]["costs"][0]["daily_cots"] = 1.0
    with pytest.raises(ValidationError):
        parse_estate(doc, TODAY)


def test_load_fails_when_resource_has_no_id():
    doc = small_doc()
    del doc["tenants"][0]["subscriptions"][0]["resources"][0]["id"]
    with pytest.raises(ValidationError, match="'id'"):
        parse_estate(doc, TODAY)


def test_load_fails_when_currency_has_no_usd_rate():
    doc = small_doc()
    doc["usd_rates"] = {"GBP": 1.27}
    with pytest.raises(ValidationError, match="EUR"):
        parse_estate(doc, TODAY)


def test_expansion_yields_one_row_per_day_when_window_is_default():
    sub = load_estate(SMALL, TODAY).tenants[0].subscriptions[0]
    rows = [r for r in expand_costs(sub, TODAY) if r.dims["ResourceId"] == VM_ID]
    assert [r.date for r in rows] == [TODAY - dt.timedelta(days=n) for n in range(90, 0, -1)]


def test_weekend_factor_applies_when_day_is_saturday():
    sub = load_estate(SMALL, TODAY).tenants[0].subscriptions[0]
    by_day = {r.date: r.cost for r in expand_costs(sub, TODAY) if r.dims["ResourceId"] == VM_ID}
    assert (by_day[dt.date(2026, 11, 21)], by_day[dt.date(2026, 11, 20)]) == (5.0, 10.0)


def test_amortized_rate_is_used_when_kind_is_amortized():
    sub = load_estate(SMALL, TODAY).tenants[0].subscriptions[0]
    rows = [r for r in expand_costs(sub, TODAY, "AmortizedCost") if r.dims["ResourceId"] == VM_ID]
    assert rows[-1].cost == 7.5


def test_growth_ends_at_stated_rate_and_spike_adds_when_expanded():
    sub = load_estate(SMALL, TODAY).tenants[0].subscriptions[0]
    by_day = {r.date: r.cost for r in expand_costs(sub, TODAY) if r.dims["ResourceId"] == SQL_ID}
    assert by_day[TODAY - dt.timedelta(days=1)] == 20.0
    assert by_day[TODAY - dt.timedelta(days=2)] == pytest.approx(20.0 / 1.01)
    assert by_day[TODAY - dt.timedelta(days=12)] == pytest.approx(20.0 / 1.01 ** 11 + 350.0)


def test_usd_cost_uses_estate_rate_when_currency_is_eur():
    sub = load_estate(SMALL, TODAY).tenants[1].subscriptions[0]
    row = next(iter(expand_costs(sub, TODAY)))
    assert (row.currency, row.cost) == ("EUR", 4.0)
    assert row.cost_usd == pytest.approx(4.32)


def test_rows_carry_resource_type_and_tags_when_resource_is_known():
    sub = load_estate(SMALL, TODAY).tenants[0].subscriptions[0]
    row = next(r for r in expand_costs(sub, TODAY) if r.dims["ResourceId"] == VM_ID)
    assert (row.dims["ResourceType"], row.tags["owner"]) == ("microsoft.compute/virtualmachines", "web")


def test_days_ago_placeholder_resolves_when_parsed_from_a_dict():
    doc = small_doc()
    estate = parse_estate(doc, TODAY)
    assert estate.tenants[0].subscriptions[0].advisor[0]["properties"]["lastUpdated"] == "2026-11-25T00:00:00Z"


# --- identity (Entra ID) fields: all optional, older estates unchanged -----------------------------------------

def test_older_estate_gets_identity_defaults_when_loaded():
    estate = load_estate(SMALL, TODAY)
    caleta, contoso = estate.caleta, estate.tenants[0]
    assert (caleta.redirect_uris, caleta.group_membership_claims, caleta.secrets, caleta.users, caleta.admin_api) == (
        [], "DirectoryRole", [], [], None)
    assert contoso.users == [] and all(not a.deleted and a.consented for a in contoso.applications)


def test_default_federated_credential_trusts_caleta_managed_identity_when_none_listed():
    caleta = load_estate(SMALL, TODAY).caleta
    [fic] = caleta.effective_federated_credentials()
    assert (fic.issuer, fic.subject, fic.audiences) == (
        f"https://login.microsoftonline.com/{caleta.tenant_id}/v2.0", caleta.managed_identity_object_id,
        ["api://AzureADTokenExchange"])


def test_empty_federated_credentials_list_means_none_when_given():
    doc = small_doc()
    doc["caleta"]["federated_credentials"] = []
    assert parse_estate(doc, TODAY).caleta.effective_federated_credentials() == []


def test_user_roles_map_to_template_ids_with_the_default_role_when_parsed():
    doc = small_doc()
    roles = ["Application Administrator", "AAAAAAAA-0000-0000-0000-00000000000A"]
    doc["tenants"][0]["users"] = [{"object_id": "u1", "user_principal_name": "a@b.example", "directory_roles": roles}]
    user = parse_estate(doc, TODAY).tenants[0].users[0]
    assert user.role_template_ids() == ["9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "aaaaaaaa-0000-0000-0000-00000000000a",
                                        "b79fbf4d-3ef9-4689-8143-76b194e85509"]
    assert user.can_consent() and not user.declines_consent and user.mfa


def test_load_fails_when_directory_role_is_unknown():
    doc = small_doc()
    doc["tenants"][0]["users"] = [{"object_id": "u1", "user_principal_name": "a@b.example",
                                   "directory_roles": ["Tea Administrator"]}]
    with pytest.raises(ValidationError, match="unknown directory role"):
        parse_estate(doc, TODAY)


def test_load_fails_when_a_customer_principal_awaits_consent():
    doc = small_doc()
    doc["tenants"][0]["applications"][0]["consented"] = False
    with pytest.raises(ValidationError, match="consented: false"):
        parse_estate(doc, TODAY)


def test_load_fails_when_group_membership_claims_is_not_a_manifest_value():
    doc = small_doc()
    doc["caleta"]["group_membership_claims"] = "Roles"
    with pytest.raises(ValidationError):
        parse_estate(doc, TODAY)


def test_implicit_admin_is_a_stable_global_administrator_when_derived():
    from local.estates.identity import implicit_admin
    first, again = implicit_admin("T-1", "t.example"), implicit_admin("t-1", "t.example")
    assert first == again and first.user_principal_name == "admin@t.example" and first.can_consent()

def test_access_fields_default_to_visible_at_once_and_everything_registered_when_omitted():
    estate = load_estate(SMALL, TODAY)
    sub, tenant = estate.tenants[0].subscriptions[0], estate.tenants[0]
    assert (sub.cost_error, sub.registered_providers, tenant.groups) == (None, None, [])
    assert all(a.created_at() is None for a in sub.role_assignments)


def test_cost_error_and_propagation_fields_load_when_given():
    doc = small_doc()
    sub = doc["tenants"][0]["subscriptions"][0]
    sub["cost_error"] = {"code": "AccountCostDisabled"}
    sub["registered_providers"] = ["Microsoft.Compute"]
    sub["role_assignments"][0]["created_seconds_ago"] = 45
    doc["tenants"][0]["groups"] = [{"object_id": "g", "members": ["11111111-0000-0000-0000-0000000000b1"]}]
    loaded = parse_estate(doc, TODAY).tenants[0]
    assert loaded.subscriptions[0].cost_error is not None and loaded.subscriptions[0].cost_error.status is None
    assert loaded.subscriptions[0].role_assignments[0].created_at() == -45
    assert loaded.groups[0].members == ["11111111-0000-0000-0000-0000000000b1"]


@pytest.mark.parametrize(("field", "value"), [("cost_error", {"code": "CostIsSecret"}),
                                              ("cost_error", {"code": "401", "status": 200})])
def test_load_fails_when_cost_error_is_not_an_azure_refusal(field: str, value: Any):
    doc = small_doc()
    doc["tenants"][0]["subscriptions"][0][field] = value
    with pytest.raises(ValidationError):
        parse_estate(doc, TODAY)
