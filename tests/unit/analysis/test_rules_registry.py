"""The rule registry: rule ids are frozen, every declared rule is registered, declarations match what rules emit."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from functools import lru_cache
from typing import Any

import pytest

import shared.analysis
from shared.analysis.analytics import compute_analytics
from shared.analysis.index import build_index
from shared.analysis.rules import compute, costdata, registry
from shared.analysis.rules.base import DeclaredRule, RuleContext, RuleSpec
from shared.analysis.rules.registry import CATALOGUE, all_rules, all_specs, narrative_phrase
from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import ROOT, load_demo, scan_inputs

# Reports and their history refer to these ids: never rename or drop one. A new rule's id is added here on
# purpose, in the change that adds the rule.
FROZEN_RULE_IDS = [
    "VM-1", "VM-2", "VM-3", "VM-4",
    "LIC-1", "LIC-2",
    "DSK-1", "DSK-3", "DSK-4", "DSK-5",
    "NET-1", "NET-3", "NET-4", "NET-5", "NET-8", "NET-9", "NET-10", "NET-11", "NET-12",
    "APP-1", "DB-2", "STO-1", "STO-3",
    "GOV-1",
    "CMT-1", "CMT-2",
    "COST-1", "COST-2", "COST-3", "COST-5",
    "ADV",
    # Issue 15 section 1: the peers' checks (docs/checks.md section B), added on purpose.
    "NET-2", "NET-6", "NET-7", "NET-13", "NET-14", "NET-17", "NET-18", "NET-19", "NET-20", "NET-21", "NET-22",
    "NET-23", "NET-24", "NET-25", "NET-26",
    "VM-6", "VM-9", "VM-12", "DSK-6", "DSK-8", "DSK-9",
    "LIC-3", "LIC-4", "LIC-5",
    "BKP-1", "BKP-2", "DB-6", "DB-7", "DB-9", "DB-10", "APP-5", "GOV-2", "GOV-3", "STO-2",
    # Issue 16 (report-design D9): review items, added on purpose.
    "RV-DDOS", "RV-LOGS", "RV-SQLED", "RV-AKS", "RV-DOMINANT",
    # Issue 16 (report-design D10): governance recommendations as plan items, added on purpose.
    "GV-B", "GV-A", "GV-P", "GV-T", "GV-I", "GV-E",
]
# Every rule's kind (issue 15): counted savings, review items (ranges, never counted), risks (no saving).
# Changing a kind moves the headline: do it here on purpose.
FROZEN_KINDS = {
    "review": ["STO-1", "STO-2", "NET-7", "NET-14", "NET-24", "NET-25", "VM-6", "VM-9", "DSK-8", "DSK-9", "LIC-4",
               "BKP-1", "BKP-2", "DB-6", "DB-7", "DB-9", "RV-DDOS", "RV-LOGS", "RV-SQLED", "RV-AKS", "RV-DOMINANT"],
    "risk": ["NET-2", "NET-6", "DSK-6", "COST-1", "COST-2", "COST-3", "COST-5",
             "GV-B", "GV-A", "GV-P", "GV-T", "GV-I", "GV-E"],
}


@lru_cache(maxsize=1)
def demo_runs() -> list[tuple[RuleContext, Any, dict[str, Any]]]:
    """Per demo tenant: the rule context the engine builds, the analytics and the report (no narrator)."""
    out = []
    for tenant in load_demo().tenants:
        inputs = scan_inputs(tenant)
        index = build_index(inputs)
        ctx = RuleContext(index=index, currency=index.cost.currency or "GBP",
                          today=index.cost.window_to or inputs.generated_at.date())
        report = json.loads(analyse(inputs).report_json)
        out.append((ctx, compute_analytics(inputs, index), report))
    return out


def _declarations_in_package() -> list[RuleSpec]:
    specs = []
    for info in pkgutil.walk_packages(shared.analysis.__path__, "shared.analysis."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, DeclaredRule):
                specs.append(value.spec)
            elif isinstance(value, RuleSpec):
                specs.append(value)
    return specs


def test_registry_holds_exactly_the_frozen_rule_ids_when_listed() -> None:
    assert len(FROZEN_RULE_IDS) == len(set(FROZEN_RULE_IDS))
    assert sorted(CATALOGUE) == sorted(FROZEN_RULE_IDS), "rule ids are frozen: see FROZEN_RULE_IDS"


def test_rule_kinds_are_frozen_when_declared() -> None:
    kinds = {rule: kind for kind, rules in FROZEN_KINDS.items() for rule in rules}
    assert {rule: spec.kind for rule, spec in CATALOGUE.items() if spec.kind != "counted"} == kinds


def test_finding_kind_is_its_rule_kind_unless_downgraded_for_dr_when_demo_estate_analysed() -> None:
    for ctx, analytics, _ in demo_runs():
        findings = [f for check in all_rules() for f in check(ctx)] + costdata.cost_findings(ctx, analytics)
        for f in findings:
            declared = CATALOGUE[f.rule].kind
            assert f.kind == declared or (declared, f.kind, "dr_context" in f.evidence) == ("counted", "review", True)


def test_every_rule_declared_in_the_package_is_registered_when_modules_are_scanned() -> None:
    # A rule missing from its family's RULES, or a family missing from FAMILIES, would never run.
    registered = set(all_specs())
    missing = [spec.id for spec in _declarations_in_package() if spec not in registered]
    assert not missing


def test_inventory_rule_emits_only_its_declared_id_when_run_on_demo_estate() -> None:
    for ctx, _, _ in demo_runs():
        for check in all_rules():
            for finding in check(ctx):
                assert (finding.rule, f"rule:{check.spec.id}" in finding.sources) == (check.spec.id, True)


def test_cost_rule_emits_only_its_declared_id_when_run_on_demo_estate() -> None:
    for ctx, analytics, _ in demo_runs():
        for check in costdata.RULES:
            assert {f.rule for f in check(ctx, analytics)} <= {check.spec.id}


def test_every_rule_id_in_demo_reports_is_registered_when_analysed() -> None:
    for _, _, report in demo_runs():
        emitted = {f["rule"] for f in report["findings"]} | {
            a["rule"] for f in report["findings"] for a in f["alternatives"]}
        assert emitted <= set(CATALOGUE)


def test_rule_with_a_counted_saving_has_a_narrative_phrase_when_demo_estate_analysed() -> None:
    for _, _, report in demo_runs():
        saving = {f["rule"] for f in report["findings"] if f["counted"] and f["monthly_savings"] > 0}
        assert [rule for rule in sorted(saving) if CATALOGUE[rule].narrative is None] == []


def test_rule_catalogue_in_report_format_doc_names_every_rule_when_read() -> None:
    doc = (ROOT / "docs" / "report-format.md").read_text(encoding="utf-8")
    section = doc.split("## Rule catalogue", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"\b[A-Z]{2,4}(?:-(?:\d+|[A-Z]+\b))?", section))
    assert set(CATALOGUE) - documented == set()


def test_declared_rule_keeps_name_doc_and_spec_when_decorated() -> None:
    rule = compute.stopped_not_deallocated
    assert (rule.__name__, rule.spec.id) == ("stopped_not_deallocated", "VM-1")
    assert (rule.__doc__ or "").startswith("VM-1:")


def test_narrative_phrase_is_the_declared_one_or_generic_when_looked_up() -> None:
    assert narrative_phrase("DSK-1") == "a disk attached to nothing"
    assert narrative_phrase("GOV-1") == "a finding of rule GOV-1"
    assert narrative_phrase("XYZ-9") == "a finding of rule XYZ-9"


def test_duplicate_rule_id_refused_when_catalogue_is_built() -> None:
    spec = RuleSpec("DSK-1", title="x", kind="counted")
    with pytest.raises(ValueError, match="DSK-1 is declared twice"):
        registry._catalogue((spec, RuleSpec("DSK-1", title="y", kind="counted")))


def test_rule_titles_are_plain_words_when_declared() -> None:
    assert all(spec.title and not spec.title.endswith(".") for spec in CATALOGUE.values())
