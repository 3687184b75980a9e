"""The strict JSON schema offered to the model: only claims true on this sheet, each with only its own ids.

One `$defs` entry per slot group, an `anyOf` of claim objects; every property is required, every object closed,
every value a one-element `enum` (or `null` for an unused optional role). A model that follows the schema can
only choose among true claims; the checker re-validates because a model may not follow it. No `enum` is ever
empty (strict mode refuses one): a group without a true claim is not offered, and optional groups offer `none`.
"""

from __future__ import annotations

from typing import Any

from shared.analysis.claim_check import Offer, slot_names
from shared.analysis.claims import Claim, group_of

SCHEMA_NAME = "cost_review_narrative"


def _branch(claim: Claim) -> dict[str, Any]:
    props: dict[str, Any] = {"claim": {"type": "string", "enum": [claim.type]}}
    for role, ident in claim.ids:
        props[role] = {"type": "string", "enum": [ident]} if ident is not None else {"type": "null"}
    return {"type": "object", "additionalProperties": False, "required": list(props), "properties": props}


def answer_schema(offer: Offer) -> dict[str, Any]:
    """The schema of the answer: one property per slot, each an `anyOf` of the slot group's true claims."""
    slots = slot_names(offer)
    groups = list(dict.fromkeys(group_of(s) for s in slots))
    defs = {g: {"anyOf": [_branch(c) for c in offer[g]]} for g in groups}
    properties = {slot: {"$ref": f"#/$defs/{group_of(slot)}"} for slot in slots}
    return {"type": "object", "additionalProperties": False, "required": slots, "properties": properties,
            "$defs": defs}
