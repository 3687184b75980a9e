"""The role re-check: subscriptions whose roles were not visible yet are checked again on a schedule.

A role assigned moments ago, or at a management group, takes minutes to reach ARM (first-deploy audit B4), so
onboarding (and POST …/validate) leaves such subscriptions `awaiting_roles` instead of refusing. This timer
(ROLE_RECHECK_TIMER) validates them again for ROLE_WAIT_MINUTES from `awaiting_since`:
- an `awaiting_roles` customer with a readable subscription becomes `active`, its first scan starts and the
  contact is told (e-mail `roles_ready`);
- an `active` customer's subscriptions that became readable join its subscriptions (the next scan reads them);
- when the wait is over, the contact is told once what is still unreadable, what to check and how to ask again
  (e-mail `roles_still_missing`); the re-checks stop until POST …/validate.
Every write goes through the customer store under ETag and only if the stored validation is still the one that
was checked, so a timer firing twice (or racing POST …/validate) sends no e-mail and starts no scan twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from azure.core.exceptions import AzureError

from shared.api.responses import Validation
from shared.config import get_settings
from shared.credentials import principal_object_id, sign_in
from shared.deadline import Deadline
from shared.domain import Customer
from shared.errors import CaletaError
from shared.notify import emails, send_quietly
from shared.pipeline.scan import request_scan
from shared.pipeline.validate_principal import UNCHECKED, validate_principal
from shared.services import Services

logger = logging.getLogger(__name__)

# One customer's re-check may take this long; the whole sweep stops starting new ones at SWEEP_SHARE of the
# function timeout, and the next firing carries on.
CUSTOMER_DEADLINE_SECONDS = 120.0
SWEEP_SHARE = 0.8
OUTCOMES = ("activated", "added", "awaiting", "told", "raced", "failed", "deferred", "skipped")


def merged(previous: Validation, fresh: Validation) -> Validation:
    """`previous` with the re-checked subscriptions replaced by `fresh`'s; the wait keeps its start."""
    by_id = {s.subscription_id: s for s in fresh.subscriptions}
    subscriptions = [by_id.get(s.subscription_id, s) for s in previous.subscriptions]
    out = Validation(principal_object_id=fresh.principal_object_id or previous.principal_object_id,
                     validated_at=fresh.validated_at, subscriptions=subscriptions)
    if out.awaiting:
        out.awaiting_since = previous.awaiting_since or fresh.awaiting_since
    return out


def _tell_wait_over(services: Services, customer: Customer, previous: Validation, now: dt.datetime) -> str:
    settings = get_settings()
    ended = previous.model_copy(update={"wait_ended_at": now.isoformat(), "validated_at": now.isoformat()})
    if not services.customers.record_role_check(
            customer.customer_id, checked_at=previous.validated_at, validation=ended.model_dump(mode="json"),
            subscription_ids=customer.subscription_ids, allowed_from={customer.state}, to=None):
        return "raced"
    services.audit.record(customer.customer_id, "validated", {"by": "role_recheck", "outcome": "wait_over",
                                                              "awaiting_subscriptions": len(previous.awaiting)})
    send_quietly(emails.roles_still_missing(customer.contact_email, customer.customer_id, list(previous.awaiting),
                                            settings.role_wait_minutes, settings.role_recheck_minutes),
                 services.notifier)
    logger.info("roles still not visible after the wait customer=%s awaiting=%d", customer.customer_id,
                len(previous.awaiting))
    return "told"


def _activate(services: Services, customer: Customer, previous: Validation, result: Validation) -> str:
    if not services.customers.record_role_check(
            customer.customer_id, checked_at=previous.validated_at, validation=result.model_dump(mode="json"),
            subscription_ids=result.usable, allowed_from={"awaiting_roles"}, to="active"):
        return "raced"
    try:
        scan_id: str | None = request_scan(services, services.customers.get(customer.customer_id), "roles_visible")
    except (CaletaError, AzureError) as exc:  # active already: the schedule (or "scan now") starts it later
        logger.warning("first scan could not be requested customer=%s error=%s", customer.customer_id,
                       type(exc).__name__)
        scan_id = None
    services.audit.record(customer.customer_id, "validated", {"by": "role_recheck", "outcome": "activated",
                                                              "usable_subscriptions": len(result.usable),
                                                              "previous_state": "awaiting_roles"})
    send_quietly(emails.roles_ready(customer.contact_email, customer.customer_id, scan_id, len(result.usable),
                                    len(result.awaiting)), services.notifier)
    logger.info("customer active after roles appeared customer=%s usable=%d scan=%s", customer.customer_id,
                len(result.usable), scan_id)
    return "activated"


def _record(services: Services, customer: Customer, previous: Validation, result: Validation) -> str:
    """An active customer's newly readable subscriptions join it; otherwise only the validation is refreshed."""
    new = [s for s in result.usable if s not in customer.subscription_ids]
    subscriptions = customer.subscription_ids + tuple(new) if customer.is_active else customer.subscription_ids
    if not services.customers.record_role_check(
            customer.customer_id, checked_at=previous.validated_at, validation=result.model_dump(mode="json"),
            subscription_ids=subscriptions, allowed_from={customer.state}, to=None):
        return "raced"
    if customer.is_active and new:
        services.audit.record(customer.customer_id, "validated", {"by": "role_recheck", "outcome": "added",
                                                                  "usable_subscriptions": len(result.usable),
                                                                  "added_subscriptions": len(new)})
        logger.info("subscriptions became readable customer=%s added=%d", customer.customer_id, len(new))
        return "added"
    return "awaiting"


def recheck_customer(services: Services, customer: Customer, deadline: Deadline) -> str:
    """Check one customer's awaited subscriptions again; the outcome (one of OUTCOMES)."""
    previous = Validation.model_validate(customer.validation)
    if customer.state not in ("awaiting_roles", "active") or not previous.awaiting or previous.wait_ended_at:
        return "skipped"
    now = services.clock()
    since = dt.datetime.fromisoformat(previous.awaiting_since) if previous.awaiting_since else customer.created_at
    if now - since >= dt.timedelta(minutes=get_settings().role_wait_minutes):
        return _tell_wait_over(services, customer, previous, now)
    credential = services.credentials.for_customer(customer)
    object_id = principal_object_id(sign_in(credential, customer.auth_mode))
    # Those a deadline left unchecked go first, so a long list is worked through across firings.
    unchecked = {s.subscription_id for s in previous.subscriptions if s.notes == [UNCHECKED]}
    order = sorted(previous.awaiting, key=lambda sub: sub not in unchecked)
    fresh = validate_principal(services.probe_for(credential), object_id, order, now, deadline=deadline)
    result = merged(previous, fresh)
    if customer.state == "awaiting_roles" and result.usable:
        return _activate(services, customer, previous, result)
    return _record(services, customer, previous, result)


def recheck_awaiting(services: Services) -> dict[str, int]:
    """Re-check every customer with subscriptions awaiting roles; counts per outcome. Idempotent."""
    counts = dict.fromkeys(OUTCOMES, 0)
    sweep = Deadline.within(get_settings().function_timeout_seconds * SWEEP_SHARE)
    for customer in services.customers.awaiting_roles():
        if sweep.passed:
            counts["deferred"] += 1
            continue
        deadline = Deadline.within(min(CUSTOMER_DEADLINE_SECONDS, sweep.remaining()))
        try:
            counts[recheck_customer(services, customer, deadline)] += 1
        except (CaletaError, AzureError) as exc:  # one tenant's trouble must not stop the others' re-checks
            logger.warning("role re-check failed customer=%s error=%s", customer.customer_id, type(exc).__name__)
            counts["failed"] += 1
    if any(counts.values()):
        logger.info("role re-check: %s", counts)
    return counts
