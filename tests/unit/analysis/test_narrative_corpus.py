"""The adversarial corpus (report-design D11.5): fixed answers, each false or malformed in one way, against the
Pennine and Tamar fact sheets of the demo estate; each must be refused by the rule it names.

A case file states the sheet, the rule, why, and how its answer differs from the sheet's valid (deterministic)
answer: slots replaced or removed. Facts are named by key ("@action_saving@P1": the saving fact about P1), so a
case says which figure it pins where; anything else (F999, P99, a URL) is sent as written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.analysis.claim_check import NarrativeRejected, offered, parse_answer
from shared.analysis.deterministic import deterministic_answer
from shared.analysis.facts import FactKey, NarrativeFacts
from shared.analysis.narrative import write_narrative
from tests.unit.analysis.narrative_demo import sheet

CORPUS = sorted(Path(__file__).with_name("narrative_corpus").glob("*.json"))


def _resolve(value: Any, facts: NarrativeFacts) -> Any:
    if not (isinstance(value, str) and value.startswith("@")):
        return value
    key, _, about = value[1:].partition("@")
    fact = facts.of(FactKey(key), about or None)
    assert fact is not None, f"the sheet has no {value}"
    return fact.id


def answer_of(case: dict[str, Any], facts: NarrativeFacts) -> dict[str, Any]:
    """The case's answer: the sheet's valid answer with the case's slots replaced or removed."""
    answer = deterministic_answer(facts, offered(facts))
    for slot in case.get("remove", []):
        del answer[slot]
    for slot, claim in case.get("replace", {}).items():
        assert slot in answer, f"{slot} is not a slot of the {case['sheet']} sheet"
        answer[slot] = {k: _resolve(v, facts) for k, v in claim.items()}
    return answer


class Replying:
    """A model that sends one fixed answer."""

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        return self.answer


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_adversarial_answer_is_refused_by_its_rule_when_checked(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    facts = sheet(case["sheet"])
    with pytest.raises(NarrativeRejected) as caught:
        parse_answer(json.dumps(answer_of(case, facts)), facts)
    assert caught.value.rule == case["rule"], case["why"]


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_adversarial_answer_publishes_the_deterministic_narrative_when_a_model_sends_it(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    facts = sheet(case["sheet"])
    narrative = write_narrative(facts, Replying(json.dumps(answer_of(case, facts))), 8000)
    assert (narrative.source, narrative.fallback_reason, narrative.detail) == ("deterministic", "rejected",
                                                                               case["rule"])


def test_corpus_holds_every_case_of_d11_5_when_listed() -> None:
    rules = [json.loads(p.read_text(encoding="utf-8"))["rule"] for p in CORPUS]
    assert len(rules) == 22 and len(set(rules)) >= 17


@pytest.mark.parametrize("tenant", ["Pennine", "Tamar", "Pennine-unread"])
def test_unchanged_answer_passes_when_no_slot_is_replaced(tenant: str) -> None:
    facts = sheet(tenant)
    assert parse_answer(json.dumps(answer_of({"sheet": tenant}, facts)), facts)
