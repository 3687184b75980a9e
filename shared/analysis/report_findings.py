"""One finding as report.json v2 publishes it (report-design D12.2 to D12.4, D3.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from shared.analysis.bill_rates import BillRates
from shared.analysis.changes_model import Change
from shared.analysis.commands import Command, arm_type
from shared.analysis.evidence import sentence, typed
from shared.analysis.findings import Alternative, Finding
from shared.analysis.index import EstateIndex
from shared.analysis.labels import type_label
from shared.analysis.placement import Placed
from shared.analysis.report_model_findings import (
    AlternativeOut,
    CommandOut,
    CostSince,
    DrContext,
    FindingOut,
)
from shared.analysis.rules.registry import CATALOGUE
from shared.analysis.tiers import basis_of, counts, rule_class

LICENCE_METER = "Virtual Machines Licenses"
Series = Mapping[str, Mapping[dt.date, float]]  # lower-case resource id -> day -> cost


def commands_out(commands: tuple[Command, ...], prefixes: dict[str, str]) -> list[CommandOut]:
    """Usable commands in both renderings."""
    return [CommandOut(text=c.standalone(), in_script=c.in_script(prefixes), kind=c.kind, optional=c.optional,
                       warnings=list(c.warnings)) for c in commands if c.usable]


def _alternative(a: Alternative, prefixes: dict[str, str]) -> AlternativeOut:
    basis = {"actual_cost": "bill", "advisor": "advisor", "estimate": "rule_of_thumb"}[a.basis]
    return AlternativeOut(rule=a.rule, title=a.title, monthly_savings=round(a.monthly_savings, 2), currency=a.currency,
                          basis=basis, formula=a.formula, action_text=a.action,  # type: ignore[arg-type]
                          commands=commands_out(a.commands, prefixes))


def _licence_vm(f: Finding) -> str:
    """LIC-2's virtual machine (lower case): the saving is priced on its licence meter."""
    return next((r.lower() for r in f.resources if "/virtualmachines/" in r.lower()), "")


def licence_series(findings: Iterable[Finding], index: EstateIndex) -> Series:
    """The licence meter's daily cost of every LIC-2 VM since the window start, in one pass over the bill."""
    start = index.cost.window_from
    vms = {vm for f in findings if f.rule == "LIC-2" and (vm := _licence_vm(f))}
    return index.daily_costs(vms, {LICENCE_METER}, start) if start is not None and vms else {}


def cost_since(f: Finding, index: EstateIndex, rates: BillRates, licence: Series | None = None) -> CostSince | None:
    """D3.6: the cost of the resources the saving is priced on, since they first billed or over the window
    (`licence`: licence_series of the report's findings, read once for all of them)."""
    start = index.cost.window_from
    if start is None or arm_type(f.resource_id) == "subscription":
        return None
    if f.rule == "LIC-2":
        vm = _licence_vm(f)
        if licence is None:
            licence = licence_series([f], index)
        series = licence.get(vm, {}) if vm else {}
        amount, first = sum(series.values()), min((d for d, v in series.items() if v > 0), default=None)
    else:
        basis = [k for k in f.priced if "|" not in k] or [k.split("|", 1)[0] for k in f.priced] or [f.resource_id]
        amount = sum(index.cost_to_date(k) for k in basis)
        firsts = [d for k in basis if (d := rates.first_cost_day(k)) is not None]
        first = min(firsts) if firsts else None
    if first is not None and first > start:
        return CostSince(from_=first, amount=round(amount, 2), label=f"cost since {first:%-d %b %Y}")
    days = ((index.cost.window_to or start) - start).days + 1
    return CostSince(from_=start, amount=round(amount, 2), label=f"cost in the last {days} days")


def _warnings(f: Finding) -> list[str]:
    out = [w for c in f.commands for w in c.warnings if c.usable]
    if any(not c.usable for c in f.commands):
        out.append("no command: the resource id contains characters we will not put in a shell command")
    return list(dict.fromkeys(out))


def finding_out(p: Placed, where: tuple[str, str | None, str | None], index: EstateIndex, rates: BillRates,
                prefixes: dict[str, str], currency: str, licence: Series | None = None,
                since: tuple[dt.date | None, Change | None] = (None, None)) -> FindingOut:
    """The published finding (where: its section, batch id and batch title; licence: see cost_since; since: its
    first-seen date and change, report_changes.py)."""
    f, ctx = p.finding, p.context
    section, batch, batch_title = where
    first_seen, change = since
    evidence = typed(f.evidence)
    advisor_currency = str(f.evidence.get("advisor_currency") or f.currency)
    counted = counts(f)
    spec = CATALOGUE.get(f.rule)
    return FindingOut(
        id=f.id, rule=f.rule, rule_title=spec.title if spec else f.title, family=f.family, kind=f.kind,
        tier=p.tier, category=rule_class(f.rule).category, section=section, batch_id=batch,  # type: ignore[arg-type]
        batch_title=batch_title,
        title=f.title, action_text=f.action, resource_id=f.resource_id.lower(), resource_name=p.name,
        resource_type=arm_type(f.resource_id), resource_type_label=type_label(arm_type(f.resource_id)),
        subscription_id=f.subscription_id.lower(), subscription_name=p.subscription_name,
        resource_group=p.resource_group, location=_location(f, index), environment=ctx.environment,
        environment_source=ctx.environment_source, environment_raw=ctx.environment_raw, owner=ctx.owner,
        owner_source=ctx.owner_source, cost_centre=ctx.cost_centre,
        dr_context=DrContext(value=bool(ctx.dr_reasons), reasons=list(ctx.dr_reasons)),
        resources=[r.lower() for r in f.resources], evidence=evidence,
        evidence_text=[sentence(e, advisor_currency if e.key == "advisor_savings" else currency) for e in evidence],
        monthly_savings=round(f.monthly_savings, 2), savings_low=_r(f.savings_low), savings_high=_r(f.savings_high),
        annual_savings=round(12 * f.monthly_savings, 2), currency=f.currency, basis=basis_of(f),
        saving_confidence=f.confidence, change_risk=p.change_risk, change_risk_reasons=list(p.risk_reasons),  # type: ignore[arg-type]
        effort=p.effort, formula=f.formula, commands=commands_out(f.commands, prefixes),  # type: ignore[arg-type]
        warnings=_warnings(f), cost_since=cost_since(f, index, rates, licence),
        cost_30d=round(index.cost30(f.resource_id), 2), impact_amount=_r(p.impact), counted=counted,
        not_counted_reason=_why_not(f, counted),
        sources=list(f.sources), alternatives=[_alternative(a, prefixes) for a in f.alternatives],
        first_seen=first_seen, change=change)


def _why_not(f: Finding, counted: bool) -> str | None:
    if counted:
        return None
    if f.kind == "counted" and f.counted and not f.monthly_savings:
        return "nothing to count: the resource bills nothing by itself"
    return f.not_counted_reason


def _r(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _location(f: Finding, index: EstateIndex) -> str | None:
    row = index.resources.get(f.resource_id.lower())
    return str(row.get("location") or "").lower() or None if row else None

