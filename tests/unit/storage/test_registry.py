"""The store registry: every store in Services says what it may hold about a customer; the purge takes the list.

This is the 7-day promise by enumeration: a store added to Services without a declaration fails here, and a
store declared `Purged` is deleted and verified by the purge without any change to it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from shared.config import Settings
from shared.services import NOT_STORES, build_services
from shared.storage.retention import NoCustomerData, Purged, RetainedByDesign
from tests.unit.fakes import make_world

PURGED = {"table:customers", "table:scans", "table:schedules", "table:audit", "table:costquota", "blobs", "secret",
          "dead_letters", "messages", "outbox"}
RETAINED = {"table:purges", "table:certificates", "table:signins", "table:proofs", "table:ratelimits",
            "table:tombstones"}


class UndeclaredStore:
    """A store that holds something and says nothing about it."""

    def save(self, customer_id: str) -> None:
        """Keep something about a customer."""


class PurgedButCannotDelete:
    """Declares it is purged, but the purge could neither delete nor count anything in it."""

    name = "forgetful"
    declaration = Purged(holds="something")


def test_every_real_store_declares_what_it_holds_when_the_services_are_built(tmp_path: Path) -> None:
    services = build_services(Settings(notify_outbox_url=(tmp_path / "outbox").as_uri()))
    assert services.undeclared() == []
    names = {store.name for store in services.purged_stores()}
    assert names == PURGED and services.purged_stores()[-1].name == "table:customers"
    retained = {v.name for _, v in services.stores() if isinstance(v.declaration, RetainedByDesign)}  # type: ignore[attr-defined]
    assert retained == RETAINED
    assert not (tmp_path / "outbox").exists()  # building touched nothing


def test_graph_keeps_nothing_so_the_purge_skips_it_when_e_mail_goes_through_graph() -> None:
    services = build_services(Settings(notify_outbox_url="graph://reviews@caleta.example"))
    assert isinstance(services.notifier.declaration, NoCustomerData)
    assert {store.name for store in services.purged_stores()} == PURGED - {"outbox"}


def test_registry_fails_when_services_hold_a_store_without_a_declaration() -> None:
    # given: the fake services, with one store swapped for one that declares nothing
    services = dataclasses.replace(make_world().services, schedules=UndeclaredStore())  # type: ignore[arg-type]
    # when / then
    assert services.undeclared() == ["schedules"]


def test_registry_fails_when_a_purged_store_cannot_delete_or_count() -> None:
    services = dataclasses.replace(make_world().services, queued=PurgedButCannotDelete())  # type: ignore[arg-type]
    assert services.undeclared() == ["queued"]


def test_every_field_is_a_declared_store_or_named_as_holding_nothing() -> None:
    services = make_world().services
    fields = {f.name for f in dataclasses.fields(services)}
    assert fields == {name for name, _ in services.stores()} | NOT_STORES
    assert services.undeclared() == []


def test_purge_order_puts_the_customer_row_last_when_listed() -> None:
    stores = make_world().services.purged_stores()
    assert stores[-1].name == "table:customers"
    assert all(isinstance(s.declaration, Purged) and not s.declaration.last for s in stores[:-1])
