"""Log context for pipeline steps: every line carries scan, customer, subscription and source ids.

Only ids go into log context, never resource names, tags, cost rows or secrets. The Azure SDK loggers are
turned down to WARNING because at INFO they log request URLs and headers of customer calls.
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

_CONTEXT_KEYS = ("customer_id", "scan_id", "subscription_id", "source")
_NOISY_LOGGERS = ("azure", "azure.core.pipeline.policies.http_logging_policy", "azure.identity", "msal",
                  "uamqp", "azure.servicebus", "urllib3")


class ContextAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Prefixes each message with `key=value` ids and passes them in `extra` for structured sinks."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        """Add the context ids to the message and to `extra`."""
        fields = dict(self.extra or {})
        prefix = " ".join(f"{k}={fields[k]}" for k in _CONTEXT_KEYS if fields.get(k))
        kwargs["extra"] = {**fields, **kwargs.get("extra", {})}
        return (f"[{prefix}] {msg}" if prefix else msg), kwargs


def log_context(logger: logging.Logger, **ids: str | None) -> ContextAdapter:
    """A logger that tags every line with the given ids (customer_id, scan_id, subscription_id, source)."""
    unknown = set(ids) - set(_CONTEXT_KEYS)
    if unknown:
        raise ValueError(f"log context takes ids only, not {sorted(unknown)}")
    return ContextAdapter(logger, {k: v for k, v in ids.items() if v})


def quiet_azure_sdk() -> None:
    """Set the Azure SDK (and transport) loggers to WARNING; safe to call more than once."""
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
