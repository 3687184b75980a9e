"""What may leave the process in a log line or an exception: customer ids, and keyed pseudonyms for the rest.

Log lines are kept 30 days in Log Analytics, after a customer's 7-day deletion, so they must not name a
customer's tenant, subscriptions, company or contact. Every GUID (tenant, subscription, principal and object
ids all are GUIDs) becomes a keyed pseudonym: `sub~<16 hex>` after `subscriptions/` (ARM paths) and in the
pipeline's log context, `id~<16 hex>` elsewhere - the same hex for the same GUID, so an operator who maps a
subscription id to its pseudonym (POST /api/manage/pseudonyms) finds it under either prefix. E-mail addresses
are dropped. Customer ids (32 hex digits, not GUIDs) and scan ids are left as they are. Company names have no
shape to recognise: the code never logs them (tests/e2e/test_log_privacy.py searches the host's log for them).

The key is the deployment's pseudonym key (shared/pseudonyms.py), registered here once read; until then a
GUID is written as `id~unkeyed`, never in clear.
"""

from __future__ import annotations

import re

from shared.auth.hashing import pseudonym

PSEUDONYM_CHARS = 16
UNKEYED = "unkeyed"
MAX_SUMMARY_CHARS = 300

_GUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_SUBSCRIPTION_PATH = re.compile(rf"(?i)(subscriptions/)({_GUID})(?![0-9a-fA-F-])")
_ANY_GUID = re.compile(rf"(?<![0-9a-fA-F-]){_GUID}(?![0-9a-fA-F-])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")

_key: list[bytes] = []  # the deployment's pseudonym key, once read (one element at most)


def use_pseudonym_key(key: bytes) -> None:
    """Pseudonymise with `key` from now on (the deployment's key, read by shared/pseudonyms.py)."""
    _key[:] = [key]


def forget_pseudonym_key() -> None:
    """Back to `unkeyed` pseudonyms (tests)."""
    _key.clear()


def guid_pseudonym(guid: str, key: bytes | None = None) -> str:
    """The 16-hex pseudonym of a GUID (case-insensitive) under `key`, else the registered deployment key;
    `unkeyed` without either."""
    chosen = key if key is not None else (_key[0] if _key else None)
    if chosen is None:
        return UNKEYED
    return pseudonym(chosen, f"guid:{guid.lower()}", length=PSEUDONYM_CHARS)


def subscription_tag(subscription_id: str, key: bytes | None = None) -> str:
    """`sub~<pseudonym>`: how a subscription is named in logs."""
    return f"sub~{guid_pseudonym(subscription_id, key)}"


def redact(text: str) -> str:
    """`text` with every GUID pseudonymised and every e-mail address removed."""
    text = _EMAIL.sub("<e-mail>", text)
    text = _SUBSCRIPTION_PATH.sub(lambda m: f"{m.group(1)}{subscription_tag(m.group(2))}", text)
    return _ANY_GUID.sub(lambda m: f"id~{guid_pseudonym(m.group(0))}", text)


def exception_summary(exc: BaseException) -> str:
    """`Type: message` of an exception, redacted and cut short; for Azure's HTTP errors the status and error
    code only (their messages can quote resource names, which are the customer's data)."""
    status = getattr(exc, "status_code", None)
    error = getattr(exc, "error", None)
    if status is not None and hasattr(exc, "response"):
        code = getattr(error, "code", None)
        detail = f"HTTP {status}" + (f" {code}" if isinstance(code, str) else "")
    else:
        detail = str(exc)
    summary = f"{type(exc).__name__}: {redact(detail)}" if detail else type(exc).__name__
    return summary if len(summary) <= MAX_SUMMARY_CHARS else summary[:MAX_SUMMARY_CHARS - 1] + "…"
