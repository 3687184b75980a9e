"""The write-time check: every writer of customer data asks at the moment it writes whether the customer may
still be written, and a writer that loses the race to the purge removes what it wrote.

The purge lays a tombstone before it deletes anything (shared/storage/tombstones.py). A writer checks just
before writing (tombstone, customer row, state) and again just after. Either its write landed before the
tombstone, and then before the purge deleted the container (which comes after the tombstone), so the purge
removes it; or the check after the write sees the tombstone, and the writer removes it itself. The container
is never re-created, so a write after the purge deleted it fails (ContainerMissing) and leaves nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from shared.errors import NotFound
from shared.services import Services
from shared.storage.blobs import ContainerMissing

logger = logging.getLogger(__name__)
T = TypeVar("T")


def refusal(services: Services, customer_id: str) -> str | None:
    """Why the customer's data may not be written now (purged, no row, leaving), or None while it may be."""
    if services.tombstones.is_laid(customer_id):
        return "purged"
    try:
        customer = services.customers.get(customer_id)
    except NotFound:
        return "no customer row"
    return customer.state if customer.is_leaving else None


def write_checked(services: Services, customer_id: str, write: Callable[[], T],
                  remove: Callable[[T], None]) -> T | None:
    """Run `write` only while the customer may be written; None when refused or when it lost the race.

    `remove` undoes a write that the purge overtook (the purge began between the two checks).
    """
    why = refusal(services, customer_id)
    if why is not None:
        logger.info("write refused customer=%s: %s", customer_id, why)
        return None
    try:
        written = write()
    except ContainerMissing:
        why = refusal(services, customer_id)
        if why is None:
            raise  # a customer still here without a container: a fault to surface, never to paper over
        logger.info("write refused customer=%s: container gone (%s)", customer_id, why)
        return None
    if services.tombstones.is_laid(customer_id):
        remove(written)
        logger.warning("write overtaken by the purge customer=%s: removed again", customer_id)
        return None
    return written
