"""MSG-13: the Bicep queues are exactly the queues declared in shared/messages.py, with the same properties."""

from __future__ import annotations

from typing import Any

import pytest

from shared.messages import QUEUES
from tests.infra import bicepdoc


@pytest.fixture(scope="module")
def bus(bicep: dict[str, Any]) -> dict[str, Any]:
    """The parsed servicebus module."""
    tree: dict[str, Any] = bicep["modules/servicebus.bicep"]
    return tree


@pytest.fixture(scope="module")
def bicep_queues(bus: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The queues variable the queue resource loops over, by name."""
    queue = bicepdoc.resources(bus, "Microsoft.ServiceBus/namespaces/queues")
    assert len(queue) == 1
    loop = bus["resources"][next(iter(queue))]["config"]["loop_type"]["detail"]
    return {item["name"]: item for item in bus["variables"][loop["array_name"]]["value"]}


def test_queue_names_match_when_bicep_is_compared_with_the_declaration(bicep_queues: dict[str, Any]) -> None:
    assert sorted(bicep_queues) == sorted(spec.name for spec in QUEUES)


@pytest.mark.parametrize("spec", QUEUES, ids=[spec.name for spec in QUEUES])
def test_queue_properties_match_when_bicep_is_compared_with_the_declaration(bicep_queues: dict[str, Any],
                                                                           spec: Any) -> None:
    item = bicep_queues[spec.name]
    assert item["maxDeliveryCount"] == spec.max_delivery_count
    assert bicepdoc.iso_seconds(item["lockDuration"]) == spec.lock_duration_seconds
    assert bicepdoc.iso_seconds(item["duplicateDetectionHistoryTimeWindow"]) == spec.duplicate_detection_window_seconds
    assert bicepdoc.iso_seconds(item["defaultMessageTimeToLive"]) == spec.default_ttl_seconds


def test_queue_resource_reads_each_field_when_the_loop_is_expanded(bus: dict[str, Any]) -> None:
    # The variable only matters if the resource actually uses it for every property.
    props = bicepdoc.only_resource(bus, "Microsoft.ServiceBus/namespaces/queues")["properties"]
    assert bicepdoc.loop_field(props["maxDeliveryCount"]) == "maxDeliveryCount"
    assert bicepdoc.loop_field(props["lockDuration"]) == "lockDuration"
    assert bicepdoc.loop_field(props["duplicateDetectionHistoryTimeWindow"]) == "duplicateDetectionHistoryTimeWindow"
    assert bicepdoc.loop_field(props["defaultMessageTimeToLive"]) == "defaultMessageTimeToLive"


def test_duplicate_detection_is_on_when_queues_are_created(bus: dict[str, Any]) -> None:
    props = bicepdoc.only_resource(bus, "Microsoft.ServiceBus/namespaces/queues")["properties"]
    assert props["requiresDuplicateDetection"] is True
    assert props["requiresSession"] is False


def test_iso_durations_round_trip_when_parsed() -> None:
    assert [bicepdoc.iso_seconds(iso) for iso in ("PT1M", "PT5M", "PT10M", "P2D", "PT1H30M5S")] == [
        60, 300, 600, 172800, 5405]
    with pytest.raises(ValueError):
        bicepdoc.iso_seconds("5 minutes")
