"""The customer's last validation as the customer row stores it: compact, and always within Table's limits.

Table storage caps an entity at 1 MiB of property data and 255 properties, and a string property at 64 KiB,
stored as UTF-16 ("Understanding the Table service data model", learn.microsoft.com/rest/api/storageservices).
A validation of 1,000 subscriptions with notes runs to about a megabyte of JSON (first-deploy audit M6), so the
row keeps it packed: each distinct note once, subscriptions pointing at them. If even that exceeds
VALIDATION_MAX_CHARS (never for the notes Caleta writes; a guard against very long names), the details of the
last subscriptions are dropped, never their id and status, which the role re-check needs. JSON is written
ASCII-only, so each character is one UTF-16 unit (two bytes) and a chunk of CHUNK_CHARS fits in 64 KiB.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from shared.storage.table import CHUNK_CHARS

# 12 chunks: about 720 KB of UTF-16, leaving room under 1 MiB for the subscription list and the other columns.
VALIDATION_MAX_CHARS = 12 * CHUNK_CHARS
TABLE_ENTITY_MAX_BYTES = 1024 * 1024
TABLE_PROPERTY_MAX_BYTES = 64 * 1024
_KEEP = ("subscription_id", "status", "ok")
_PACKED = "packed_v1"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def _pack(validation: Mapping[str, Any], keep_details: int) -> str:
    index: dict[str, int] = {}
    subs = []
    for i, sub in enumerate(validation.get("subscriptions") or []):
        if i >= keep_details:
            subs.append({k: sub[k] for k in _KEEP if k in sub})
            continue
        packed = dict(sub)
        if "notes" in sub:
            packed["notes"] = [index.setdefault(n, len(index)) for n in sub["notes"] or []]
        subs.append(packed)
    notes = sorted(index, key=index.__getitem__)
    dropped = max(0, len(subs) - keep_details)
    body = {**validation, "subscriptions": subs} if "subscriptions" in validation else dict(validation)
    return _dumps({_PACKED: True, "notes": notes, "details_dropped": dropped, "validation": body})


def pack_validation(validation: Mapping[str, Any]) -> str:
    """The validation as stored: at most VALIDATION_MAX_CHARS ASCII characters."""
    if not validation:
        return _dumps({})
    total = len(validation.get("subscriptions") or [])
    keep = total
    text = _pack(validation, keep)
    while len(text) > VALIDATION_MAX_CHARS and keep > 0:
        keep = max(0, keep - max(1, total // 20))
        text = _pack(validation, keep)
    if len(text) > VALIDATION_MAX_CHARS:
        raise ValueError("validation too large to store even without details")
    return text


def unpack_validation(text: str) -> dict[str, Any]:
    """The validation pack_validation stored (or an older row's plain JSON)."""
    stored = json.loads(text or "{}")
    if not isinstance(stored, dict) or not stored.get(_PACKED):
        return stored if isinstance(stored, dict) else {}
    notes = stored.get("notes") or []
    validation = dict(stored["validation"])
    if "subscriptions" in validation:
        validation["subscriptions"] = [{**sub, "notes": [notes[i] for i in sub["notes"] or []]}
                                       if "notes" in sub else sub for sub in validation["subscriptions"] or []]
    return validation


def awaits_roles(validation: Mapping[str, Any]) -> bool:
    """True while some subscription awaits roles and the re-checks have not ended."""
    if validation.get("wait_ended_at"):
        return False
    return any(sub.get("status", "ok" if sub.get("ok") else "awaiting_roles") == "awaiting_roles"
               for sub in validation.get("subscriptions") or [])


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _value_bytes(value: Any) -> int:
    if isinstance(value, str):
        return 4 + 2 * _utf16_units(value)
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        return 4 if -(2**31) <= value < 2**31 else 8
    if isinstance(value, float | dt.datetime):
        return 8
    if isinstance(value, bytes | bytearray):
        return 4 + len(value)
    raise TypeError(f"no Table size for {type(value).__name__}")


def entity_bytes(entity: Mapping[str, Any]) -> int:
    """The size Table storage counts for an entity: 4 bytes, the keys in UTF-16, and per property 8 bytes, its
    name in UTF-16 and its value (strings: 4 + UTF-16 bytes). Formula: "How the size of an entity is calculated
    in Windows Azure table storage", Microsoft (Avkash Chauhan's MSDN blog, 2011)."""
    size = 4 + 2 * (_utf16_units(str(entity["PartitionKey"])) + _utf16_units(str(entity["RowKey"])))
    for name, value in entity.items():
        if name not in ("PartitionKey", "RowKey"):
            size += 8 + 2 * _utf16_units(name) + _value_bytes(value)
    return size


def within_table_limits(entity: Mapping[str, Any]) -> bool:
    """True when Table storage would take the entity: 1 MiB, 255 properties, 64 KiB per string property."""
    strings = [v for v in entity.values() if isinstance(v, str)]
    return (entity_bytes(entity) <= TABLE_ENTITY_MAX_BYTES and len(entity) + 1 <= 255
            and all(2 * _utf16_units(v) <= TABLE_PROPERTY_MAX_BYTES for v in strings))
