"""Logging for the app: pipeline context ids, no identifier in clear, and quiet Azure SDK loggers.

Only ids go into log context, never resource names, tags, cost rows or secrets; a subscription id is written as
its keyed pseudonym `sub~…` (shared/redaction.py). On top of that every log record made in the process is
redacted as it is created (a LogRecord factory): GUIDs become pseudonyms and e-mail addresses go, in the message,
in the traceback and in the stack - whatever logger made it (ours, the Azure SDK's, the worker's). The Azure SDK
loggers are turned down to WARNING because at INFO they log request URLs and headers of customer calls.
function_app.py calls both at load, before any trigger or route runs.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import MutableMapping
from typing import Any

from shared.redaction import redact, subscription_tag

_CONTEXT_KEYS = ("customer_id", "scan_id", "subscription_id", "source")
_NOISY_LOGGERS = ("azure", "azure.core.pipeline.policies.http_logging_policy", "azure.identity", "msal",
                  "uamqp", "azure.servicebus", "urllib3")
_installed: list[object] = []  # the redacting factory, once installed


class ContextAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Prefixes each message with `key=value` ids and passes them in `extra` for structured sinks."""

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        """Add the context ids to the message and to `extra`."""
        fields = dict(self.extra or {})
        if fields.get("subscription_id"):
            fields["subscription_id"] = subscription_tag(str(fields["subscription_id"]))
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


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record's message, traceback and stack in place (what every handler will format)."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: the handler reports it; leave it to that path
        return
    redacted = redact(message)
    if redacted != message:
        record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


def install_log_redaction() -> None:
    """Redact every log record from now on, whichever logger makes it; safe to call more than once."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(factory)


def redaction_installed() -> bool:
    """True once install_log_redaction has run in this process."""
    return bool(_installed) and logging.getLogRecordFactory() is _installed[0]
