"""What a link address names: `$cbs`, a queue, its `$deadletterqueue`, or either one's `$management` node."""

from __future__ import annotations

from typing import Literal

from local.broker.queue import QueueState

Kind = Literal["cbs", "queue", "management", "missing"]

_MANAGEMENT = "/$management"
_DEAD_LETTER = "/$deadletterqueue"


def resolve(queues: dict[str, QueueState], address: str | None) -> tuple[Kind, QueueState | None]:
    """The kind of node and the queue (or sub-queue) an address names; ("missing", None) if none."""
    path = address or ""
    if "://" in path:  # amqps://host:port/queue: the entity is the path
        path = path.split("://", 1)[1].partition("/")[2]
    path = path.strip("/").lower()  # Service Bus entity names are case-insensitive
    if path == "$cbs":
        return "cbs", None
    kind: Kind = "queue"
    if path.endswith(_MANAGEMENT):
        kind, path = "management", path.removesuffix(_MANAGEMENT)
    dead_letter = path.endswith(_DEAD_LETTER)
    queue = queues.get(path.removesuffix(_DEAD_LETTER))
    if queue is None:
        return "missing", None
    return kind, (queue.dead_letter_queue if dead_letter else queue)
