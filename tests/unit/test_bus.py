"""Browsing a queue: bounded, and refusing to vouch for a queue it could not read to the end."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from shared.bus import MAX_PEEKED, names_customer, peek_all
from shared.errors import IncompleteResults


@dataclass
class Peeked:
    sequence_number: int
    body: list[bytes]


class EndlessQueue:
    """A receiver over a queue with more messages than anyone should browse."""

    def __init__(self) -> None:
        self.peeks = 0

    def __enter__(self) -> EndlessQueue:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def get_queue_receiver(self, queue: str, **kwargs: Any) -> EndlessQueue:
        return self

    def peek_messages(self, max_message_count: int, sequence_number: int) -> list[Peeked]:
        self.peeks += 1
        start = max(sequence_number, 1)
        return [Peeked(n, [b"{}"]) for n in range(start, start + max_message_count)]


def test_browsing_stops_at_its_bound_and_refuses_to_vouch_when_the_queue_is_longer() -> None:
    queue = EndlessQueue()
    with pytest.raises(IncompleteResults):
        peek_all(queue, "q")  # type: ignore[arg-type]
    assert len(peek_all(EndlessQueue(), "q", complete=False)) == MAX_PEEKED  # type: ignore[arg-type]
    assert queue.peeks == MAX_PEEKED // 100


def test_a_message_names_a_customer_only_when_its_body_says_so() -> None:
    mine = Peeked(1, [json.dumps({"customer_id": "a" * 32, "scan_id": "s"}).encode()])
    assert names_customer(mine, "a" * 32)  # type: ignore[arg-type]
    assert not names_customer(mine, "b" * 32)  # type: ignore[arg-type]
    assert not names_customer(Peeked(2, [b"\x00not json"]), "a" * 32)  # type: ignore[arg-type]
