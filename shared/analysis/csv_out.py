"""report.csv (report-design D14): one row per finding, ready for a spreadsheet or a tracker import.

UTF-8 with a byte-order mark (so Excel reads £ and accents), CRLF, the columns in the design's order. `change`
says new or persisting against the previous review, and each finding resolved since it is one more row with
`change` resolved (issue 15 section 4: its claim in `monthly_saving`, never counted, what the settled bill shows in
`evidence` and `evidence_json`); `status`, `assignee` and `due` are empty tracker columns.
Text cells that a spreadsheet could run as a formula are prefixed with `'` (security-findings finding 10: a
formula character after leading whitespace or a line feed, `|`, and the fullwidth forms too); numeric columns
stay numbers. Never truncated: every finding, every command.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import unicodedata

from shared.analysis.changes_model import ResolvedFinding
from shared.analysis.changes_view import resolved_sentence
from shared.analysis.commands import arm_type
from shared.analysis.report_model import Report
from shared.analysis.report_model_findings import FindingOut
from shared.analysis.rules.registry import CATALOGUE

COLUMNS = ("id", "change", "section", "batch_id", "batch_title", "kind", "tier", "counted", "title", "action_text",
           "rule", "rule_title", "category", "resource_name", "resource_type", "subscription_name",
           "subscription_id", "resource_group", "location", "environment", "owner", "owner_source", "cost_centre",
           "monthly_saving", "monthly_saving_low", "monthly_saving_high", "annual_saving", "currency", "basis",
           "saving_confidence", "effort", "change_risk", "change_risk_reasons", "not_counted_reason",
           "cost_since_from", "cost_since", "cost_30d", "evidence", "evidence_json", "formula", "commands",
           "warnings", "sources", "alternatives", "resource_id", "related_resource_ids", "status", "assignee", "due")
NUMERIC = frozenset({"monthly_saving", "monthly_saving_low", "monthly_saving_high", "annual_saving", "cost_since",
                     "cost_30d"})
# Characters a spreadsheet may treat as the start of a formula or a command (after any leading whitespace).
_FORMULA_START = frozenset("=+-@|%")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """A text cell that cannot start a formula: `'` before it when, after leading whitespace and line breaks, it
    starts with = + - @ | % (or their fullwidth forms), or when it starts with a tab or a carriage return."""
    stripped = text.lstrip(" \t\r\n\u3000\xa0")
    first = unicodedata.normalize("NFKC", stripped[:1]) if stripped else ""
    if (first and first in _FORMULA_START) or text[:1] in ("\t", "\r"):
        return "'" + text
    return text


def _money(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def _row(f: FindingOut) -> dict[str, str]:
    return {
        "id": f.id, "change": f.change or "", "section": f.section, "batch_id": f.batch_id or "",
        "batch_title": f.batch_title or "", "kind": f.kind, "tier": f.tier or "",
        "counted": str(f.counted).lower(), "title": f.title, "action_text": f.action_text, "rule": f.rule,
        "rule_title": f.rule_title, "category": f.category, "resource_name": f.resource_name,
        "resource_type": f.resource_type, "subscription_name": f.subscription_name or "",
        "subscription_id": f.subscription_id, "resource_group": f.resource_group or "", "location": f.location or "",
        "environment": f.environment, "owner": f.owner or "", "owner_source": f.owner_source,
        "cost_centre": f.cost_centre or "", "monthly_saving": _money(f.monthly_savings),
        "monthly_saving_low": _money(f.savings_low), "monthly_saving_high": _money(f.savings_high),
        "annual_saving": _money(f.annual_savings), "currency": f.currency, "basis": f.basis,
        "saving_confidence": f.saving_confidence, "effort": f.effort, "change_risk": f.change_risk,
        "change_risk_reasons": "; ".join(f.change_risk_reasons), "not_counted_reason": f.not_counted_reason or "",
        "cost_since_from": f.cost_since.from_.isoformat() if f.cost_since else "",
        "cost_since": _money(f.cost_since.amount) if f.cost_since else "", "cost_30d": _money(f.cost_30d),
        "evidence": "; ".join(f.evidence_text),
        "evidence_json": json.dumps([e.model_dump(mode="json") for e in f.evidence], ensure_ascii=False),
        "formula": f.formula, "commands": "\n".join(c.text for c in f.commands), "warnings": "; ".join(f.warnings),
        "sources": " ".join(f.sources),
        "alternatives": "; ".join(f"{a.title}: {a.monthly_savings:.2f} {a.currency}" for a in f.alternatives),
        "resource_id": f.resource_id, "related_resource_ids": " ".join(r for r in f.resources if r != f.resource_id),
        "status": "", "assignee": "", "due": ""}


def _resolved_row(r: ResolvedFinding, report: Report) -> dict[str, str]:
    """A finding of the previous review resolved since: what it claimed, and what the settled bill shows."""
    parts = r.resource_id.split("/")
    names = {s.subscription_id: s.display_name or "" for s in report.subscriptions}
    spec = CATALOGUE.get(r.rule)
    outcome = {"reason": r.reason, "saving": r.saving, "evidence": r.evidence, "realised_monthly": r.realised_monthly,
               "first_seen": r.first_seen.isoformat(), "bill": r.bill.model_dump(mode="json") if r.bill else None}
    row = dict.fromkeys(COLUMNS, "")
    row.update({
        "id": r.id, "change": "resolved", "kind": r.kind or "", "counted": "false", "title": r.title, "rule": r.rule,
        "rule_title": spec.title if spec else r.title, "category": r.category, "resource_name": r.resource_name,
        "resource_type": arm_type(r.resource_id), "subscription_name": names.get(r.subscription_id, ""),
        "subscription_id": r.subscription_id,
        "resource_group": parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else "",
        "monthly_saving": _money(r.monthly_savings), "annual_saving": _money(12 * r.monthly_savings),
        "currency": r.currency, "not_counted_reason": "resolved since the previous review: the claim it made",
        "evidence": resolved_sentence(r), "evidence_json": json.dumps(outcome, ensure_ascii=False),
        "resource_id": r.resource_id})
    return row


def render_csv(report: Report) -> bytes:
    """report.csv: a row per finding, then a row per finding resolved since the previous review."""
    # Encoded row by row into one bytes buffer: the whole file as a list of row dicts, then as a str (wide, with a
    # £ in it) and again with the BOM in front, were several copies of a 30 MB file at the analysis's peak.
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    text.write(BOM)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = itertools.chain((_row(f) for f in report.findings),
                           (_resolved_row(r, report) for r in (report.changes.resolved if report.changes else [])))
    for row in rows:
        writer.writerow([row[c] if c in NUMERIC else neutralise(row[c]) for c in COLUMNS])
    text.flush()
    return buffer.getvalue()
