"""The deterministic narrative: facts found by key (not by wording), findings named by their rule's phrase."""

from __future__ import annotations

from shared.analysis.deterministic import deterministic_answer
from shared.analysis.facts import Alias, Fact, FactKey, FactSheet

HEADLINE = [FactKey.TOTAL_MONTHLY_SAVINGS, FactKey.TOTAL_ANNUAL_SAVINGS, FactKey.COUNTED_FINDINGS,
            FactKey.SPEND_30D, FactKey.SAVINGS_SHARE_OF_SPEND]


def _sheet(facts: list[Fact], aliases: list[Alias] | None = None) -> FactSheet:
    return FactSheet("GBP", facts, aliases or [])


def test_headline_paragraph_cites_facts_by_key_when_sheet_order_differs() -> None:
    # given: the headline facts in reverse order, with ids that do not follow it
    facts = [Fact(f"F{i}", key, 1.0) for i, key in enumerate(reversed(HEADLINE), start=1)]
    # when
    answer = deterministic_answer(_sheet(facts))
    # then: spend, counted, total, annual, share
    assert answer["summary"][0]["facts"] == ["F2", "F3", "F5", "F4", "F1"]


def test_largest_category_named_by_its_param_when_several_have_savings() -> None:
    facts = [Fact(f"F{i}", key, 1.0) for i, key in enumerate(HEADLINE, start=1)]
    facts += [Fact("F6", FactKey.CATEGORY_SAVINGS, 10.0, "waste"),
              Fact("F7", FactKey.CATEGORY_SAVINGS, 30.0, "licensing")]
    answer = deterministic_answer(_sheet(facts))
    assert answer["summary"][1] == {"text": "The largest share is licensing: {F7} a month.", "facts": ["F7"]}


def test_paragraph_dropped_when_its_facts_were_trimmed_from_the_sheet() -> None:
    facts = [Fact("F1", FactKey.FORECAST_MONTH_END, 100.0), Fact("F2", FactKey.UNTAGGED_SHARE, 3.0)]
    answer = deterministic_answer(_sheet(facts))
    assert answer["summary"] == [{"text": "This month's spend is forecast to reach {F1}.", "facts": ["F1"]}]


def test_highlight_uses_the_rules_declared_phrase_when_alias_is_listed() -> None:
    aliases = [Alias("R1", "f1", "NET-12", "waste", "microsoft.network/ddosprotectionplans", "ddos", "F2"),
               Alias("R2", "f2", "XYZ-9", "waste", "microsoft.compute/disks", "d", "F3")]
    facts = [Fact("F2", FactKey.FINDING_SAVING, 9.0, "R1"), Fact("F3", FactKey.FINDING_SAVING, 1.0, "R2")]
    answer = deterministic_answer(_sheet(facts, aliases))
    assert [h["text"] for h in answer["highlights"]] == [
        "a DDoS protection plan protecting nothing, saving {F2} a month.",
        "a finding of rule XYZ-9, saving {F3} a month."]
