"""What a customer's principal can read on each subscription: ok now, or awaiting roles (never "refused").

The verdict rests on what the principal can actually read (shared/collectors/principal_probe.py): the
subscription's `resourcecontainers` row, its own role-assignment list at the subscription (readable with
Reader's `*/read`) and a Cost Management query. A role assigned moments ago, or at a management group, takes
minutes to show (first-deploy audit B4), so an unreadable subscription is `awaiting_roles` and re-checked on a
schedule (shared/pipeline/awaiting_roles.py). The roles in the list only name what was found and warn about
excess privilege. Reader alone reads cost, so Cost Management Reader is "recommended" when the probe worked
(audit S11). Work not done by the deadline leaves subscriptions awaiting (audit S8). Results name roles and
offers only, never resource names or cost figures.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from azure.core.exceptions import AzureError

from shared.api.responses import SubscriptionValidation, Validation
from shared.collectors.principal_probe import CostAccess, PrincipalProbe
from shared.deadline import Deadline
from shared.errors import CaletaError
from shared.ids import is_guid
from shared.pipeline.principal_roles import (
    BUILT_IN_NAMES,
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

# Under Cloudflare's 100 s proxy timeout with room for the sign-in and the writes (docs/onboarding-design.md §4).
DEFAULT_DEADLINE_SECONDS = 45.0
# Cost Management's quota is small (a few queries per minute per scope): probe a sample, infer the rest.
MAX_COST_PROBES = 10
READS_COST = frozenset({READER, COST_MANAGEMENT_READER, CONTRIBUTOR, OWNER})
RECOMMENDED = ((READER, "Reader"), (COST_MANAGEMENT_READER, "Cost Management Reader"))
WAIT_HINT = ("Roles assigned in the last few minutes, or at a management group, may take a few minutes to appear: "
             "Caleta checks again on its own and e-mails you the outcome.")
NOT_VISIBLE = ("Caleta cannot see this subscription yet. " + WAIT_HINT + " Otherwise check the subscription id, "
               "that it belongs to this tenant, and that Reader is assigned on it or on a management group above it.")
NO_READER = ("Reader is not visible on this subscription yet (the principal sees the subscription but cannot read "
             "its role assignments, which Reader allows). " + WAIT_HINT)
SOME_RESOURCES = ("Some resources are visible: if Reader is assigned on resource groups only, assign it on the "
                  "subscription for a full review.")
UNCHECKED = ("Not checked within the time this answer allows; Caleta checks it again within minutes and e-mails "
             "you the outcome.")
_MG = re.compile(r"^/providers/microsoft\.management/managementgroups/([^/]+)$")
_SUB = re.compile(r"^/subscriptions/([^/]+)(/resourcegroups/[^/]+)?")
Level = Literal["management group", "subscription", "resource group", "tenant root"]


@dataclass(frozen=True)
class _Assignment:
    role_id: str
    level: Level
    via_group: bool


@dataclass
class _Evidence:
    """What the probe showed for one subscription."""

    container: dict[str, Any] | None
    resources: int = 0
    assignments: list[_Assignment] | None = None  # None: the principal may not list them
    trouble: str | None = None  # Azure failed to answer the list
    definitions: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    cost: tuple[CostAccess, str | None] = ("not_probed", None)


def _prop(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if value is None and isinstance(row.get("properties"), dict):
        value = row["properties"].get(key)
    return value


def _assignment(row: dict[str, Any], object_id: str, subscription_id: str) -> _Assignment | None:
    role_id = str(_prop(row, "roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()
    scope = str(_prop(row, "scope") or "").rstrip("/").lower()
    via_group = str(_prop(row, "principalId") or object_id).lower() != object_id
    if not is_guid(role_id):
        return None
    if _MG.match(scope):
        return _Assignment(role_id, "management group", via_group)
    if scope == "":
        return _Assignment(role_id, "tenant root", via_group)
    sub = _SUB.match(scope)
    if sub is None or sub.group(1) != subscription_id:
        return None  # another subscription's: not this one's business
    return _Assignment(role_id, "resource group" if sub.group(2) else "subscription", via_group)


def _label(name: str, a: _Assignment) -> str:
    parts: list[str] = [a.level] if a.level != "subscription" else []
    parts += ["via a group"] if a.via_group else []
    return f"{name} ({', '.join(parts)})" if parts else name


def _roles(ev: _Evidence) -> tuple[list[str], list[str], set[str]]:
    """(roles found, excess, role ids held at the subscription or above)."""
    found: list[str] = []
    excess: list[str] = []
    for a in sorted(ev.assignments or [], key=lambda a: (a.level, a.role_id, a.via_group)):
        definition = ev.definitions.get(a.role_id)
        name = role_name(a.role_id, definition)
        if _label(name, a) not in found:
            found.append(_label(name, a))
        risky = a.role_id in HIGH_PRIVILEGE or (a.role_id not in BUILT_IN_NAMES and (
            definition is None or can_change_things(definition)))
        if risky and name not in excess:
            excess.append(name)
    broad = {a.role_id for a in ev.assignments or [] if a.level != "resource group"}
    return found, excess, broad


def _judge(sub: str, ev: _Evidence) -> SubscriptionValidation:
    if ev.container is None:
        return SubscriptionValidation(subscription_id=sub, status="awaiting_roles", ok=False, missing=["Reader"],
                                      recommended=["Cost Management Reader"], notes=[NOT_VISIBLE])
    found, excess, broad = _roles(ev)
    missing: list[str] = []
    notes: list[str] = []
    if ev.assignments is None:
        missing.append("Reader")
        notes.append(ev.trouble or NO_READER)
        if ev.resources and not ev.trouble:
            notes.append(SOME_RESOURCES)
    cost_state, cost_reason = ev.cost
    if cost_state == "forbidden":
        missing.append("Cost Management Reader")
        notes.append(f"{cost_reason or 'Cost Management refused a query.'} {WAIT_HINT} Otherwise assign Cost "
                     "Management Reader (or Reader) on the subscription.")
    elif cost_state == "unavailable" and cost_reason:
        notes.append(cost_reason)
    elif cost_state == "not_probed" and not broad & READS_COST:
        notes.append("Cost access was not probed on this subscription (Cost Management allows few queries); the "
                     "first scan shows whether cost data is readable.")
    notes += [f"{name} grants more than a review needs (Caleta only reads): remove it and keep Reader and Cost "
              "Management Reader." for name in excess]
    quota_id = _prop(_prop(ev.container, "subscriptionPolicies") or {}, "quotaId")
    offer, offer_note = describe_offer(quota_id)
    notes += [offer_note] if offer_note else []
    return SubscriptionValidation(
        subscription_id=sub, status="awaiting_roles" if missing else "ok", ok=not missing,
        display_name=_prop(ev.container, "displayName") or ev.container.get("name"), offer=offer,
        roles_found=found, missing=missing, excess=excess, notes=notes,
        recommended=[name for role, name in RECOMMENDED if role not in broad and name not in missing])


def _evidence(probe: PrincipalProbe, object_id: str, sub: str, container: dict[str, Any], resources: int,
              definitions: dict[str, dict[str, Any] | None], deadline: Deadline) -> _Evidence:
    ev = _Evidence(container, resources, definitions=definitions)
    try:
        rows = probe.role_assignments(object_id, sub, deadline)
    except (AzureError, CaletaError) as exc:
        logger.info("role assignments of a subscription could not be read (%s)", type(exc).__name__)
        ev.trouble = "Azure did not answer the role-assignment check in time; Caleta checks it again within minutes."
        return ev
    if rows is None:
        return ev
    ev.assignments = [a for a in (_assignment(r, object_id, sub) for r in rows) if a]
    for role_id in {a.role_id for a in ev.assignments} - set(BUILT_IN_NAMES) - definitions.keys():
        try:
            definitions[role_id] = probe.role_definition(role_id, sub, deadline)
        except (AzureError, CaletaError):
            definitions[role_id] = None  # unreadable: treated as able to write, so it is warned about
    return ev


def validate_principal(probe: PrincipalProbe, object_id: str, subscription_ids: list[str],
                       now: dt.datetime | None = None, *, deadline: Deadline | float) -> Validation:
    """Per-subscription validation of the principal `object_id`, finished (or cut short) by `deadline`: a
    Deadline, or a `time.monotonic()` instant (what onboarding passes: now + ONBOARDING_DEADLINE_SECONDS)."""
    if not is_guid(object_id):
        raise ValueError("object id is not a GUID")
    oid = object_id.lower()
    until = deadline if isinstance(deadline, Deadline) else Deadline(deadline)
    subs = list(dict.fromkeys(s.lower() for s in subscription_ids))
    view = probe.graph(subs, until)
    definitions: dict[str, dict[str, Any] | None] = {}
    results: list[SubscriptionValidation] = []
    probes = unchecked = 0
    for sub in subs:
        container = view.containers.get(sub)
        if sub in view.unfinished or (container is not None and until.passed):
            unchecked += 1
            results.append(SubscriptionValidation(subscription_id=sub, status="awaiting_roles", ok=False,
                                                  notes=[UNCHECKED]))
            continue
        if container is None:
            results.append(_judge(sub, _Evidence(None)))
            continue
        ev = _evidence(probe, oid, sub, container, view.resource_counts.get(sub, 0), definitions, until)
        if ev.assignments is not None and probes < MAX_COST_PROBES and not until.passed:
            ev.cost, probes = probe.cost_access(sub, until), probes + 1
        results.append(_judge(sub, ev))
    validation = Validation(principal_object_id=oid, validated_at=(now or dt.datetime.now(dt.UTC)).isoformat(),
                            subscriptions=results)
    if validation.awaiting:
        validation.awaiting_since = validation.validated_at
    logger.info("principal validated subscriptions=%d ok=%d awaiting=%d unchecked=%d cost_probes=%d", len(results),
                len(validation.usable), len(validation.awaiting), unchecked, probes)
    return validation


def refused_everywhere(object_id: str, subscription_ids: list[str], reason: str, now: dt.datetime) -> Validation:
    """Every subscription awaiting with the same reason (Resource Graph refused the principal outright)."""
    return Validation(principal_object_id=object_id, validated_at=now.isoformat(), awaiting_since=now.isoformat(),
                      subscriptions=[SubscriptionValidation(
                          subscription_id=s, status="awaiting_roles", ok=False, missing=["Reader"],
                          recommended=["Cost Management Reader"], notes=[f"{reason} {WAIT_HINT}"])
                          for s in subscription_ids])


def usable_subscriptions(validation: Validation) -> tuple[str, ...]:
    """The subscriptions that passed."""
    return validation.usable
