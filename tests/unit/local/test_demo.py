"""The demo's onboarding form and report headlines, from an estate."""

import base64
from pathlib import Path

import pytest

from local.demo import CustomerResult, DemoError, _read_headlines, onboarding_body, slugify
from local.estates.model import Estate, parse_estate
from local.stack import secret_store_key

CALETA_APP = "11111111-1111-1111-1111-111111111111"


def _estate(applications: list[dict[str, object]]) -> Estate:
    return parse_estate({
        "caleta": {"tenant_id": "00000000-0000-0000-0000-00000000000c", "app_client_id": CALETA_APP,
                   "managed_identity_client_id": "22222222-2222-2222-2222-222222222222",
                   "managed_identity_object_id": "33333333-3333-3333-3333-333333333333"},
        "tenants": [{"tenant_id": "44444444-4444-4444-4444-444444444444", "display_name": "Acme & Sons Ltd",
                     "default_domain": "acme.example", "applications": applications,
                     "subscriptions": [{"subscription_id": "55555555-5555-5555-5555-555555555555",
                                        "display_name": "prod"}]}],
    })


def test_client_secret_mode_uses_newest_secret_when_tenant_has_own_app() -> None:
    estate = _estate([{"client_id": "66666666-6666-6666-6666-666666666666",
                       "object_id": "77777777-7777-7777-7777-777777777777",
                       "secrets": [{"value": "old", "expires": "2020-01-01T00:00:00Z"},
                                   {"value": "new", "expires": "2099-01-01T00:00:00Z"}]}])
    body = onboarding_body(estate.tenants[0], estate)
    assert body["auth"] == {"mode": "client_secret", "client_id": "66666666-6666-6666-6666-666666666666",
                            "client_secret": "new"}
    assert body["contact_email"] == "finance@acme.example"
    assert body["subscription_ids"] == ["55555555-5555-5555-5555-555555555555"]
    assert (body["company"], body["schedule"]) == ("Acme & Sons Ltd", "weekly")


def test_federated_mode_when_tenant_uses_caletas_app() -> None:
    estate = _estate([{"client_id": CALETA_APP, "object_id": "77777777-7777-7777-7777-777777777777",
                       "federated": True}])
    assert onboarding_body(estate.tenants[0], estate, "h" * 43)["auth"] == {"mode": "federated", "proof": "h" * 43}


def test_demo_error_when_tenant_has_no_usable_application() -> None:
    estate = _estate([])
    with pytest.raises(DemoError):
        onboarding_body(estate.tenants[0], estate)


def test_slug_is_filesystem_safe_when_name_has_symbols() -> None:
    assert slugify("Acme & Sons <Ltd>") == "acme-sons-ltd"


def test_headlines_are_read_when_report_has_summary_section() -> None:
    result = CustomerResult(company="x", slug="x")
    _read_headlines(result, {"findings": [{}, {}], "summary": {"total_monthly_savings": 12.5, "currency": "GBP"}})
    assert (result.findings, result.savings, result.currency) == (2, 12.5, "GBP")


def test_headlines_come_from_totals_when_report_has_totals_section() -> None:
    result = CustomerResult(company="x", slug="x")
    report = {"currency": "GBP", "subscriptions": [{}, {}, {}], "findings": [{}],
              "totals": {"monthly_savings": 4907.81, "currency": "GBP", "findings": 36}}
    _read_headlines(result, report)
    assert (result.findings, result.savings, result.currency, result.subscriptions) == (36, 4907.81, "GBP", 3)


def test_secret_store_key_is_stable_when_read_twice(tmp_path: Path) -> None:
    first = secret_store_key(tmp_path)
    assert secret_store_key(tmp_path) == first
    assert len(base64.b64decode(first)) == 32
    assert (tmp_path / "secret-store.key").stat().st_mode & 0o077 == 0
