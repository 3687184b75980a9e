"""Estimates that use the bill (report-design D3.1): re-price the rules' findings before de-duplication.

Price from the customer's own bill first; from a twin on the same bill second (`bill_twin`); a named rule of
thumb last, with a range. Every formula says which. A figure in another currency with no bill to re-price it
from becomes a review item (its figure shown in its currency, never added). Dependants that keep billing after
a delete (a gateway's public IP) are priced and deleted with it (dependants.py).
"""

from __future__ import annotations

from shared.analysis.bill_rates import BillRates
from shared.analysis.dependants import with_dependants
from shared.analysis.findings import Finding
from shared.analysis.money import money
from shared.analysis.rules.base import RuleContext, props, sku_name
from shared.analysis.rules.commitment_sizing import series_of
from shared.analysis.rules.licensing import vcpus_of
from shared.analysis.tiers import rule_class
from shared.analysis.twins import Twins, vm_profile

COMPUTE = "Virtual Machines"
NO_TWIN = "no comparable resource on your bill; rule of thumb"
# (share of the resource's cost the change saves, low, high) when no twin is on the bill (D3.1).
THUMBS = {"VM-3": (0.50, 0.40, 0.60), "DSK-4": (0.60, 0.50, 0.60), "LIC-1": (0.40, 0.35, 0.45)}


def _thumb(f: Finding, base: float, what: str) -> Finding:
    share, low, high = THUMBS[f.rule]
    return f.with_(monthly_savings=round(base * share, 2), savings_low=round(base * low, 2),
                   savings_high=round(base * high, 2), price_basis="rule_of_thumb",
                   formula=f"{share:.0%} of {what} (range {low:.0%}-{high:.0%}): {NO_TWIN}")


def _twin(f: Finding, saving: float, formula: str) -> Finding:
    return f.with_(monthly_savings=round(max(saving, 0.0), 2), savings_low=None, savings_high=None,
                   price_basis="bill_twin", formula=formula)


def _run_rate(f: Finding, rates: BillRates) -> Finding:
    """D3.4: a resource that started billing inside the last 30 days is priced on 30 x its mean day since."""
    delta = 0.0
    for key in f.priced:
        got = rates.run_rate(key) if "|" not in key else None
        if got is not None:
            delta += got[1] - got[0]
    if abs(delta) < 0.005:
        return f
    return f.with_(monthly_savings=round(f.monthly_savings + delta, 2),
                   formula=f.formula + "; a resource that started billing in the last 30 days is priced on 30 x "
                                       "its mean daily cost since it started")


def _storage_tier(ctx: RuleContext, f: Finding, rates: BillRates, twins: Twins) -> Finding:
    row = ctx.index.resources.get(f.resource_id.lower()) or {}
    region = str(row.get("location") or "").lower()
    size = int(props(row).get("diskSizeGB") or 0)
    got = rates.run_rate(f.resource_id)
    base = got[1] if got is not None else ctx.index.cost30(f.resource_id)
    own = rates.own_rate(f.resource_id)
    if f.rule == "VM-3":
        twin = twins.disk_rate(rates, "StandardSSD", size, region)
        if own and twin and twin < own:
            return _twin(f, base * (1 - twin / own), f"the disk's monthly run-rate {money(base, ctx.currency)} x (1 "
                         f"- {twin:.4f} / {own:.4f}): a Standard SSD disk of the same size tier on your bill")
        return _thumb(f, base, "the disk's monthly run-rate")
    twin = twins.snapshot_gb_rate(rates, "Standard", region)
    if own and size and twin and twin < own / size:
        per_gb = own / size
        return _twin(f, base * (1 - twin / per_gb), f"the snapshot's monthly run-rate {money(base, ctx.currency)} x "
                     f"(1 - {twin:.6f} / {per_gb:.6f} per GB-day): Standard snapshots on your bill")
    return _thumb(f, base, "the snapshot's monthly run-rate")


def _windows_licence(ctx: RuleContext, f: Finding, rates: BillRates, twins: Twins) -> Finding:
    row = ctx.index.resources.get(f.resource_id.lower()) or {}
    size, _, region, instances = vm_profile(row)
    compute = ctx.index.cost30_meter(f.resource_id, COMPUTE)
    own = rates.compute_rate(f.resource_id, instances)
    linux = twins.compute_rate(rates, size, "linux", region)
    if own and linux and linux < own:
        share = 1 - linux / own
        return _twin(f, compute * share, f"the last-30-day compute cost {money(compute, ctx.currency)} x {share:.2%}"
                     f" (Linux {size} {money(linux, ctx.currency)} a day against Windows {money(own, ctx.currency)} on "
                     "your bill), if you hold the licences")
    return _thumb(f, compute, "the last-30-day compute cost (the Windows Server licence share), if you hold the "
                              "licences")


def _right_size(ctx: RuleContext, f: Finding, rates: BillRates, twins: Twins) -> Finding:
    row = ctx.index.resources.get(f.resource_id.lower())
    compute = ctx.index.cost30_meter(f.resource_id, COMPUTE)
    if row is None or compute <= 0:
        return f
    size, os_type, region, instances = vm_profile(row)
    target = str(f.evidence.get("targetSku") or "")
    advisor = float(f.evidence.get("advisor_savings") or 0.0)
    check = ""
    if f.currency == ctx.currency and advisor:
        check = f"; Advisor: {money(advisor, ctx.currency)}"
    if not target:
        repriced = f.with_(monthly_savings=round(compute, 2), price_basis="bill",
                           formula="the VM's last-30-day compute cost (Virtual Machines meters)" + check)
    else:
        own = rates.compute_rate(f.resource_id, instances)
        twin = twins.compute_rate(rates, target, os_type, region, exclude=f.resource_id)
        if own and twin and twin < own:
            saving = (own - twin) * 30 * instances
            repriced = _twin(f, saving, f"({money(own, ctx.currency)} - {money(twin, ctx.currency)}) a day x 30: "
                             f"{size} against {target} on your bill{check}")
        elif series_of(target) and series_of(target) == series_of(size) and vcpus_of(size) > vcpus_of(target) > 0:
            share = 1 - vcpus_of(target) / vcpus_of(size)
            repriced = f.with_(monthly_savings=round(compute * share, 2), savings_low=round(compute * share * 0.75, 2),
                               savings_high=round(compute * share, 2), price_basis="rule_of_thumb",
                               formula=f"the last-30-day compute cost x (1 - {vcpus_of(target)}/{vcpus_of(size)} vCPUs)"
                                       f" (range 75%-100% of it): {NO_TWIN}{check}")
        else:
            return f
    if advisor and check and repriced.monthly_savings:
        off = abs(repriced.monthly_savings - advisor) / advisor
        repriced = repriced.with_(formula=repriced.formula + f", within {off:.1%}")
    return repriced.with_(currency=ctx.currency, counted=repriced.monthly_savings > 0, not_counted_reason=None)


def _other_currency(ctx: RuleContext, f: Finding) -> Finding:
    return f.with_(kind="review", counted=False, monthly_savings=0.0, savings_low=0.0, savings_high=None, priced=(),
                   formula=f"Advisor's figure, {f.monthly_savings:,.2f} {f.currency} a month, is in another currency "
                           f"than your bill ({ctx.currency}) and no rule re-prices it from the bill",
                   not_counted_reason=f"Advisor quoted {f.currency}: shown apart, never added")


def reprice(ctx: RuleContext, findings: list[Finding], rates: BillRates, twins: Twins) -> list[Finding]:
    """Every finding priced as D3.1 says (findings no rule re-prices pass through unchanged)."""
    out = []
    for f in findings:
        action = rule_class(f.rule).action
        if f.kind == "counted" and f.basis == "actual_cost" and action.startswith("delete"):
            f = _run_rate(f, rates)
        if f.rule in ("VM-3", "DSK-4") and f.kind == "counted" and sku_name(
                ctx.index.resources.get(f.resource_id.lower()) or {}).startswith("Premium"):
            f = _storage_tier(ctx, f, rates, twins)
        elif f.rule == "LIC-1" and f.basis == "estimate":
            f = _windows_licence(ctx, f, rates, twins)
        elif f.rule == "LIC-2" and f.basis == "estimate":
            f = f.with_(price_basis="list_price")
        elif f.rule == "VM-4":
            f = _right_size(ctx, f, rates, twins)
        if f.kind == "counted" and f.currency != ctx.currency and f.rule not in ("CMT-1", "CMT-2"):
            f = _other_currency(ctx, f)
        out.append(with_dependants(ctx, f, rates))
    return out
