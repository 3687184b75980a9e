"""The queue declaration and message ids."""

from shared.messages import QUEUES, CollectTask, queue


def test_queue_names_are_unique_and_kebab_case() -> None:
    names = [q.name for q in QUEUES]
    assert len(names) == len(set(names))
    assert all(n == n.lower() and " " not in n and "_" not in n for n in names)


def test_iso_durations_are_what_arm_expects() -> None:
    assert queue("scan-requests").lock_duration_iso == "PT1M"
    assert queue("collect-tasks").lock_duration_iso == "PT5M"
    assert queue("scan-requests").duplicate_detection_window_iso == "PT10M"
    assert queue("scan-requests").default_ttl_iso == "P2D"


def test_collect_task_message_id_is_deterministic() -> None:
    a = CollectTask(customer_id="c", scan_id="s", subscription_id="sub", source="cost")
    b = CollectTask(customer_id="c", scan_id="s", subscription_id="sub", source="cost")
    assert a.message_id() == b.message_id() == "collect:s:sub:cost"
