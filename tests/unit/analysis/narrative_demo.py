"""Pennine's and Tamar's narrative inputs exactly as the engine builds them: the demo estate analysed, report.json
v2 built (headline, plan, findings, commitments), and `engine.narrative_inputs` read from it with the scan's one
`compute_insights`. "Pennine-unread" is Pennine when the Sandbox subscription's budgets could not be read."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from local.estates.model import Tenant
from shared.analysis import ScanInputs
from shared.analysis.engine import UNWRITTEN, analyse_findings, narrative_inputs
from shared.analysis.facts import NarrativeFacts
from shared.analysis.narrative_facts import build_narrative_facts
from shared.analysis.narrative_inputs import NarrativeInputs
from shared.analysis.report_build import build_report, draft_report
from shared.analysis.report_model import Report
from tests.unit.analysis.demo_inputs import TODAY, cost_config_data, load_demo, scan_inputs
from tests.unit.analysis.optional_data import with_optional

SANDBOX = "4cc7ce7c-7cda-5cd6-a1c8-072ce8ef91fd"


def _tenant(name: str) -> Tenant:
    return next(t for t in load_demo().tenants if t.display_name.startswith(name.removesuffix("-unread")))


@lru_cache(maxsize=4)
def scanned(name: str) -> ScanInputs:
    """One demo tenant's scan inputs; "Pennine-unread" without the Sandbox subscription's budgets (B1 missing)."""
    tenant = _tenant(name)
    plain = scan_inputs(tenant, TODAY)
    if not name.endswith("-unread"):
        return plain
    config = {s.subscription_id: cost_config_data(s) for s in tenant.subscriptions}
    config[SANDBOX] = {k: v for k, v in config[SANDBOX].items() if k != "budgets"} | {
        "missing": {"budgets": "403 AuthorizationFailed"}}
    return with_optional(plain, config=config)


@lru_cache(maxsize=4)
def report_and_inputs(name: str) -> tuple[Report, NarrativeInputs]:
    """The report as the engine builds it before its summary, and the narrative inputs read from it."""
    data = scanned(name)
    done = analyse_findings(data)
    report = build_report(data, done, draft_report(done), UNWRITTEN)
    return report, narrative_inputs(data, done, report)


def inputs(name: str) -> NarrativeInputs:
    """The narrative inputs of one demo tenant."""
    return report_and_inputs(name)[1]


def sheet(name: str) -> NarrativeFacts:
    """A fresh fact sheet of one demo tenant (tests may change it)."""
    built = build_narrative_facts(inputs(name))
    return dataclasses.replace(built, facts=list(built.facts), aliases=list(built.aliases))
