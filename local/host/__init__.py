"""A local Functions host: serves a FunctionApp's HTTP routes, feeds its Service Bus triggers, fires its timers."""

from local.host.runtime import Host

__all__ = ["Host"]
