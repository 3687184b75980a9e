"""The queue declaration, message ids (natural for duplicate detection, opaque on the wire) and id formats."""

import pytest
from pydantic import ValidationError

from shared.messages import (
    ANALYSE,
    COLLECT_TASKS,
    PURGE,
    QUEUES,
    SCAN_REQUESTS,
    AnalyseScan,
    CollectTask,
    PurgeCustomer,
    ScanRequested,
    opaque_message_id,
)

CUSTOMER = "0123456789abcdef0123456789abcdef"
SCAN = "019ab3c4d5e6f7a8b9c0d1e2"
SUB = "d012b2f1-e54f-5f05-8120-6fbf9da1ca5e"
KEY = b"k" * 32


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
    a = CollectTask(customer_id=CUSTOMER, scan_id=SCAN, subscription_id=SUB, source="cost")
    b = CollectTask(customer_id=CUSTOMER, scan_id=SCAN, subscription_id=SUB, source="cost")
    assert a.message_id() == b.message_id() == f"collect:{SCAN}:{SUB}:cost"


def test_opaque_message_id_is_deterministic_keyed_and_names_nothing() -> None:
    task = CollectTask(customer_id=CUSTOMER, scan_id=SCAN, subscription_id=SUB, source="cost")
    again = CollectTask(customer_id=CUSTOMER, scan_id=SCAN, subscription_id=SUB, source="cost")
    wire = opaque_message_id(task, KEY)
    assert wire == opaque_message_id(again, KEY) and len(wire) == 32 and int(wire, 16) >= 0
    assert wire != opaque_message_id(task, b"j" * 32)  # another deployment, another id
    assert wire != opaque_message_id(task.model_copy(update={"source": "advisor"}), KEY)
    assert not {SUB, SCAN, CUSTOMER, "collect"} & {wire}
    assert SUB[:8] not in wire and SCAN[:8] not in wire


@pytest.mark.parametrize(("model", "fields", "bad"), [
    (CollectTask, {"scan_id": SCAN, "subscription_id": SUB, "source": "cost"}, {"customer_id": "../../x"}),
    (CollectTask, {"customer_id": CUSTOMER, "subscription_id": SUB, "source": "cost"}, {"scan_id": "../../x"}),
    (CollectTask, {"customer_id": CUSTOMER, "scan_id": SCAN, "source": "cost"}, {"subscription_id": "../../x"}),
    (ScanRequested, {"customer_id": CUSTOMER}, {"scan_id": "Scan 1"}),
    (AnalyseScan, {"scan_id": SCAN}, {"customer_id": CUSTOMER.upper()}),
    (PurgeCustomer, {"customer_id": CUSTOMER}, {"request_id": "r" * 32}),
])
def test_a_malformed_id_is_refused_when_the_message_is_read(model: type, fields: dict[str, str],
                                                           bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        model(**fields, **bad)
    (error,) = caught.value.errors()
    assert error["msg"].endswith(f"malformed {next(iter(bad))}")


def test_well_formed_ids_are_accepted_in_either_case_of_guid() -> None:
    task = CollectTask(customer_id=CUSTOMER, scan_id=SCAN, subscription_id=SUB.upper(), source="advisor")
    assert task.subscription_id == SUB.upper()
