"""Render the report model as report.json, a self-contained report.html (screen and A4 print) and report.csv."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from shared.analysis import appendix, charts, csv_out, html_view, json_out
from shared.analysis.change_risk import EFFORT_LABELS
from shared.analysis.changes_view import changes_view
from shared.analysis.labels import BASIS_LABELS
from shared.analysis.money import money, money_range, percent
from shared.analysis.money_view import money_view
from shared.analysis.report_model import Report
from shared.analysis.scripts import HEADER
from shared.analysis.waterfall import waterfall

_TEMPLATES = Path(__file__).parent / "templates"
render_csv = csv_out.render_csv
render_json = json_out.render_json


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def render_html(report: Report, names: dict[str, str] | None = None) -> bytes:
    """report.html: every customer string autoescaped; charts are inline SVG; no script. `names` maps lower-case
    resource ids to names for the analytics tables (the finding's own name is used when absent)."""
    known = {f.resource_id: f.resource_name for f in report.findings} | (names or {})
    subnames = {s.subscription_id: s.display_name or s.subscription_id for s in report.subscriptions}
    cur, insights = report.currency, report.analytics.insights
    limit, more = html_view.hygiene_names(report, report.action_plan.bounds.hygiene_names)
    html = _environment().get_template("report.html.j2").render(
        r=report, page=html_view.page_one(report), since=changes_view(report), view=html_view,
        scripts=appendix.scripts(report),
        hygiene_names=limit, hygiene_more=more, names=known, subnames=subnames,
        in_plan={f.resource_id for f in report.findings if f.section != "hygiene"},
        money=lambda value, style="table": money(float(value), cur, style),
        money_range=lambda low, high, style="table": money_range(float(low), float(high), cur, style),
        percent=percent, efforts=EFFORT_LABELS, bases=BASIS_LABELS, script_header=HEADER,
        mv=money_view(report),
        charts={"daily": charts.daily_chart(report.analytics.daily, insights, cur) if insights else "",
                "waterfall": waterfall(report.headline)},
    )
    return html.encode("utf-8")
