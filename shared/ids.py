"""The id formats, compiled once: every check of a customer, scan, export, certificate or GUID id uses these.

Ids reach names (containers, blobs, secrets, table keys) and queries; a value that does not match never does.
"""

from __future__ import annotations

import hashlib
import re

# Customer, export and certificate ids: 16 random bytes as lower-case hex (container names need lower case).
HEX32_PATTERN = "^[0-9a-f]{32}$"
# Scan ids: 12 hex digits of milliseconds, then 12 random hex digits (the format leaves room for longer ones).
SCAN_ID_PATTERN = "^[0-9a-z]{1,64}$"
# Entra tenant, subscription, application and object ids; either case on input.
GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

_HEX32 = re.compile(HEX32_PATTERN)
_SCAN_ID = re.compile(SCAN_ID_PATTERN)
_GUID = re.compile(GUID_PATTERN)


def is_hex32(value: str) -> bool:
    """True for a customer, export or certificate id (32 lower-case hex characters, nothing else)."""
    return _HEX32.fullmatch(value) is not None


def is_scan_id(value: str) -> bool:
    """True for a scan id (1 to 64 lower-case letters or digits)."""
    return _SCAN_ID.fullmatch(value) is not None


def is_guid(value: str) -> bool:
    """True for a GUID in either case (00000000-0000-0000-0000-000000000000)."""
    return _GUID.fullmatch(value) is not None


def customer_hash(customer_id: str) -> str:
    """SHA-256 of the customer id: names a deleted customer without keeping its id."""
    return hashlib.sha256(customer_id.encode("ascii")).hexdigest()
