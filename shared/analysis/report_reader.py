"""Read a stored report.json of any schema_version this app knows, as today's typed Report (or only some of its
fields: `read_fields`).

A new app version must read the reports its predecessor wrote (Flex Consumption has no slots, and the next
review compares with the last one). The versioning rule is in docs/report-format.md: adding an optional
field keeps the version; any other change bumps it and adds an upgrade from the previous version here.
Errors name the version and the field path, never a value: a report holds customer data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from shared.analysis.narrative_legacy import is_legacy, upgrade_legacy
from shared.analysis.report_model import REPORT_SCHEMA_VERSION, Report
from shared.analysis.report_v2 import upgrade_v1_document
from shared.errors import CaletaError

Document = dict[str, Any]
Upgrade = Callable[[Document], Document]
T = TypeVar("T")

# UPGRADES[n] turns a report.json of version n into version n + 1 (it also sets schema_version).
# Versions 1 .. REPORT_SCHEMA_VERSION - 1 each need one; a test checks the chain is complete.
UPGRADES: Mapping[int, Upgrade] = {1: upgrade_v1_document}


class ReportUnreadable(CaletaError):
    """The bytes are not a report.json this app can read."""


class ReportVersionUnsupported(ReportUnreadable):
    """The report was written by a newer app version than this one."""

    def __init__(self, version: int, newest: int) -> None:
        super().__init__(f"report.json schema_version {version} is newer than this app reads "
                         f"(versions 1 to {newest}): it was written by a later release")
        self.version = version
        self.newest = newest


def schema_version_of(document: object) -> int:
    """The schema_version of a parsed report.json; ReportUnreadable when absent or not a positive integer."""
    if not isinstance(document, dict):
        raise ReportUnreadable("report.json is not a JSON object")
    return _version(document.get("schema_version"))


def _version(value: object) -> int:
    # bool is an int in Python, and JSON true must not pass for version 1.
    if type(value) is not int or value < 1:
        raise ReportUnreadable("report.json has no valid schema_version (a positive integer)")
    return value


class _Head(BaseModel):
    """What is read of the bytes before anything else: the version that wrote them, any JSON value (_version
    checks it)."""

    model_config = ConfigDict(extra="ignore")

    schema_version: object = None


def _stored_version(data: bytes) -> int:
    """The schema_version of stored report.json bytes (only that value becomes a Python object)."""
    try:
        head = _Head.model_validate_json(data)
    except ValidationError as exc:
        if exc.errors(include_input=False, include_url=False)[0]["type"] == "json_invalid":
            raise ReportUnreadable("report.json is not valid JSON") from None
        raise ReportUnreadable("report.json is not a JSON object") from None
    return _version(head.schema_version)


def _supported(version: int, newest: int) -> None:
    if version > newest:
        raise ReportVersionUnsupported(version, newest)


def upgrade(document: Document, version: int, *, newest: int = REPORT_SCHEMA_VERSION,
            upgrades: Mapping[int, Upgrade] = UPGRADES) -> Document:
    """The document carried from `version` to `newest`, one upgrade at a time."""
    _supported(version, newest)
    for step in range(version, newest):
        if step not in upgrades:
            raise ReportUnreadable(f"no upgrade from report.json schema_version {step} to {step + 1}")
        document = upgrades[step](document)
    return document


def _mismatch(version: int, error: ValidationError) -> ReportUnreadable:
    first = error.errors(include_input=False, include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return ReportUnreadable(f"report.json (schema_version {version}) does not match the report model: "
                            f"{error.error_count()} problem(s), the first at {path}: {first['type']}")


def _parsed(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportUnreadable("report.json is not valid JSON") from None


def _claims_narrative(document: Document) -> Document:
    """A v2 document written before the narrative block became checked claims (2026-12), its paragraphs read as
    `legacy` slots: the block was retyped under the same version (docs/report-format.md, "Versioning")."""
    narrative = document.get("narrative")
    if is_legacy(narrative):
        return {**document, "narrative": upgrade_legacy(narrative)}
    return document


def read_report(data: bytes) -> Report:
    """A stored report.json as today's Report; ReportVersionUnsupported if a later release wrote it."""
    return read_versioned(data)[0]


def read_versioned(data: bytes) -> tuple[Report, int]:
    """read_report's Report, and the schema_version the stored document was written with (parsed once: the
    document of a 100,000-resource review is 200 MB of Python objects)."""
    document = _parsed(data)
    version = schema_version_of(document)
    try:
        current = _claims_narrative(upgrade(document, version))
        # Fields this release does not know are ignored: a release rolled back still reads what the
        # next one wrote under the same version (it only ever adds optional fields).
        return Report.model_validate(current, extra="ignore"), version
    except ValidationError as exc:
        raise _mismatch(version, exc) from None


def read_fields(data: bytes, adapter: TypeAdapter[T]) -> tuple[T, int]:
    """Only the fields `adapter`'s type names (it ignores the others) of a stored report.json of any version, as
    today's version has them, and the schema_version it was written with. The type must not read `narrative`:
    a v2 document may hold it in its legacy form, which only read_versioned retypes."""
    version = _stored_version(data)
    _supported(version, REPORT_SCHEMA_VERSION)
    try:
        if version == REPORT_SCHEMA_VERSION:
            # Straight from the bytes: what the type leaves out never becomes Python objects (the whole
            # document of a 100,000-resource review is 200 MB of them).
            return adapter.validate_json(data), version
        return adapter.validate_python(upgrade(_parsed(data), version)), version
    except ValidationError as exc:
        raise _mismatch(version, exc) from None
