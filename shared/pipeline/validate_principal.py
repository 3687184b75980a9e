"""What a customer's principal can do on each subscription: visible, Reader, Cost Management Reader, excess.

The decision is pure (`validate_principal(probe, ...)`, typed as the API's `Validation`); the probe
(shared/collectors/principal_probe.py) asks Resource Graph and Cost Management. Results name roles and offers
only, never resource names or cost figures.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from shared.api.responses import SubscriptionValidation, Validation
from shared.collectors.principal_probe import CostAccess, PrincipalProbe
from shared.ids import is_guid
from shared.pipeline.principal_roles import (
    CONTRIBUTOR,
    COST_MANAGEMENT_READER,
    HIGH_PRIVILEGE,
    OWNER,
    READER,
    can_change_things,
    describe_offer,
    role_name,
)

logger = logging.getLogger(__name__)

# Cost Management's quota is small (a few queries per minute per scope): probe a sample, infer the rest.
MAX_COST_PROBES = 10
READS_INVENTORY = frozenset({READER, CONTRIBUTOR, OWNER})
READS_COST = frozenset({COST_MANAGEMENT_READER, CONTRIBUTOR, OWNER})


@dataclass(frozen=True)
class _Assignment:
    role_id: str
    level: Literal["management group", "subscription", "resource group", "tenant root"]
    scope_name: str | None  # management group name, for matching the subscription's ancestors


def _prop(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None and isinstance(row.get("properties"), dict):
        value = row["properties"].get(key)
    return value


def _assignment(row: dict[str, Any]) -> tuple[str, _Assignment] | None:
    definition = str(_prop(row, "roleDefinitionId") or "")
    scope = str(_prop(row, "scope") or "").rstrip("/").lower()
    role_id = definition.rstrip("/").rsplit("/", 1)[-1].lower()
    if not is_guid(role_id):
        return None
    mg = re.match(r"^/providers/microsoft\.management/managementgroups/([^/]+)$", scope)
    if mg:
        return scope, _Assignment(role_id, "management group", mg.group(1))
    if scope == "":
        return scope, _Assignment(role_id, "tenant root", None)
    sub = re.match(r"^/subscriptions/([^/]+)(/resourcegroups/[^/]+)?", scope)
    if sub:
        return scope, _Assignment(role_id, "resource group" if sub.group(2) else "subscription", sub.group(1))
    return None


def _ancestors(container: dict[str, Any] | None) -> set[str]:
    chain = _prop(container or {}, "managementGroupAncestorsChain") or []
    return {str(item.get("name", "")).lower() for item in chain if isinstance(item, dict)}


def _applies(scope: str, a: _Assignment, subscription_id: str, ancestors: set[str]) -> bool:
    if a.level == "management group":
        return a.scope_name in ancestors
    if a.level == "tenant root":
        return True
    return scope == f"/subscriptions/{subscription_id}" or scope.startswith(f"/subscriptions/{subscription_id}/")


def _definitions_by_id(rows: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in rows:
        role_id = str(row.get("name") or str(row.get("id", "")).rsplit("/", 1)[-1]).lower()
        out[role_id] = row
    return out


def _judge(sub: str, container: dict[str, Any] | None, assignments: list[tuple[str, _Assignment]],
           definitions: dict[str, dict[str, Any]], cost: tuple[CostAccess, str | None]) -> SubscriptionValidation:
    ancestors = _ancestors(container)
    mine = [a for scope, a in assignments if _applies(scope, a, sub, ancestors)]
    broad = {a.role_id for a in mine if a.level != "resource group"}
    roles_found, excess, notes, missing = [], [], [], []
    for a in sorted(mine, key=lambda a: (a.level, a.role_id)):
        name = role_name(a.role_id, definitions.get(a.role_id))
        label = name if a.level == "subscription" else f"{name} ({a.level})"
        if label not in roles_found:
            roles_found.append(label)
        if a.role_id in (READER, COST_MANAGEMENT_READER):
            continue
        definition = definitions.get(a.role_id)
        risky = a.role_id in HIGH_PRIVILEGE or definition is None or can_change_things(definition)
        if risky and name not in excess:
            excess.append(name)
    if container is None:
        notes.append("The principal cannot see this subscription: check the id, and that Reader is assigned on it.")
    if not broad & READS_INVENTORY:
        missing.append("Reader")
    cost_state, cost_reason = cost
    # Without Reader the principal cannot read its own role assignments: then a cost query that worked is
    # the only evidence there is, and it proves cost access.
    cost_proven = not mine and cost_state == "ok"
    if (not broad & READS_COST and not cost_proven) or cost_state == "forbidden":
        missing.append("Cost Management Reader")
    if not mine and container is not None:
        notes.append("The principal's role assignments are not visible to it (Reader allows reading them).")
    if cost_state == "forbidden":
        notes.append("Cost Management refused a query: assign Cost Management Reader on the subscription.")
    elif cost_state == "unavailable" and cost_reason:
        notes.append(f"Cost data could not be probed: {cost_reason}")
    if any(a.level == "resource group" and a.role_id in READS_INVENTORY for a in mine) and "Reader" in missing:
        notes.append("Reader is assigned on resource groups only: assign it on the subscription for a full review.")
    for name in excess:
        notes.append(f"{name} grants more than a review needs (Caleta only reads): remove it and keep Reader "
                     "and Cost Management Reader.")
    quota_id = _prop(_prop(container or {}, "subscriptionPolicies") or {}, "quotaId")
    offer, offer_note = describe_offer(quota_id if container else None)
    if offer_note:
        notes.append(offer_note)
    return SubscriptionValidation(
        subscription_id=sub, ok=container is not None and not missing,
        display_name=(_prop(container, "displayName") or container.get("name")) if container else None,
        offer=offer, roles_found=roles_found, missing=missing, excess=excess, notes=notes)


def validate_principal(probe: PrincipalProbe, object_id: str, subscription_ids: list[str],
                       now: dt.datetime | None = None) -> Validation:
    """Per-subscription validation of the principal `object_id`."""
    if not is_guid(object_id):
        raise ValueError("object id is not a GUID")
    subs = [s.lower() for s in subscription_ids]
    containers = {str(_prop(r, "subscriptionId") or "").lower(): r for r in probe.subscriptions(subs)}
    assignments = [p for p in (_assignment(r) for r in probe.role_assignments(object_id.lower(), subs)) if p]
    unknown = sorted({a.role_id for _, a in assignments} - {READER, COST_MANAGEMENT_READER, *HIGH_PRIVILEGE})
    definitions = _definitions_by_id(probe.role_definitions(unknown, subs)) if unknown else {}
    results: list[SubscriptionValidation] = []
    probes = 0
    for sub in subs:
        cost: tuple[CostAccess, str | None] = ("not_probed", None)
        if sub in containers and probes < MAX_COST_PROBES:
            cost, probes = probe.cost_access(sub), probes + 1
        results.append(_judge(sub, containers.get(sub), assignments, definitions, cost))
    ok = sum(1 for r in results if r.ok)
    logger.info("principal validated subscriptions=%d ok=%d cost_probes=%d", len(results), ok, probes)
    return Validation(principal_object_id=object_id.lower(),
                      validated_at=(now or dt.datetime.now(dt.UTC)).isoformat(), subscriptions=results)


def refused_everywhere(object_id: str, subscription_ids: list[str], reason: str, now: dt.datetime) -> Validation:
    """The same refusal for every subscription (Resource Graph refused the principal outright)."""
    return Validation(principal_object_id=object_id, validated_at=now.isoformat(), subscriptions=[
        SubscriptionValidation(subscription_id=s, ok=False, display_name=None, offer=None, roles_found=[],
                               missing=["Reader", "Cost Management Reader"], excess=[], notes=[reason])
        for s in subscription_ids])


def usable_subscriptions(validation: Validation) -> tuple[str, ...]:
    """The subscriptions that passed."""
    return tuple(s.subscription_id for s in validation.subscriptions if s.ok)
