"""The schema offered to the model: strict mode accepts it, it offers only true claims, and the prompt around it
shows Caleta's words and enums only (ARCHITECTURE decision 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.simulator.ai import _Walker
from local.simulator.strict_schema import validate
from shared.analysis.claim_check import offered, parse_answer, slot_names
from shared.analysis.claim_schema import SCHEMA_NAME, answer_schema
from shared.analysis.facts import Fact, FactKey, NarrativeFacts
from shared.analysis.narrative import SYSTEM_PROMPT, fit_budget, user_prompt
from tests.unit.analysis.narrative_demo import sheet
from tests.unit.analysis.test_deterministic import _edge

SHEETS = ["Pennine", "Tamar", "Pennine-unread"]
EDGES = ["no cost data", "no findings", "one day of data", "all tiers zero"]


def _sheet(name: str) -> NarrativeFacts:
    return sheet(name) if name in SHEETS else _edge(name)


def _enums(node: Any) -> list[list[Any]]:
    if isinstance(node, dict):
        return ([node["enum"]] if "enum" in node else []) + [e for v in node.values() for e in _enums(v)]
    if isinstance(node, list):
        return [e for v in node for e in _enums(v)]
    return []


@pytest.mark.parametrize("name", SHEETS + EDGES)
def test_strict_mode_accepts_the_schema_and_no_enum_is_empty_when_offered(name: str) -> None:
    schema = answer_schema(offered(_sheet(name)))
    validate(SCHEMA_NAME, schema)
    assert all(_enums(schema)) and schema["required"] == list(schema["properties"])


@pytest.mark.parametrize("name", SHEETS)
def test_every_branch_of_every_slot_is_accepted_when_chosen(name: str) -> None:
    facts = _sheet(name)
    offer = offered(facts)
    schema = answer_schema(offer)
    for seed in range(12):  # the simulated model's choices, several seeds: each answer is true by construction
        answer = _Walker(schema, seed, "ok").value(schema)
        assert parse_answer(json.dumps(answer), facts, offer)


def test_only_true_claims_are_offered_when_tamar_has_no_anomaly_untagged_spend_or_weekend_drop() -> None:
    offer = offered(sheet("Tamar"))
    kinds = {c.type for claims in offer.values() for c in claims}
    assert not kinds & {"anomaly_days", "tagging_gap", "weekday_pattern", "one_off_spike", "certainty_split",
                        "spend_change", "level_shift"}
    assert {"spend_steady", "all_measured", "dominant_lever", "governance_gap", "small_estate"} <= kinds


def test_pennine_offers_the_rise_its_step_and_its_one_off_but_not_steady_when_offered() -> None:
    offer = offered(sheet("Pennine"))
    assert {c.type for c in offer["trend"]} == {"spend_change", "spend_change_driver", "level_shift"}
    assert [c.get("driver") for c in offer["trend"] if c.type == "spend_change_driver"] == ["D1", "D1"]
    assert [c.type for c in offer["one_off"]] == ["one_off_spike", "none"]
    assert slot_names(offer) == ["opening", "trend", "one_off", "certainty", "action_1", "action_2", "action_3",
                                 "context_1", "context_2"]


@pytest.mark.parametrize("name", SHEETS)
def test_prompt_shows_no_name_or_id_when_the_estate_has_hostile_names(name: str) -> None:
    facts = sheet(name)
    offer = offered(facts)
    prompt = SYSTEM_PROMPT + user_prompt(facts, offer) + json.dumps(answer_schema(offer))
    private = {a.name for a in facts.aliases} | {a.where for a in facts.aliases} | {w for a in facts.aliases
                                                                                     for w in a.words}
    for secret in {p for p in private if p and not p.startswith("GV-")} | {facts.company, "/subscriptions/", "<img"}:
        assert secret not in prompt


def test_label_facts_hold_caleta_enums_or_meter_categories_when_built() -> None:
    labels = {str(f.value) for f in sheet("Pennine").facts if f.unit == "label"}
    assert labels == {"Bandwidth", "Enterprise Agreement", "1-year", "minutes", "hours", "weeks", "low", "medium",
                      "Pay-As-You-Go", "Dev/Test (pay-as-you-go)", "yes", "no"}


def test_pennine_facts_are_the_designs_figures_when_built() -> None:
    facts = sheet("Pennine")
    values = {k: facts.number(k) for k in (FactKey.RUN_RATE_MONTHLY, FactKey.CHANGE_PCT, FactKey.SHIFT_DELTA,
                                           FactKey.ONE_OFF_AMOUNT, FactKey.RANGE_HIGH, FactKey.UNTAGGED_SHARE)}
    # D2.3's range high (£4,715.83) counted STO-1 as an estimate; the report publishes it as a review item
    # (£0-£49.42, criticisms C0.2), so the real high end is £4,641.61: the report's own headline, which is right.
    assert values == {FactKey.RUN_RATE_MONTHLY: 12710.17, FactKey.CHANGE_PCT: 0.2909, FactKey.SHIFT_DELTA: 80.1,
                      FactKey.ONE_OFF_AMOUNT: 645.73, FactKey.RANGE_HIGH: 4641.61, FactKey.UNTAGGED_SHARE: 0.2411}


def test_each_fact_is_one_key_about_one_thing_when_built() -> None:
    keys = [(f.key, f.about, f.param) for f in sheet("Pennine").facts]
    assert len(keys) == len(set(keys))


def test_budget_fitting_drops_context_before_actions_when_the_prompt_is_too_long() -> None:
    facts = sheet("Pennine")
    fitted = fit_budget(facts, 4500)
    assert fitted is not None
    assert [a.id for a in fitted.aliases if a.kind == "action"][:3] == ["P1", "P2", "P3"]
    assert len(fitted.aliases) < len(facts.aliases) and not fitted.aliases_of("subscription")
    assert fit_budget(facts, 300) is None


@pytest.mark.parametrize("key", list(FactKey))
def test_every_key_has_wording_and_unit_when_a_fact_is_made(key: FactKey) -> None:
    fact = Fact("F1", key, 1.0, None, "SQL Server Enterprise")
    assert fact.label and "{" not in fact.label
    assert fact.unit in ("money", "annual", "percent", "count", "date", "label")
