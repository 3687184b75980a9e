"""The raw-data contract between the collectors and the analysis.

Each collector writes one gzip JSON blob per (scan, subscription, source) to the customer's container at
`raw/{scan_id}/{subscription_id}/{source}.json.gz`, wrapped in `RawEnvelope`. The `data` field per source:

- resource-graph: {"resources": [row, ...], "resource_containers": [row, ...]}. Rows are Resource Graph
  objectArray rows: id, name, type (lower case), kind, location, resourceGroup, subscriptionId, sku, tags,
  managedBy, properties, zones (containers: id, name, type, location, resourceGroup, subscriptionId, tags,
  properties; the subscription's row carries properties.subscriptionPolicies.quotaId). Optional keys
  (docs/data-contract.md): recovery_services, policy_assignments, management_policies, missing, reads.
- cost: {"type": "AmortizedCost", "granularity": "Daily", "currency": "GBP",
  "window": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}, "columns": [{"name", "type"}, ...], "rows": [[...]]}.
  Rows are grouped by ResourceId and MeterCategory; columns are named as the API names them (Cost or
  PreTaxCost, CostUSD when asked, UsageDate as yyyymmdd number, ResourceId, MeterCategory, Currency):
  always read them by name, never by position.
- advisor: {"recommendations": [rec, ...]}: Cost recommendations in the REST shape (camelCase: id, name, type,
  properties.category, impact, impactedField, impactedValue, recommendationTypeId, shortDescription,
  extendedProperties (string values), resourceMetadata.resourceId, suppressionIds, lastUpdated); optional
  configurations and missing.
- cost-config: {"budgets": [...], "scheduled_actions": [...], "reservation_recommendations": [...], "missing":
  {name: reason}, "reads": {...}}, REST list items unchanged; a key that could not be read is absent.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.messages import Source

RAW_SCHEMA_VERSION: Literal[1] = 1


class RawEnvelope(BaseModel):
    """One source's raw data for one subscription of one scan."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: Literal[1] = RAW_SCHEMA_VERSION
    source: Source
    scan_id: str
    subscription_id: str
    collected_at: dt.datetime
    api_versions: dict[str, str]
    row_count: int
    data: dict[str, Any]


def raw_blob_name(scan_id: str, subscription_id: str, source: Source) -> str:
    """The one place that names a raw-data blob inside the customer's container."""
    return f"raw/{scan_id}/{subscription_id.lower()}/{source}.json.gz"


_PART = re.compile(r"^[a-z0-9_:.-]{1,64}$")


def raw_part_name(scan_id: str, subscription_id: str, source: Source, part: str) -> str:
    """A collection's working part (one page, or its plan) beside its raw blob: same prefix, same lifecycle."""
    if not _PART.fullmatch(part):
        raise ValueError("a part name is ours: lower-case letters, digits and _ : . - only")
    return f"raw/{scan_id}/{subscription_id.lower()}/{source}.parts/{part}.json.gz"


def encode_part(data: dict[str, Any]) -> bytes:
    """A part as gzip JSON (mtime 0: the same page gives the same bytes)."""
    return gzip.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), compresslevel=6, mtime=0)


def decode_part(blob: bytes) -> dict[str, Any]:
    """The inverse of encode_part."""
    value = json.loads(gzip.decompress(blob))
    if not isinstance(value, dict):
        raise ValueError("a part is a JSON object")
    return value


def encode(envelope: RawEnvelope) -> bytes:
    """Serialise an envelope to gzip JSON; mtime 0 so the same data gives the same bytes."""
    return gzip.compress(envelope.model_dump_json().encode("utf-8"), compresslevel=6, mtime=0)


def decode(blob: bytes) -> RawEnvelope:
    """Parse gzip JSON (or plain JSON) bytes back into an envelope."""
    raw = gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob
    return RawEnvelope.model_validate(json.loads(raw))
