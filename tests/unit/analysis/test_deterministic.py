"""The deterministic narrative: D11.3's Pennine and Tamar summaries, and the same checker's bar on its own for a
larger estate and the edge sheets (no cost data, no findings, one day of data, all tiers zero)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from shared.analysis.claim_check import offered, parse_answer
from shared.analysis.deterministic import deterministic_answer
from shared.analysis.engine import run_analysis
from shared.analysis.facts import NarrativeFacts
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights
from shared.analysis.narrative import write_narrative
from shared.analysis.narrative_facts import build_narrative_facts
from shared.analysis.narrative_inputs import NarrativeInputs, TierFigures
from shared.analysis.report_reader import read_report
from tests.unit.analysis.builders import a_disk, cost_line, scan
from tests.unit.analysis.narrative_demo import sheet

SANDBOX = "Pennine Sandbox <img src=x onerror=alert(document.cookie)>"  # the demo estate's hostile name
# D11.3's Pennine text on the real report. One difference, the report being right: STO-1 is a review item (£0-£49.42
# on capacity meters, criticisms C0.2), not a counted estimate, so the estimated tier is £262.92 with no range
# (VM-4 x2, DSK-4, VM-3) and the range's high end £4,641.61 (£55,699 a year), not D2.3's £290.76-£337.14 and £4,715.83.
PENNINE = [
    "Pennine Freight Ltd spends about £12,700 a month on Azure (£13,300 in the last 30 days). Daily spend is up 29% "
    "since 7 September: £424 a day against £328. 78% of the rise is ddos-sandbox-trial, a DDoS protection plan "
    "protecting nothing, first billed on 29 October; it has cost £2,830 since then. The last 30 days include a "
    "one-off £646 of Bandwidth on 24 November, mostly stpenninedatalake; the run-rate leaves it out.",
    "Savings: £2,910 a month measured on your bill; £1,380 more if you hold the licences; £85 with a 1-year "
    "commitment; £263 estimated. In all £2,910 to £4,640 a month (23\u201337% of spend, "
    "£35k\u2013£56k a year).",
    f"1. Delete ddos-sandbox-trial in {SANDBOX}: £2,240 a month, minutes, low risk.",
    f"2. Put a £50 budget, an anomaly alert and a deny policy for costly resource types on {SANDBOX} so it cannot "
    "recur: an hour or two, medium risk.",
    "3. Ask procurement whether you hold 4 SQL Server Enterprise and 32 Windows Server core licences with Software "
    "Assurance: up to £1,380 a month, no engineering risk.",
    "Not counted: ddos-pennine-prod could protect its 3 public IPs per IP instead (£0\u2013£1,780 a month); keep it "
    "if you need DDoS rapid response or cost protection. Not counted: vgw-dr-ukwest, a VPN gateway in the DR "
    "region (£0\u2013£105 a month); confirm with your DR runbook.",
]
# D11.3's Tamar text on the real report, where it differs for two reasons, the report being right in both: D2.2's one
# money format prints £9.66 a day as £10 (never finer than 1 unit; the design's own "£33 to £106" for 32.63 follows
# the rule); and the plan's first row is the rg-analytics batch (D5.2, D5.3: NET-1's £3.55 stays in its do-now batch
# with DSK-1, £36.49), in a production subscription, so an hour or two and medium risk (D4.4, D4.5), not D11.3's
# "Delete disk-analytics-scratch ...: £32.94 a month, minutes, low risk", which predates batching.
TAMAR = [
    "Tamar Analytics Ltd spends about £290 a month on Azure. Spend is steady at about £10 a day, unchanged since "
    "7 September.",
    "All £36 a month of savings is measured on your bill (13% of spend).",
    "1. Clean up 2 items in rg-analytics (Tamar Analytics): £36 a month, an hour or two, medium risk.",
    "2. Decide how vm-analytics-01 runs: £33\u2013£106 a month, not counted.",
    "3. Put a £310 budget and an anomaly alert on Tamar Analytics: an hour or two, low risk.",
    "The largest lever is vm-analytics-01: 56% of spend (£163 a month); a reservation, savings plan or schedule "
    "could save £33\u2013£106 a month, more than the £36 counted. Tamar Analytics is Pay-As-You-Go, has no budget "
    "and no anomaly alert.",
]


def _text(facts: NarrativeFacts) -> list[str]:
    return [text for text, _ in write_narrative(facts, None, 8000).paragraphs()]


def test_pennine_summary_is_d11_3s_when_no_model_is_configured() -> None:
    assert _text(sheet("Pennine")) == PENNINE


def test_tamar_summary_is_d11_3s_when_no_model_is_configured() -> None:
    assert _text(sheet("Tamar")) == TAMAR


def test_footnote_says_fixed_rules_and_why_when_deterministic() -> None:
    narrative = write_narrative(sheet("Tamar"), None, 8000)
    assert narrative.footnote == ("Written from checked templates; statements chosen by fixed rules (no language "
                                  "model is configured).")
    assert narrative.to_dict()["fallback_reason"] == "no_model"


def test_every_sentence_cites_the_facts_its_figures_come_from_when_rendered() -> None:
    facts = sheet("Pennine")
    narrative = write_narrative(facts, None, 8000)
    cited = {f.id: f for f in facts.facts}
    opening = narrative.slots[0]
    assert (opening.claim, [cited[f].key.value for f in opening.fact_ids]) == (
        "spend_level", ["run_rate_monthly", "spend_30d"])
    licence = next(s for s in narrative.slots if "procurement" in s.text)
    assert sorted(str(cited[f].value) for f in licence.fact_ids) == ["1380.36", "32.0", "4.0", "medium", "weeks"]


def _inputs(rows: list[list[Any]], disks: list[dict[str, Any]]) -> NarrativeInputs:
    """Inputs with the analytics of a small scan and no findings."""
    scanned = scan(disks, cost_rows=rows)
    insights = compute_insights(scanned, build_index(scanned))
    return NarrativeInputs("Acme", insights.currency, insights, None, ())


EDGE_TIERS = TierFigures(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None, None, 0.0)


def _edge(name: str) -> NarrativeFacts:
    disk = a_disk("d1")
    if name == "no cost data":
        return build_narrative_facts(_inputs([], [disk]))
    if name == "one day of data":
        return build_narrative_facts(_inputs(cost_line(disk["id"], 3.0, days=(0, 0)), [disk]))
    built = _inputs(cost_line(disk["id"], 3.0), [disk])
    if name == "all tiers zero":
        built = dataclasses.replace(built, tiers=EDGE_TIERS)
    return build_narrative_facts(built)


@pytest.mark.parametrize("name", ["no cost data", "no findings", "one day of data", "all tiers zero"])
def test_fallback_passes_its_own_checker_when_the_sheet_is_an_edge_case(name: str) -> None:
    facts = _edge(name)
    offer = offered(facts)
    slots = parse_answer(json.dumps(deterministic_answer(facts, offer)), facts, offer)
    assert all(s.text == "" or any(ch.isdigit() for ch in s.text) or s.claim == "governance_gap" for s in slots)


def test_fallback_passes_its_own_checker_when_the_estate_is_large() -> None:
    disks = [a_disk(f"d{i}") for i in range(300)]
    rows = [r for i, d in enumerate(disks) for r in cost_line(d["id"], 1.0 + i / 100, days=(29, 0))]
    bundle = run_analysis(scan(disks, cost_rows=rows), None, max_prompt_tokens=8000)
    narrative = read_report(bundle.report_json).narrative
    assert narrative.source == "deterministic" and len(narrative.paragraphs()) >= 3


@pytest.mark.parametrize("tenant", ["Pennine", "Tamar", "Pennine-unread"])
def test_fallback_passes_its_own_checker_when_demo_sheets_are_used(tenant: str) -> None:
    facts = sheet(tenant)
    offer = offered(facts)
    assert len(parse_answer(json.dumps(deterministic_answer(facts, offer)), facts, offer)) >= 8


def test_actions_are_numbered_in_plan_order_when_a_model_reorders_them() -> None:
    # given: the model names the sandbox guardrails first and the DDoS plan they would stop second
    facts = sheet("Pennine")
    offer = offered(facts)
    answer = deterministic_answer(facts, offer)
    answer["action_1"], answer["action_2"] = answer["action_2"], answer["action_1"]
    # when
    texts = {s.slot: s.text for s in parse_answer(json.dumps(answer), facts, offer)}
    # then: Caleta numbers them as the plan ranks them, so the guardrails follow the cost they stop
    assert texts["action_1"].startswith("Delete ddos-sandbox-trial")
    assert texts["action_2"].startswith("Put a £50 budget") and texts["action_2"].endswith(
        "so it cannot recur: an hour or two, medium risk.")


def test_guardrails_say_it_cannot_recur_only_after_the_cost_they_stop_when_a_model_leaves_that_cost_out() -> None:
    # given: the guardrails, the licences and the rg-tms-dev clean-up, without the DDoS plan
    facts = sheet("Pennine")
    offer = offered(facts)
    answer = deterministic_answer(facts, offer)
    tms = next(c for c in offer["action"] if c.get("item") == "P4")
    answer["action_1"], answer["action_2"], answer["action_3"] = answer["action_2"], answer["action_3"], tms.as_json()
    # when
    texts = {s.slot: s.text for s in parse_answer(json.dumps(answer), facts, offer)}
    # then
    assert texts["action_1"].startswith("Put a £50 budget") and "cannot recur" not in texts["action_1"]


def test_narrative_block_has_report_v2s_shape_when_serialised() -> None:
    block = json.loads(json.dumps(write_narrative(sheet("Tamar"), None, 8000).to_dict()))
    assert set(block) == {"source", "fallback_reason", "slots", "facts", "footnote"}
    assert set(block["slots"][0]) == {"slot", "claim", "fact_ids", "alias_ids", "text"}
    first = block["facts"][0]
    assert first == {"id": "F1", "key": "run_rate_monthly", "value": 289.94, "unit": "money", "about": None,
                     "text": "monthly run-rate: 30 days at today's daily rate: £289.94"}
    assert {f["unit"] for f in block["facts"]} <= {"money", "percent", "count", "date", "label"}
