"""The 7-day deletion promise as arithmetic: how long each copy of a customer's data can outlive the request.

Every bound is a worst case measured from the offboarding request. The purge starts at once (a message), but
the budget assumes only the backstop. The purge runs in two passes: the first at the first PURGE_TIMER firing
after the request (plus one function timeout to finish); the second once the grace (function timeout + lock
duration) has run, which with its scheduled message lost too is the first firing after that, plus one more
function timeout. What the purge deletes then lingers for its platform retention (blob or container soft
delete; Key Vault soft delete unless the secret is purged). Raw data the purge missed is still removed by the
lifecycle rule: rule age (whole days, so up to one more), up to 48 h of lifecycle lag, then blob soft delete.
Service Bus messages already queued expire with their TTL; they carry ids only (claim check).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from croniter import croniter

PROMISE = dt.timedelta(days=7)
# Lifecycle management runs once a day; a rule's action can take up to 48 hours to complete.
LIFECYCLE_LAG = dt.timedelta(hours=48)
# Issue 6: a purge still unfinished 24 hours before the deadline raises an alert.
ALERT_LEAD = dt.timedelta(hours=24)
UNBOUNDED = dt.timedelta.max


@dataclass(frozen=True)
class Retention:
    """Every deployed value that decides how long a deleted copy can survive."""

    purge_timer: str
    function_timeout: dt.timedelta
    lock_duration: dt.timedelta
    deadline_days: int
    blob_soft_delete_days: int | None
    container_soft_delete_days: int | None
    versioning: bool
    lifecycle_days_after_creation: int | None
    key_vault_soft_delete_days: int
    key_vault_purge_protection: bool
    message_ttl: dt.timedelta
    dead_letter_on_expiry: bool


def max_timer_gap(ncrontab: str, weeks: int = 8) -> dt.timedelta:
    """The longest wait between consecutive firings of a six-field NCRONTAB schedule, over `weeks` weeks."""
    start = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    schedule = croniter(ncrontab, start, second_at_beginning=True)
    previous = start
    gap = dt.timedelta(0)
    while previous < start + dt.timedelta(weeks=weeks):
        nxt: dt.datetime = schedule.get_next(dt.datetime)
        gap = max(gap, nxt - previous)
        previous = nxt
    return gap


def purge_finished_by(r: Retention) -> dt.timedelta:
    """Worst case from the request until the backstop has run both purge passes (the certificate)."""
    gap = max_timer_gap(r.purge_timer)
    first_pass_done = gap + r.function_timeout
    second_pass_due = first_pass_done + r.function_timeout + r.lock_duration  # the grace
    return second_pass_due + gap + r.function_timeout


def _days(value: int | None) -> dt.timedelta:
    return dt.timedelta(days=value or 0)


def residual_after_purge(r: Retention) -> dict[str, dt.timedelta]:
    """How long each store keeps a copy after the purge deleted it."""
    return {
        "blob (soft delete)": _days(r.blob_soft_delete_days),
        "container (soft delete)": _days(r.container_soft_delete_days),
        # A previous version survives soft-delete expiry: nothing in this deployment removes it.
        "blob versions": UNBOUNDED if r.versioning else dt.timedelta(0),
        "table rows": dt.timedelta(0),
        "key vault secret": _days(r.key_vault_soft_delete_days) if r.key_vault_purge_protection
        else dt.timedelta(0),
    }


def copy_lifetimes(r: Retention) -> dict[str, dt.timedelta]:
    """Worst-case lifetime of every copy of customer data, measured from the offboarding request."""
    done = purge_finished_by(r)
    out = {name: (UNBOUNDED if extra == UNBOUNDED else done + extra)
           for name, extra in residual_after_purge(r).items()}
    if r.lifecycle_days_after_creation is None:
        out["raw data missed by the purge"] = UNBOUNDED
    else:
        out["raw data missed by the purge"] = (_days(r.lifecycle_days_after_creation + 1) + LIFECYCLE_LAG
                                               + _days(r.blob_soft_delete_days))
    # Dead-lettered messages have no TTL, so expiring into the dead-letter queue would keep them for ever.
    out["queued messages"] = UNBOUNDED if r.dead_letter_on_expiry else r.message_ttl
    return out


def over_budget(r: Retention) -> dict[str, dt.timedelta]:
    """The copies that can outlive the 7-day promise (empty when the promise holds)."""
    return {name: life for name, life in copy_lifetimes(r).items() if life > PROMISE}


def alert_is_in_time(r: Retention) -> bool:
    """Whether the late-purge alert still leaves room for the longest residual copy within the promise."""
    alert_at = dt.timedelta(days=r.deadline_days) - ALERT_LEAD
    longest_residual = max(residual_after_purge(r).values())
    if longest_residual == UNBOUNDED:
        return False
    return r.deadline_days <= PROMISE.days and alert_at + longest_residual <= PROMISE
