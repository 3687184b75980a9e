"""The deterministic narrative: the same slots filled by fixed rules from the claims the sheet offers (D11.3).

trend: spend_change_driver for the change's top driver (change >= 5%, driver >= 50%), else level_shift with
its top driver, else spend_change, else spend_steady; one_off: the largest one-off of the last 30 days;
certainty: all_measured when it holds, else certainty_split; actions: the first three candidates; context: the
first two of Decide review items, Investigate review items (skipping those already actions), the dominant lever,
the governance gap, the tagging gap, the anomaly days. The answer goes through the model's checker.
"""

from __future__ import annotations

from typing import Any

from shared.analysis.claim_check import Offer, slot_names
from shared.analysis.claims import CONTEXT_SLOTS, Claim, SlotGroup, group_of
from shared.analysis.facts import FactKey, NarrativeFacts

K = FactKey
TREND = ("spend_change_driver", "level_shift", "spend_change", "spend_steady")
CONTEXT_ORDER = ("review_not_counted", "dominant_lever", "governance_gap", "tagging_gap", "anomaly_days")


def _share(sheet: NarrativeFacts, claim: Claim, key: FactKey) -> float:
    return sheet.number(key, claim.get("driver"))


def _trend(sheet: NarrativeFacts, claims: list[Claim]) -> Claim:
    ranked = []
    for claim in claims:
        if claim.type == "level_shift" and claim.get("driver") is None:
            continue
        share = _share(sheet, claim, K.CHANGE_DRIVER_SHARE if claim.type == "spend_change_driver"
                       else K.SHIFT_DRIVER_SHARE)
        first = claim.get("driver_first_cost") is not None
        ranked.append((TREND.index(claim.type), -share, not first, claims.index(claim), claim))
    return min(ranked, key=lambda r: r[:4])[4] if ranked else claims[0]


def _resources(sheet: NarrativeFacts, alias_id: str | None) -> tuple[str, ...]:
    alias = sheet.alias(alias_id or "")
    return alias.resource_ids if alias is not None else ()


def _context(sheet: NarrativeFacts, claims: list[Claim], actions: list[Claim]) -> list[Claim]:
    acted = {rid for a in actions for rid in _resources(sheet, a.get("item"))}
    ordered = sorted((c for c in claims if c.type in CONTEXT_ORDER), key=lambda c: CONTEXT_ORDER.index(c.type))
    keep = [c for c in ordered
            if not (c.type == "review_not_counted" and set(_resources(sheet, c.get("item"))) & acted)]
    none = next(c for c in claims if c.type == "none")
    return [*keep, none, none][:len(CONTEXT_SLOTS)]


def deterministic_answer(sheet: NarrativeFacts, offer: Offer) -> dict[str, Any]:
    """An answer in the model's shape, chosen by fixed rules among the offered (true) claims."""
    chosen: dict[str, Claim] = {}
    slots = slot_names(offer)
    for slot in slots:
        group: SlotGroup = group_of(slot)
        claims = offer[group]
        if group == "trend":
            chosen[slot] = _trend(sheet, claims)
        elif group == "certainty":
            chosen[slot] = next((c for c in claims if c.type == "all_measured"), claims[0])
        elif group == "action":
            chosen[slot] = claims[int(slot.rsplit("_", 1)[1]) - 1]
        elif group != "context":
            chosen[slot] = claims[0]
    actions = [c for s, c in chosen.items() if group_of(s) == "action"]
    for slot, claim in zip(CONTEXT_SLOTS, _context(sheet, offer["context"], actions), strict=True):
        chosen[slot] = claim
    return {slot: chosen[slot].as_json() for slot in slots}
