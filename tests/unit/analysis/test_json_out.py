"""report.json assembled finding by finding (shared/analysis/json_out.py): byte for byte what pydantic writes whole."""

from __future__ import annotations

from functools import cache

import pytest

from shared.analysis.json_out import render_json
from shared.analysis.report_model import Report
from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

# The text the assembly looks for, inside customer strings: JSON escapes the line break, so it never matches.
LOOKALIKE = '\n  "findings": []\n    {"x": "\u00a3"}'


@cache
def demo_report(index: int) -> Report:
    return Report.model_validate_json(analyse(scan_inputs(load_demo().tenants[index])).report_json)


def whole(report: Report) -> bytes:
    return report.model_dump_json(indent=2, by_alias=True).encode("utf-8")


@pytest.mark.parametrize("index", range(len(load_demo().tenants)))
def test_bytes_equal_the_whole_report_written_at_once_when_a_demo_tenant_is_rendered(index: int) -> None:
    report = demo_report(index)
    assert report.findings and render_json(report) == whole(report)


def test_bytes_equal_the_whole_report_written_at_once_when_there_are_no_findings() -> None:
    report = demo_report(0).model_copy(update={"findings": []})
    assert render_json(report) == whole(report)


def test_bytes_equal_the_whole_report_written_at_once_when_strings_look_like_the_findings_key() -> None:
    report = demo_report(0)
    finding = report.findings[0].model_copy(update={"title": LOOKALIKE, "warnings": [LOOKALIKE]})
    report = report.model_copy(update={"company": LOOKALIKE, "findings": [finding, *report.findings[1:]]})
    assert render_json(report) == whole(report)
