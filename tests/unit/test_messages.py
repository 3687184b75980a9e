"""The queue declaration and message ids."""

from shared.messages import ANALYSE, COLLECT_TASKS, PURGE, QUEUES, SCAN_REQUESTS, CollectTask


def test_queue_names_are_unique_and_kebab_case() -> None:
    names = [q.name for q in QUEUES]
    assert len(names) == len(set(names))
    assert all(n == n.lower() and " " not in n and "_" not in n for n in names)


def test_queue_properties_are_the_declared_durations() -> None:
    # The Bicep spells these PT1M, PT5M, PT10M and P2D (tests/infra/test_bicep_queues.py compares them).
    assert SCAN_REQUESTS.lock_duration_seconds == 60
    assert COLLECT_TASKS.lock_duration_seconds == ANALYSE.lock_duration_seconds == PURGE.lock_duration_seconds == 300
    assert SCAN_REQUESTS.duplicate_detection_window_seconds == 600
    assert SCAN_REQUESTS.default_ttl_seconds == 2 * 86400


def test_collect_task_message_id_is_deterministic() -> None:
    a = CollectTask(customer_id="c", scan_id="s", subscription_id="sub", source="cost")
    b = CollectTask(customer_id="c", scan_id="s", subscription_id="sub", source="cost")
    assert a.message_id() == b.message_id() == "collect:s:sub:cost"
