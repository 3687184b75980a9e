"""The checker: which claims a sheet offers, and whether an answer is one of them, rendered and re-read.

An answer is refused when it is not the JSON the schema asks for (a slot missing, a property too many), when a
value is not an id or claim name (a figure, a URL, markup), when it cites an unknown fact or alias, when a claim
is false on its facts (claim_rules.py), when two slots say the same thing, or when a rendered sentence states a
number its cited facts do not hold (the sentence is read with customer strings masked). Rules are named, never
the answer. The actions chosen are numbered in the plan's order (P1 first). The deterministic fallback's answer
passes through the same function.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from shared.analysis.claim_instances import instances
from shared.analysis.claim_rules import NarrativeRejected, check_claim, roles_of
from shared.analysis.claim_templates import LITERALS, render
from shared.analysis.claims import (
    CLAIM_ROLES,
    CONTEXT_SLOTS,
    GROUPS,
    MAX_ACTIONS,
    Claim,
    SlotGroup,
    group_of,
)
from shared.analysis.facts import NarrativeFacts

MAX_ANSWER_CHARS = 20_000
_ID = re.compile(r"[FDPVS][1-9][0-9]{0,2}")
_CLAIM = re.compile(r"[a-z_]{1,40}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FIGURE_FREE = ("none", "governance_gap")  # its facts print as words ("no budget")
Offer = dict[SlotGroup, list[Claim]]

__all__ = ["NarrativeRejected", "SlotText", "offered", "parse_answer", "slot_names"]


@dataclass(frozen=True)
class SlotText:
    """One filled slot: the claim chosen, what it cites, and its sentence ('' for `none`)."""

    slot: str
    claim: str
    fact_ids: tuple[str, ...]
    alias_ids: tuple[str, ...]
    text: str
    roles: tuple[tuple[str, str | None], ...] = ()


def offered(sheet: NarrativeFacts) -> Offer:
    """Per slot group, the claims true on this sheet, in the fallback's order of preference."""
    out: Offer = {}
    for group, claims in instances(sheet).items():
        kept: list[Claim] = []
        for claim in claims:
            try:
                check_claim(claim, sheet)
                _read_back(claim, sheet)
            except NarrativeRejected:
                continue
            if claim not in kept:
                kept.append(claim)
        out[group] = kept
    return out


def slot_names(offer: Offer) -> list[str]:
    """The slots an answer must fill: those with a true claim, up to 3 actions, one-off and context always."""
    names = [g for g in ("opening", "trend") if offer.get(g)] + ["one_off"]
    names += ["certainty"] if offer.get("certainty") else []
    names += [f"action_{i}" for i in range(1, min(MAX_ACTIONS, len(offer.get("action", []))) + 1)]
    return names + list(CONTEXT_SLOTS)


def _read_back(claim: Claim, sheet: NarrativeFacts, said: frozenset[str] = frozenset()) -> SlotText:
    """Render the claim and re-read its sentence: every number in it must print in its cited facts."""
    out = render(claim, sheet, said)
    allowed = set(LITERALS.get(claim.type, set()))
    for fact_id in out.fact_ids:
        fact = sheet.fact(fact_id)
        allowed |= set(_NUMBER.findall(fact.render(sheet.currency))) if fact is not None else set()
    masked = out.masked
    if any(n not in allowed for n in _NUMBER.findall(masked)):
        raise NarrativeRejected("number_not_in_facts", "a sentence states a number that is not in its facts")
    if claim.type not in FIGURE_FREE and not _NUMBER.search(masked):
        raise NarrativeRejected("no_figure", "a sentence has no figure")
    return SlotText("", claim.type, tuple(out.fact_ids), tuple(out.alias_ids), out.text, claim.ids)


def _claim_of(slot: str, value: object) -> Claim:
    if not isinstance(value, dict):
        raise NarrativeRejected("schema", "a slot is not a claim object")
    kind = value.get("claim")
    if not isinstance(kind, str) or not _CLAIM.fullmatch(kind):
        raise NarrativeRejected("not_an_id", "a claim name is not one of the schema's")
    if kind not in CLAIM_ROLES:
        raise NarrativeRejected("unknown_claim", "answer names an unknown claim type")
    if kind not in GROUPS[group_of(slot)]:
        raise NarrativeRejected("wrong_slot", f"{kind} does not belong in {group_of(slot)}")
    roles = roles_of(Claim(kind, tuple((str(k), None) for k in value if k != "claim")))
    if roles is None:
        raise NarrativeRejected("schema", f"{kind}: not the claim's properties")
    for role in roles:
        ident = value[role.name]
        if ident is None and not role.nullable:
            raise NarrativeRejected("schema", f"{kind}: {role.name} may not be null")
        if ident is not None and (not isinstance(ident, str) or not _ID.fullmatch(ident)):
            raise NarrativeRejected("not_an_id", "a value is not a fact or alias id")
    return Claim(kind, tuple((r.name, value[r.name]) for r in roles))


def _plan_rank(claim: Claim) -> tuple[int, int]:
    item = claim.get("item") or ""
    return (0, int(item[1:])) if item[:1] == "P" and item[1:].isdigit() else (1, 0)


def _in_plan_order(chosen: list[tuple[str, Claim]]) -> list[tuple[str, Claim]]:
    """The actions in the plan's order of preference (P1 first): a model chooses which actions the summary names,
    Caleta numbers them, so "1." is what to do first and guardrails follow the cost they stop."""
    actions = iter(sorted((c for s, c in chosen if group_of(s) == "action"), key=_plan_rank))
    return [(slot, next(actions) if group_of(slot) == "action" else claim) for slot, claim in chosen]


def parse_answer(raw: str, sheet: NarrativeFacts, offer: Offer | None = None) -> list[SlotText]:
    """Validate an answer against the schema and every rule; the slots in order, each with its sentence."""
    if len(raw) > MAX_ANSWER_CHARS:
        raise NarrativeRejected("too_long", "answer too long")
    try:
        data = json.loads(raw)
    except ValueError:
        raise NarrativeRejected("not_json", "answer is not the requested JSON") from None
    if not isinstance(data, dict):
        raise NarrativeRejected("not_json", "answer is not the requested JSON")
    expected = slot_names(offer if offer is not None else offered(sheet))
    if set(data) - set(expected):
        raise NarrativeRejected("schema", "answer has a property the schema does not")
    if set(expected) - set(data):
        raise NarrativeRejected("schema", "a required slot is missing")
    chosen = [(slot, _claim_of(slot, data[slot])) for slot in expected]
    items = [c.get("item") for s, c in chosen if group_of(s) == "action"]
    if len(items) != len(set(items)):
        raise NarrativeRejected("duplicate_item", "the same action twice")
    stated = [c for _, c in chosen if c.type != "none"]
    if len(stated) != len(set(stated)):
        raise NarrativeRejected("duplicate_claim", "the same statement twice")
    chosen = _in_plan_order(chosen)
    out, said = [], frozenset[str]()
    for slot, claim in chosen:
        check_claim(claim, sheet)
        text = _read_back(claim, sheet, said)
        out.append(SlotText(slot, text.claim, text.fact_ids, text.alias_ids, text.text, text.roles))
        said |= {claim.get("item") or ""} if group_of(slot) == "action" else set()
    return out
