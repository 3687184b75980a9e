"""A Service Bus-compatible AMQP 1.0 broker on loopback for the real azure-servicebus client (emulator mode)."""

from local.broker.broker import Broker
from local.broker.model import MessageView, QueueSnapshot

__all__ = ["Broker", "MessageView", "QueueSnapshot"]
