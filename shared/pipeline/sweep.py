"""The backstop's sweeps: what no purge request names is found and deleted all the same.

- Crashed onboardings: a customer row still `pending_proof` an hour after it was written (the onboarding POST
  has a deadline well under a minute, docs/onboarding-design.md §4) is abandoned. It moves to `deleted` under
  ETag (so an onboarding that does finish wins or loses cleanly), its tombstone is laid, and every purged store
  deletes what it holds, the secrets (named on the row) and the container first, the row itself last.
- Orphans: a container `c-{id}` or a table partition under an id that has neither a customer row nor an open
  purge request (a late write that raced a purge in an older version, a crash in a rollback). Each sweepable
  store lists its ids first; the row is looked up after, so a customer onboarded meanwhile (row first, then
  container) is never mistaken for an orphan. Stores retained by design are not sweepable and keep theirs.
"""

from __future__ import annotations

import datetime as dt
import logging

from shared.errors import NotFound
from shared.services import Services
from shared.storage.retention import PurgeSubject, Sweepable

logger = logging.getLogger(__name__)

ABANDONED_AFTER = dt.timedelta(hours=1)


def abandoned_onboardings(services: Services) -> int:
    """Delete every customer left in pending_proof for over an hour, with all it holds; how many."""
    cutoff = services.clock() - ABANDONED_AFTER
    swept = 0
    for customer in services.customers.in_state("pending_proof"):
        if customer.created_at > cutoff:
            continue
        if not services.customers.transition(customer.customer_id, {"pending_proof"}, "deleted",
                                             "onboarding abandoned"):
            continue  # it finished (or was swept) meanwhile
        services.tombstones.set(customer.customer_id, services.clock())
        subject = PurgeSubject(customer.customer_id, customer.tenant_id)
        for store in services.purged_stores():
            store.delete_customer(subject)
        swept += 1
        logger.warning("abandoned onboarding swept customer=%s", customer.customer_id)
    return swept


def _has_owner(services: Services, customer_id: str) -> bool:
    try:
        services.customers.get(customer_id)
        return True
    except NotFound:
        return services.purges.get(customer_id) is not None


def orphans(services: Services) -> int:
    """Delete data filed under customer ids that no customer row or purge request names; how many ids."""
    stores = [s for s in services.purged_stores() if isinstance(s, Sweepable)]
    found: dict[str, list[Sweepable]] = {}
    for store in stores:
        for customer_id in store.customer_ids():
            found.setdefault(customer_id, []).append(store)
    swept = 0
    for customer_id, holders in sorted(found.items()):
        if _has_owner(services, customer_id):
            continue
        subject = PurgeSubject(customer_id, tenant_id="")  # no tenant-keyed store is sweepable
        removed = sum(store.delete_customer(subject) for store in holders)
        swept += 1
        logger.warning("orphaned data swept customer=%s stores=%s items=%d", customer_id,
                       sorted(s.name for s in holders), removed)
    return swept
