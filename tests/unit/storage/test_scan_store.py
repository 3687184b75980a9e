"""The scan store: customer isolation, long subscription lists, batched task rows, ordering."""

from __future__ import annotations

import datetime as dt

import pytest

from local.memtable import MemoryTable
from shared.errors import IllegalTransition, NotFound
from shared.storage.retention import PurgeSubject
from shared.storage.scans import ScanStore

OTHER = "f" * 32
OWNER = "0" * 32


def test_a_scan_is_not_found_when_asked_for_under_another_customer():
    store = ScanStore(MemoryTable())
    store.create(OWNER, "01a2", ["s1"], "manual")
    with pytest.raises(NotFound):
        store.get(OTHER, "01a2")


def test_a_task_row_key_is_not_taken_for_a_scan_when_asked_for_by_id():
    store = ScanStore(MemoryTable())
    store.create(OWNER, "01a2", ["s1"], "manual")
    store.ensure_tasks(OWNER, "01a2", [("s1", "cost")])
    with pytest.raises(NotFound):
        store.get(OWNER, "01a2~s1~cost")


def test_a_thousand_subscriptions_round_trip_when_the_list_exceeds_one_property():
    store = ScanStore(MemoryTable())
    subs = [f"{i:08d}-0000-0000-0000-000000000000" for i in range(1000)]
    store.create(OWNER, "01a2", subs, "manual")
    assert list(store.get(OWNER, "01a2").subscription_ids) == subs


def test_three_thousand_tasks_are_created_in_batches_when_a_large_scan_is_planned():
    table = MemoryTable()
    store = ScanStore(table)
    store.create(OWNER, "01a2", ["x"], "manual")
    pairs = [(f"{i:08d}-0000-0000-0000-000000000000", s) for i in range(1000) for s in ("a", "b", "c")]
    store.ensure_tasks(OWNER, "01a2", pairs)
    assert len(store.tasks(OWNER, "01a2")) == 3000 and store.has_pending(OWNER, "01a2")


def test_replanning_keeps_outcomes_when_some_tasks_already_finished():
    store = ScanStore(MemoryTable())
    store.create(OWNER, "01a2", ["s1"], "manual")
    store.ensure_tasks(OWNER, "01a2", [("s1", "cost"), ("s1", "advisor")])
    store.finish_task(OWNER, "01a2", "s1", "cost", "succeeded", None)
    store.ensure_tasks(OWNER, "01a2", [("s1", "cost"), ("s1", "advisor")])
    assert {t.source: t.outcome for t in store.tasks(OWNER, "01a2")} == {"cost": "succeeded", "advisor": "pending"}


def test_scans_are_listed_newest_first_with_their_progress_when_a_customer_has_several():
    store = ScanStore(MemoryTable())
    for scan_id in ("01a1", "01a3", "01a2"):
        store.create(OWNER, scan_id, ["s1"], "manual")
    store.ensure_tasks(OWNER, "01a3", [("s1", "cost")])
    listed = store.for_customer(OWNER)
    assert [s.scan_id for s in listed] == ["01a3", "01a2", "01a1"]
    assert listed[0].progress == "0 of 1"


def test_a_scan_cannot_skip_a_state_when_moved() -> None:
    store = ScanStore(MemoryTable())
    store.create(OWNER, "01a2", ["s1"], "manual")
    with pytest.raises(IllegalTransition):
        store.transition(OWNER, "01a2", {"queued"}, "analysing")
    with pytest.raises(IllegalTransition):
        store.transition(OWNER, "01a2", {"complete"}, "failed")
    assert store.get(OWNER, "01a2").status == "queued"


def test_purge_deletes_and_counts_the_customers_partition_only() -> None:
    store = ScanStore(MemoryTable())
    store.create(OWNER, "01a2", ["s1"], "manual")
    store.ensure_tasks(OWNER, "01a2", [("s1", "cost")])
    store.create(OTHER, "01a3", ["s1"], "manual")
    assert store.count_customer(PurgeSubject(OWNER, "t")) == 2
    assert store.delete_customer(PurgeSubject(OWNER, "t")) == 2
    assert store.count_customer(PurgeSubject(OWNER, "t")) == 0 and store.for_customer(OTHER)


def test_fallbacks_are_listed_across_customers_newest_first_when_summaries_fell_back() -> None:
    clock = _Clock()
    store = ScanStore(MemoryTable(), clock=clock)
    for customer, scan, source, reason in ((OWNER, "01a1", "deterministic", "timeout"), (OTHER, "01b1", "llm", None),
                                           (OTHER, "01b2", "deterministic", "rejected")):
        store.create(customer, scan, ["s1"], "manual")
        clock.now += dt.timedelta(hours=1)
        store.record_narrative(customer, scan, source, reason)
    found = store.narrative_fallbacks(clock.now - dt.timedelta(days=1), 10)
    assert [(f.customer_id, f.scan_id, f.reason) for f in found] == [(OTHER, "01b2", "rejected"),
                                                                    (OWNER, "01a1", "timeout")]
    assert [f.scan_id for f in store.narrative_fallbacks(clock.now - dt.timedelta(minutes=30), 10)] == ["01b2"]
    assert len(store.narrative_fallbacks(clock.now - dt.timedelta(days=1), 1)) == 1


def test_recording_the_summary_of_a_missing_scan_is_not_found_when_asked() -> None:
    with pytest.raises(NotFound):
        ScanStore(MemoryTable()).record_narrative(OWNER, "01zz", "deterministic", "no_model")


class _Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now
