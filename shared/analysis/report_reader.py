"""Read a stored report.json of any schema_version this app knows, as today's typed Report.

A new app version must read the reports its predecessor wrote (Flex Consumption has no slots, and the next
review compares with the last one). The versioning rule is in docs/report-format.md: adding an optional
field keeps the version; any other change bumps it and adds an upgrade from the previous version here.
Errors name the version and the field path, never a value: a report holds customer data.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from shared.analysis.narrative_legacy import is_legacy, upgrade_legacy
from shared.analysis.report_model import REPORT_SCHEMA_VERSION, Report
from shared.analysis.report_v2 import upgrade_v1_document
from shared.errors import CaletaError

Document = dict[str, Any]
Upgrade = Callable[[Document], Document]

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
    version = document.get("schema_version")
    # bool is an int in Python, and JSON true must not pass for version 1.
    if type(version) is not int or version < 1:
        raise ReportUnreadable("report.json has no valid schema_version (a positive integer)")
    return version


def upgrade(document: Document, version: int, *, newest: int = REPORT_SCHEMA_VERSION,
            upgrades: Mapping[int, Upgrade] = UPGRADES) -> Document:
    """The document carried from `version` to `newest`, one upgrade at a time."""
    if version > newest:
        raise ReportVersionUnsupported(version, newest)
    for step in range(version, newest):
        if step not in upgrades:
            raise ReportUnreadable(f"no upgrade from report.json schema_version {step} to {step + 1}")
        document = upgrades[step](document)
    return document


def _where(error: ValidationError) -> str:
    first = error.errors(include_input=False, include_url=False)[0]
    path = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{error.error_count()} problem(s), the first at {path}: {first['type']}"


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
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportUnreadable("report.json is not valid JSON") from None
    version = schema_version_of(document)
    try:
        current = _claims_narrative(upgrade(document, version))
        # Fields this release does not know are ignored: a release rolled back still reads what the
        # next one wrote under the same version (it only ever adds optional fields).
        return Report.model_validate(current, extra="ignore"), version
    except ValidationError as exc:
        raise ReportUnreadable(f"report.json (schema_version {version}) does not match the report model: "
                               f"{_where(exc)}") from None
