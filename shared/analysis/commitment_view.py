"""The commitments table (report-design D7.3): 1-year and 3-year reservations and the savings plan side by side.

Each option with its quantity, monthly saving, monthly commitment (what is paid instead of on-demand), the total
over the term, the break-even month (term months x commitment / on-demand: after it, the commitment has cost
less than paying on demand for the same usage), its lookback and whether it counts. The unit price is the size's
full-day Linux compute rate on the bill x 30 (D3.2); without one, Advisor's figures alone are shown.
"""

from __future__ import annotations

from shared.analysis.bill_rates import BillRates
from shared.analysis.findings import Finding
from shared.analysis.report_model_plan import (
    AmountByKey,
    CommitmentOption,
    CommitmentRecommendation,
    Commitments,
    Coverage,
)
from shared.analysis.rules.commitment_sizing import reductions
from shared.analysis.rules.commitment_terms import TERM_LABELS, lookback_days, short_size, term_counts
from shared.analysis.rules.licensing import HOURS_PER_MONTH
from shared.analysis.twins import Twins

MONTHS = {"P1Y": 12, "P3Y": 36}
ORDER = "Clean up, right-size, then reserve the stable VMs, then size a savings plan on the rest"
NOT_VISIBLE = ("Commitment coverage needs the bill split by pricing model (not collected); unused reservation "
               "charges are reported to the billing account, not to subscriptions, so utilisation needs a billing "
               "reader")


def _status(term: str, counted: bool, lookback: int | None, kind: str = "reservation") -> str:
    if counted:
        return "counted"
    return "upside" if kind == "reservation" and term == "P3Y" and not term_counts(term, lookback) \
        else "alternative"


def _option(kind: str, term: str, quantity: int | None, saving: float, on_demand: float | None, status: str,
            lookback: int | None, hourly: float | None, note: str) -> CommitmentOption:
    months = MONTHS.get(term)
    commitment = round(on_demand - saving, 2) if on_demand is not None else None
    return CommitmentOption(
        kind=kind, term=term, term_label=TERM_LABELS.get(term, term), quantity=quantity,  # type: ignore[arg-type]
        hourly_commitment=round(hourly, 2) if hourly is not None else None, monthly_saving=round(saving, 2),
        monthly_commitment=commitment if commitment is not None else 0.0,
        term_total=round(commitment * months, 2) if commitment is not None and months else None,
        break_even_month=round(months * commitment / on_demand, 1) if commitment and on_demand and months else None,
        lookback_days=lookback, status=status, note=note)  # type: ignore[arg-type]


def _reservation(f: Finding, rates: BillRates, twins: Twins, units: dict[str, int]) -> CommitmentRecommendation:
    ev = f.evidence
    sku, region = str(ev.get("displaySKU") or ev.get("vmSize") or ""), str(ev.get("region") or "")
    advisor_qty = float(ev.get("quantity") or ev.get("displayQty") or 0)
    quantity = int(ev.get("quantity_after", advisor_qty))
    share = float(ev.get("kept_share", 1.0))
    lookback = lookback_days(str(ev.get("lookbackPeriod") or ""))
    rate = twins.compute_rate(rates, sku, "linux", region.lower())
    unit = round(rate * 30, 3) if rate else None
    on_demand = unit * quantity if unit is not None else None
    term = str(ev.get("term") or "").upper()
    options = [_option("reservation", term, quantity, f.monthly_savings, on_demand,
                       _status(term, f.counted, lookback), lookback, None, "")]
    for alt in f.alternatives:
        other = "P1Y" if "P1Y" in alt.title else "P3Y" if "P3Y" in alt.title else ""
        if alt.rule == f.rule and other:
            options.append(_option("reservation", other, quantity, alt.monthly_savings, on_demand,
                                   _status(other, False, lookback), lookback, None, ""))
    leftover = float(ev.get("leftover_units") or 0)
    removed = [AmountByKey(key=k, amount=float(units.get(k, 0))) for k in str(ev.get("resized_by") or "").split()]
    return CommitmentRecommendation(
        finding_id=f.id, sku=short_size(sku), region=region, scope=f.resource_id.lower(), lookback_days=lookback,
        source="advisor", advisor_quantity=advisor_qty or None, unit_price=unit, removed=removed,
        quantity_after=quantity, leftover_units=leftover or None,
        options=sorted(options, key=lambda o: (o.term, o.kind)), order=ORDER + (f" (share kept {share:.0%})"
                                                                              if share < 1 else ""))


def _plan(f: Finding, reserved_on_demand: float | None) -> CommitmentRecommendation:
    ev = f.evidence
    lookback = lookback_days(str(ev.get("lookbackPeriod") or ""))
    advisor_saving = float(ev.get("advisor_savings", f.monthly_savings))
    advisor_covered = float(ev.get("commitmentAmount") or 0) * HOURS_PER_MONTH + advisor_saving
    rate = advisor_saving / advisor_covered if advisor_covered else 0.0
    covered = f.monthly_savings / rate if rate else f.monthly_savings
    hourly = (covered - f.monthly_savings) / HOURS_PER_MONTH
    term = str(ev.get("term") or "P3Y").upper()
    options = [_option("savings_plan", term, None, f.monthly_savings, covered,
                       _status(term, f.counted, lookback, "savings_plan"), lookback, hourly,
                       "re-sized on the usage left after clean-up and right-sizing")]
    if reserved_on_demand and covered > reserved_on_demand:
        rest = covered - reserved_on_demand
        rate = f.monthly_savings / covered if covered else 0.0
        step = _option("savings_plan", term, None, rest * rate, rest, "next_step", lookback,
                       rest * (1 - rate) / HOURS_PER_MONTH,
                       "after the reservation: size it when the reservation applies and Advisor refreshes")
        options.append(step.model_copy(update={"term_total": None, "break_even_month": None}))
    return CommitmentRecommendation(
        finding_id=f.id, sku=None, region=str(ev.get("region") or "") or None, scope=f.resource_id.lower(),
        lookback_days=lookback, source="advisor", advisor_quantity=None, unit_price=None, removed=[],
        quantity_after=None, leftover_units=None, options=options, order=ORDER)


def commitments_of(findings: list[Finding], rates: BillRates, twins: Twins) -> Commitments:
    """Every commitment offer with its options side by side; coverage and utilisation stated as not visible."""
    units = {c.finding_id: c.units for c in reductions(findings)}
    reservations = [_reservation(f, rates, twins, units) for f in findings if f.rule == "CMT-1"]
    reserved = {r.scope: (r.unit_price or 0) * (r.quantity_after or 0) for r in reservations}
    plans = [_plan(f, reserved.get(f.resource_id.lower())) for f in findings if f.rule == "CMT-2"]
    hidden = Coverage(visible=False, share=None, reason=NOT_VISIBLE)
    return Commitments(recommendations=reservations + plans, coverage=hidden, utilisation=hidden)
