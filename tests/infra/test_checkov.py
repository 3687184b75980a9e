"""checkov over infra/: it parses, nothing fails, every skip is a documented one, and Caleta's checks bite."""

from __future__ import annotations

from typing import Any

import pytest

from tests.infra.conftest import CheckovRuns

# Every skip allowed in infra/, with the resource it applies to. The reason lives next to the resource as
# `// checkov:skip=ID: reason`; docs/deploy.md ("checkov exceptions") explains each family.
DOCUMENTED_SKIPS = {
    ("CKV_AZURE_134", "Microsoft.CognitiveServices/accounts.account"),
    ("CKV_AZURE_225", "Microsoft.Web/serverfarms.plan"),
    ("CKV_AZURE_222", "Microsoft.Web/sites.site"),
    ("CKV_AZURE_17", "Microsoft.Web/sites.site"),
    ("CKV_AZURE_212", "Microsoft.Web/sites.site"),
    ("CKV_AZURE_213", "Microsoft.Web/sites.site"),
    ("CKV_AZURE_35", "Microsoft.Storage/storageAccounts.account"),
    ("CKV_AZURE_59", "Microsoft.Storage/storageAccounts.account"),
    ("CKV_AZURE_206", "Microsoft.Storage/storageAccounts.account"),
    ("CKV_AZURE_109", "Microsoft.KeyVault/vaults.vault"),
    ("CKV_AZURE_189", "Microsoft.KeyVault/vaults.vault"),
    ("CKV_AZURE_110", "Microsoft.KeyVault/vaults.vault"),
    ("CKV_AZURE_42", "Microsoft.KeyVault/vaults.vault"),
}

CUSTOM_CHECKS = [f"CKV_CALETA_{n}" for n in range(1, 9)]
# Deployment types that process prompts outside the account's region (Foundry deployment-types page): each has a
# deployment named deploy<Type> in the insecure fixture, and CKV_CALETA_6 must fail every one.
NON_REGIONAL_TYPES = ["GlobalStandard", "GlobalBatch", "GlobalProvisionedManaged", "DataZoneStandard", "DataZoneBatch",
                      "DataZoneProvisionedManaged", "DeveloperTier"]
REGIONAL_TYPES = ["Standard", "ProvisionedManaged"]
_DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"


def test_infra_parses_when_scanned_by_checkov(checkov_runs: CheckovRuns) -> None:
    assert checkov_runs.infra.parsing_errors == []
    assert checkov_runs.infra.summary["parsing_errors"] == 0


def test_no_check_fails_when_infra_is_scanned(checkov_runs: CheckovRuns) -> None:
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in checkov_runs.infra.failed]
    assert failed == []


def test_every_skip_is_documented_when_infra_is_scanned(checkov_runs: CheckovRuns) -> None:
    skipped = {(c["check_id"], c["resource"]) for c in checkov_runs.infra.skipped}
    assert skipped <= DOCUMENTED_SKIPS, sorted(skipped - DOCUMENTED_SKIPS)


def test_every_skip_gives_a_reason_when_infra_is_scanned(checkov_runs: CheckovRuns) -> None:
    reasons = {c["check_id"]: (c["check_result"].get("suppress_comment") or "").strip()
               for c in checkov_runs.infra.skipped}
    assert all(len(reason) >= 30 for reason in reasons.values()), reasons


def test_checkov_ran_its_own_checks_when_infra_is_scanned(checkov_runs: CheckovRuns) -> None:
    # Guards against a silently empty run (wrong framework, nothing found).
    assert checkov_runs.infra.summary["passed"] >= 20
    assert checkov_runs.infra.summary["resource_count"] >= 20


@pytest.mark.parametrize("check_id", CUSTOM_CHECKS)
def test_custom_check_passes_when_infra_is_scanned(checkov_runs: CheckovRuns, check_id: str) -> None:
    # A check that never ran (say, the __init__.py went missing) would pass nothing.
    assert check_id in {c["check_id"] for c in checkov_runs.infra.passed}


@pytest.mark.parametrize("check_id", CUSTOM_CHECKS)
def test_custom_check_fails_when_fixture_is_insecure(checkov_runs: CheckovRuns, check_id: str) -> None:
    failed = {c["check_id"] for c in checkov_runs.fixtures.failed if c["file_path"].endswith("insecure/main.bicep")}
    assert check_id in failed


def test_parse_error_is_reported_when_bicep_is_malformed(checkov_runs: CheckovRuns) -> None:
    # checkov exits 0 on a syntax error, so the tests above must read parsing_errors; prove they would see it.
    assert any(path.endswith("broken/main.bicep") for path in checkov_runs.fixtures.parsing_errors)


def _results(checks: list[dict[str, Any]], check_id: str, fixture: str) -> set[str]:
    return {c["resource"] for c in checks
            if c["check_id"] == check_id and c["file_path"].endswith(f"{fixture}/main.bicep")}


@pytest.mark.parametrize("sku", NON_REGIONAL_TYPES)
def test_model_deployment_is_refused_when_it_processes_outside_the_region(checkov_runs: CheckovRuns,
                                                                         sku: str) -> None:
    assert f"{_DEPLOYMENTS}.deploy{sku}" in _results(checkov_runs.fixtures.failed, "CKV_CALETA_6", "insecure")


@pytest.mark.parametrize("sku", REGIONAL_TYPES)
def test_model_deployment_is_accepted_when_it_is_regional(checkov_runs: CheckovRuns, sku: str) -> None:
    assert f"{_DEPLOYMENTS}.deploy{sku}" in _results(checkov_runs.fixtures.passed, "CKV_CALETA_6", "regional")
    assert not _results(checkov_runs.fixtures.failed, "CKV_CALETA_6", "regional")
