"""Render the report model as report.json, a self-contained report.html and findings.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.analysis import charts
from shared.analysis.facts import format_value
from shared.analysis.report_model import AmountByKey, Report

_TEMPLATES = Path(__file__).parent / "templates"
CSV_COLUMNS = ("id", "rule", "category", "title", "resource_name", "resource_type", "resource_id", "subscription_id",
               "monthly_savings", "currency", "basis", "confidence", "counted", "not_counted_reason", "cost_to_date",
               "formula", "action", "sources", "alternatives", "kind")
# Spreadsheet apps execute cells that start with these: prefix them so a hostile name stays text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The HTML lists the largest findings; very large estates keep the long tail in the CSV and JSON.
HTML_MAX_FINDINGS = 500


def render_json(report: Report) -> bytes:
    """report.json, stable key order, UTF-8."""
    return report.model_dump_json(indent=2).encode("utf-8")


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report, names: dict[str, str], subscription_names: dict[str, str]) -> bytes:
    """report.html: every customer string autoescaped; charts are inline SVG."""
    template = _environment().get_template("report.html.j2")
    categories = [AmountByKey(key=c.key, amount=c.amount) for c in report.totals.by_category]
    html = template.render(
        r=report, names=names, subnames=subscription_names, max_rows=HTML_MAX_FINDINGS,
        money=lambda value: format_value(float(value), "money", report.currency),
        charts={
            "trend": charts.trend_chart(report.analytics.daily, report.currency),
            "services": charts.bar_chart(report.analytics.by_service, report.currency, "Spend by service"),
            "categories": charts.bar_chart(sorted(categories, key=lambda a: -a.amount), report.currency,
                                           "Savings by category"),
        },
    )
    return html.encode("utf-8")


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report: Report) -> bytes:
    """findings.csv: one row per finding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for f in report.findings:
        alternatives = "; ".join(f"{a.title}: {a.monthly_savings:.2f} {a.currency}" for a in f.alternatives)
        row = (f.id, f.rule, f.category, f.title, f.resource_name, f.resource_type, f.resource_id, f.subscription_id,
               f"{f.monthly_savings:.2f}", f.currency, f.basis, f.confidence, str(f.counted).lower(),
               f.not_counted_reason or "", f"{f.cost_to_date:.2f}", f.formula, f.action, " ".join(f.sources),
               alternatives, f.kind or "")
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")
