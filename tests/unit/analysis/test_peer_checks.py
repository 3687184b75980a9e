"""Every peer check of docs/checks.md against its fixture: the positive fires with its kind, evidence and saving
(counted) or range (review); every near miss stays silent. A missing fixture fails its case."""

from __future__ import annotations

from typing import Any

import pytest

from shared.analysis.findings import Finding
from shared.analysis.rules.base import InventoryRule
from shared.analysis.rules.registry import all_rules
from tests.unit.analysis.peer_fixtures import FIXTURES, evidence_of, fixture_context, load_fixture

SUB = "/subscriptions/6f1c2b7e-3a94-4d0b-9e1f-8c2d5a7b9e01"
# rule -> {resource id suffix: (kind, monthly saving if counted | top of the range if review | None if risk)},
# the figures docs/checks.md and each fixture's `expect` state.
EXPECTED: dict[str, dict[str, tuple[str, float | None]]] = {
    "NET-1": {"/pip-web-dev-old": ("counted", 2.95), "/pip-web-dev-02": ("counted", 2.95)},
    "NET-2": {"/lb-legacy-app": ("risk", None), "/pip-vm-legacy-02": ("risk", None)},
    "NET-6": {"/agw-web-v1": ("risk", None)},
    "NET-7": {"/agw-shop-prod": ("review", 1380.0 * 4 / 6)},
    "NET-13": {"/erc-ldn-backup": ("counted", 398.5)},
    "NET-14": {"/afw-hub-uks": ("review", 1290.0 * (1 - 1 / 1.4))},
    "NET-17": {"/nsg-web-dev-old": ("counted", 0.0)},
    "NET-18": {"/rt-old-nva": ("counted", 0.0)},
    "NET-19": {"/ipg-old-partners": ("counted", 0.0)},
    "NET-20": {"/wafoldcampaign": ("counted", 4.1)},
    "NET-21": {"/tm-shop-old": ("counted", 0.42)},
    "NET-22": {"/vnet-lab-old": ("counted", 0.0)},
    "NET-23": {"/subnets/snet-batch-old": ("counted", 0.0)},
    "NET-24": {"/afw-app-uks": ("review", 905.0)},
    "NET-25": {"/ddos-plan-prod": ("review", 2237.0 * (1 - 2 / 15)), SUB: ("review", 16 * 152.0 * (1 - 15 / 16))},
    "NET-26": {"/lbi-api-prod": ("counted", 14.6)},
    "VM-6": {"/agentpools/batch": ("review", 560.0 * 0.9), "/vmss-render-dev": ("review", 610.0 * 0.9)},
    "VM-9": {"/vm-erp-dev-01": ("review", 213.6 * (1 - 60 / 168))},
    "VM-12": {"/avset-old-web": ("counted", 0.0)},
    "DSK-6": {"/vm-legacy-ftp": ("risk", None), "/vmss-legacy-web": ("risk", None)},
    "DSK-8": {"/vm-erp-sql-01-data01": ("review", 61.2 + 19.4), "/vm-erp-sql-01-log01": ("review", 0.0)},
    "DSK-9": {"/vm-etl-01-data01": ("review", 266.0)},
    "LIC-3": {"/vm-sap-app-01": ("counted", 62.1)},
    "LIC-4": {"/srv-fs-01": ("review", 5.5)},
    "LIC-5": {"/databases/erp": ("counted", 8 * 0.0744 * 730), "/pool-erp-tenants": ("counted", 4 * 0.0744 * 730),
              "/sqlmi-finance": ("counted", 8 * 0.0744 * 730)},
    "BKP-1": {"/vm;iaasvmcontainerv2;rg-ftp-prod;vm-ftp-legacy-02": ("review", 48.0)},
    "BKP-2": {"/rsv-dev-uks": ("review", 105.0)},
    "DB-6": {"/erp-dev": ("review", 690.0)},
    "DB-7": {"/databases/erp": ("review", 1260.0 * 0.35)},
    "DB-9": {"/cosmos-shop-prod": ("review", 58.0)},
    "DB-10": {"/synw-analytics-poc": ("counted", 0.0)},
    "APP-5": {"/asp-intranet-p1v3": ("counted", 226.3)},
    "GOV-2": {"/office365-old": ("counted", 0.0)},
    "GOV-3": {"/shop-example-com-2025": ("counted", 0.0)},
    "STO-1": {"/stdatalakeprod": ("review", 223.0 * 0.25), "/starchiveprod": ("review", 88.0 * 0.25)},
    "STO-2": {"/stdatalakeprod": ("review", 30 * (6.1 + 8.4) / 2 * 0.25)},
}


def _rule(rule_id: str) -> InventoryRule:
    return next(check for check in all_rules() if check.spec.id == rule_id)


def _run(rule_id: str, rows: list[dict[str, Any]], case: dict[str, Any] | None = None) -> list[Finding]:
    fixture = load_fixture(rule_id)
    return list(_rule(rule_id)(fixture_context(fixture, rows, evidence_of(fixture, case))))


def _value(finding: Finding) -> float | None:
    return {"counted": finding.monthly_savings, "review": finding.savings_high, "risk": None}[finding.kind]


@pytest.mark.parametrize("rule_id", sorted(EXPECTED))
def test_positive_fires_with_its_kind_and_figure_when_fixture_analysed(rule_id: str) -> None:
    fixture = load_fixture(rule_id)
    found = _run(rule_id, fixture["positive"])
    got = {suffix: (f.kind, _value(f)) for f in found for suffix in EXPECTED[rule_id]
           if f.resource_id.lower().endswith(suffix.lower())}
    assert sorted(got) == sorted(EXPECTED[rule_id]), fixture["expect"]
    assert len(found) == len(EXPECTED[rule_id]), "one finding per expected resource"
    for suffix, (kind, value) in EXPECTED[rule_id].items():
        assert got[suffix][0] == kind
        assert got[suffix][1] == (pytest.approx(value, abs=0.011) if value is not None else None)
    for f in found:
        assert f.evidence, "a finding states the facts that raised it"
        assert f.rule == rule_id and f"rule:{rule_id}" in f.sources


@pytest.mark.parametrize(("rule_id", "case"), [(rule_id, i) for rule_id in sorted(EXPECTED)
                                               for i in range(len(load_fixture(rule_id)["near_misses"]))])
def test_near_miss_stays_silent_when_fixture_analysed(rule_id: str, case: int) -> None:
    near_miss = load_fixture(rule_id)["near_misses"][case]
    assert _run(rule_id, near_miss["rows"], near_miss) == [], near_miss["why"]


def test_every_fixture_is_exercised_when_fixtures_are_listed() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(EXPECTED)


def test_review_items_and_risks_never_count_when_fixtures_analysed() -> None:
    for rule_id in EXPECTED:
        for f in _run(rule_id, load_fixture(rule_id)["positive"]):
            assert f.kind == _rule(rule_id).spec.kind
            assert f.counted == (f.kind == "counted")
            assert (f.savings_low is not None) == (f.kind == "review")
