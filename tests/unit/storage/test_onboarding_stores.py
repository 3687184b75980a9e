"""The sign-in, proof and rate-limit stores over the memory table: single use, day partitions, shared counters."""

from __future__ import annotations

import datetime as dt
import threading

from local.memtable import MemoryTable
from shared.storage.proofs import ProofStore
from shared.storage.ratelimits import RateLimitStore
from shared.storage.signins import SigninSession, SigninStore

TENANT = "11111111-1111-1111-1111-111111111111"
NIGHT = dt.datetime(2026, 12, 6, 23, 55, tzinfo=dt.UTC)


def a_session(created: dt.datetime) -> SigninSession:
    return SigninSession("signin", TENANT, "n" * 43, "v" * 86, "https://caleta.example/api/onboarding/callback",
                         created)


def test_session_is_found_across_midnight_when_it_expires_the_next_day() -> None:
    store = SigninStore(MemoryTable())
    store.open("state-1", a_session(NIGHT))
    assert store.take("state-1", NIGHT + dt.timedelta(minutes=7)) == a_session(NIGHT)


def test_session_is_taken_by_exactly_one_of_many_racing_callbacks() -> None:
    store = SigninStore(MemoryTable())
    store.open("state-1", a_session(NIGHT))
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(store.take("state-1", NIGHT))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for r in results if r is not None) == 1


def test_proof_is_spent_once_when_two_requests_race() -> None:
    table = MemoryTable()
    store = ProofStore(table)
    handle = store.issue(TENANT, "oid", NIGHT)
    outcomes: list[bool] = []
    threads = [threading.Thread(target=lambda: outcomes.append(store.consume(handle, TENANT, NIGHT).ok))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(True) == 1
    assert handle not in str(table.rows)


def test_instances_share_the_counters_when_they_use_one_table_and_the_deployment_key() -> None:
    table = MemoryTable()
    first, second = RateLimitStore(table, key=lambda: b"k" * 32), RateLimitStore(table, key=lambda: b"k" * 32)
    assert first.hit("address", "203.0.113.7", NIGHT) == 1
    assert second.hit("address", "203.0.113.7", NIGHT) == 2
    assert first.count("address", "203.0.113.7", NIGHT) == 2


def test_counter_starts_again_when_the_hour_turns() -> None:
    store = RateLimitStore(MemoryTable(), key=lambda: b"k" * 32)
    store.hit("address", "a", NIGHT)
    assert store.count("address", "a", NIGHT + dt.timedelta(minutes=4)) == 1
    assert store.count("address", "a", NIGHT + dt.timedelta(minutes=6)) == 0


def test_concurrent_hits_are_all_counted_when_instances_race() -> None:
    store = RateLimitStore(MemoryTable(), key=lambda: b"k" * 32)
    threads = [threading.Thread(target=lambda: store.hit("address", "a", NIGHT)) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count("address", "a", NIGHT) == 10


def test_sweep_keeps_today_when_it_runs() -> None:
    table = MemoryTable()
    store = RateLimitStore(table, key=lambda: b"k" * 32)
    store.hit("address", "a", NIGHT - dt.timedelta(days=3))
    store.hit("address", "a", NIGHT)
    assert store.sweep(NIGHT) == 1
    assert store.count("address", "a", NIGHT) == 1


def test_the_table_holds_no_key_and_no_address_when_counting() -> None:
    # the key lives in the secret store (shared/pseudonyms.py), never beside the pseudonyms it keys
    table = MemoryTable()
    store = RateLimitStore(table, key=lambda: b"k" * 32)
    store.hit("address", "203.0.113.7", NIGHT)
    assert "203.0.113.7" not in str(table.rows) and all(pk != "key" for pk, _ in table.rows)
