"""The sentences: one validated template per claim type, figures filled from the claim's facts (D11.2).

A template never formats a number itself: every figure is a fact's `render`. Customer strings (the company,
resource, subscription and resource-group names) are recorded as they are written, so the checker can read the
sentence with them masked and find every number in the cited facts. Review items and plan rows are worded from
the rule (Caleta's words), never from the model.
"""

from __future__ import annotations

from shared.analysis.claim_format import percent_span, span
from shared.analysis.claim_phrases import a_label, driver_phrase, join, offer_words, review_words
from shared.analysis.claim_writer import MASK, Rendered, Writer
from shared.analysis.claims import Claim
from shared.analysis.facts import Alias, FactKey, NarrativeFacts

K = FactKey
EFFORT_WORDS = {"minutes": "minutes", "hours": "an hour or two", "days": "a day or more, with testing",
                "weeks": "weeks: procurement or finance"}
GUARDRAIL_WORDS = {"GV-A": "an anomaly alert", "GV-P": "a deny policy for costly resource types"}
# Numbers a template writes as fixed wording (not a figure about the estate).
LITERALS = {"spend_level": {"30"}, "one_off_spike": {"30"}}


def _change(w: Writer) -> str:
    pct = w.num("change_pct")
    return (f"Daily spend is {'up' if pct >= 0 else 'down'} {w.f('change_pct')} since {w.f('base_from')}: "
            f"{w.f('now_daily')} a day against {w.f('base_daily')}.")


def _driver(w: Writer) -> str:
    d, rising = w.alias("driver"), w.num("change_pct") >= 0
    first = w.f("driver_first_cost")
    since = "then" if first else w.f("base_from")
    billed = f", first billed on {first}" if first else ""
    return (f"{_change(w)} {w.f('driver_share')} of the {'rise' if rising else 'fall'} is {w.private(d.name)}, "
            f"{driver_phrase(d)}{billed}; it has cost {w.f('driver_cost_since')} since {since}.")


def _shift(w: Writer) -> str:
    delta = w.num("shift_delta")
    pct = f" ({w.f('shift_pct')})" if w.claim.get("shift_pct") else ""
    text = f"On {w.f('shift_date')} spend stepped {'up' if delta >= 0 else 'down'} by {w.f('shift_delta')} a day{pct}"
    if w.claim.get("driver"):
        text += f"; {w.f('driver_share')} of the step is {w.private(w.alias('driver').name)}"
    return text + "."


def _steady(w: Writer) -> str:
    now, base = w.f("now_daily"), w.f("base_from")
    if abs(w.num("change_pct")) < 0.005:
        return f"Spend is steady at about {now} a day, unchanged since {base}."
    return f"Spend is steady at about {now} a day, within {w.f('change_pct')} of the four weeks from {base}."


def _certainty(w: Writer) -> str:
    measured, conditional, commitment = w.num("tier_measured"), w.num("tier_conditional"), w.num("tier_commitment")
    parts = [f"{w.f('tier_measured')} a month measured on your bill"] if measured > 0 else []
    if conditional > 0:
        parts.append(f"{w.f('tier_conditional')}{' more' if parts else ' a month'} if you hold the licences")
    if commitment > 0:
        term = w.implied(K.COMMITMENT_TERM)
        parts.append(f"{w.f('tier_commitment')}{'' if parts else ' a month'} with a "
                     f"{str(term.value) + ' ' if term else ''}commitment")
    if w.num("tier_est_high") > 0:
        parts.append(f"{span(w.f('tier_est_low'), w.f('tier_est_high'))}{'' if parts else ' a month'} estimated")
    share = (f"{percent_span(w.f('share_low'), w.f('share_high'))} of spend, "
             if w.claim.get("share_low") and w.claim.get("share_high") else "")
    return (f"Savings: {'; '.join(parts)}. In all {w.f('range_low')} to {w.f('range_high')} a month "
            f"({share}{span(w.f('annual_low'), w.f('annual_high'))} a year).")


def _guardrails(w: Writer, p: Alias) -> str:
    words = []
    for gid in p.words:
        budget = w.implied(K.GUARDRAIL_BUDGET, p.id) if gid == "GV-B" else None
        words.append(f"a {budget.render(w.sheet.currency)} budget" if budget else GUARDRAIL_WORDS.get(gid, ""))
    # "so it cannot recur" reads right only after the action on the cost it would stop.
    recur = f" {p.note}" if p.note and p.follows in w.said else ""
    return (f"Put {join([x for x in words if x])} on {w.private(p.where)}{recur}: "
            f"{EFFORT_WORDS[w.f('effort')]}, {w.f('risk')} risk.")


def _action(w: Writer) -> str:
    p = w.alias("item")
    tail = f"{EFFORT_WORDS.get(w.f('effort'), w.f('effort'))}, {w.f('risk')} risk"
    names = join([w.private(n) for n in p.words[:3]]) + (" and others" if len(p.words) > 3 else "")
    where = w.private(p.where) if p.where else "the subscription"
    if p.detail == "guardrail":
        return _guardrails(w, p)
    if p.detail == "review":
        return (f"Decide {review_words(w, p)[0]}: {span(w.f('range_low'), w.f('range_high'))} a month, "
                "not counted.")
    saving = w.f("saving")
    if p.detail == "licence":
        cores = [w.cite(f) for f in w.sheet.about(p.id) if f.key is K.LICENCE_CORES]
        held = (join([f"{fact.render(w.sheet.currency)} {fact.param}" for fact in cores]) + " core licences"
                if cores else "the licences these servers need")
        return f"Ask procurement whether you hold {held} with Software Assurance: up to {saving} a month, " \
               "no engineering risk."
    if p.detail == "commitment":
        term = w.implied(K.COMMITMENT_TERM)
        return (f"Decide on the {str(term.value) + ' ' if term else ''}commitment sized after clean-up and "
                f"right-sizing: {saving} a month, {tail}.")
    count = w.implied(K.ITEM_COUNT, p.id)
    if p.detail == "cleanup" and count is not None:
        return (f"Clean up {count.render(w.sheet.currency)} items in {w.private(p.group)} ({where}): "
                f"{saving} a month, {tail}.")
    if p.detail == "delete":
        return f"Delete {names} in {where}: {saving} a month, {tail}."
    if count is not None:
        return (f"Act on {count.render(w.sheet.currency)} items in {w.private(p.group) or where}, "
                f"{driver_phrase(p)} among them: {saving} a month, {tail}.")
    return f"Act on {names}, {driver_phrase(p)}, in {where}: {saving} a month, {tail}."


def _context(w: Writer) -> str:
    kind = w.claim.type
    if kind == "review_not_counted":
        v = w.alias("item")
        what, reason = review_words(w, v)[1:]
        return f"Not counted: {what} ({span(w.f('review_low'), w.f('review_high'))} a month); {reason}."
    if kind == "dominant_lever":
        v = w.alias("item")
        return (f"The largest lever is {w.private(v.name)}: {w.f('resource_share')} of spend "
                f"({w.f('resource_monthly')} a month); a reservation, savings plan or schedule could save "
                f"{span(w.f('review_low'), w.f('review_high'))} a month, more than the {w.f('counted_total')} counted.")
    if kind == "governance_gap":
        s = w.alias("subscription")
        offer = w.implied(K.OFFER, s.id)
        text = f"{w.private(s.name)} is {offer_words(str(offer.value)) if offer else 'on its own offer'}"
        if w.fact("outside_agreement") and w.f("outside_agreement") == "yes":
            main = w.implied(K.MAIN_AGREEMENT)
            text += f", outside your {main.value if main else 'main agreement'}"
        missing = [what for role, what in (("budget_count", "budget"), ("alert_count", "anomaly alert"))
                   if w.claim.get(role) and w.num(role) == 0]
        return text + (f", has no {' and no '.join(missing)}" if missing else "") + "."
    if kind == "tagging_gap":
        s = w.alias("subscription")
        return (f"{w.f('untagged_share')} of spend carries no tags; {w.private(s.name)} is "
                f"{w.f('sub_untagged_share')} untagged ({w.f('sub_untagged_amount')} a month).")
    if kind == "anomaly_days":
        many = w.num("anomaly_count") != 1
        return (f"{w.f('anomaly_count')} day{'s' if many else ''} fell outside the usual range, the largest on "
                f"{w.f('anomaly_date')}.")
    if kind == "weekday_pattern":
        return f"Spend drops {w.f('weekend_drop')} at weekends: some resources already stop out of hours."
    plural = "s" if w.num("billed_resources") != 1 else ""
    return (f"This is a small estate: {w.f('run_rate_monthly')} a month across {w.f('billed_resources')} billed "
            f"resource{plural}.")


def _opening(w: Writer) -> str:
    monthly, spend = w.num("run_rate_monthly"), w.num("spend_30d")
    text = f"{w.private(w.sheet.company)} spends about {w.f('run_rate_monthly')} a month on Azure"
    if monthly and abs(spend - monthly) / monthly >= 0.01:
        text += f" ({w.f('spend_30d')} in the last 30 days)"
    return text + "."


def _one_off(w: Writer) -> str:
    d = w.alias("driver")
    return (f"The last 30 days include a one-off {w.f('one_off_amount')} of {w.f('anomaly_service')} on "
            f"{w.f('anomaly_date')}, mostly {w.private(d.name)}; the run-rate leaves it out.")


def _all_measured(w: Writer) -> str:
    return f"All {w.f('tier_measured')} a month of savings is measured on your bill ({w.f('share_measured')} of spend)."


_WRITERS = {"spend_level": _opening, "spend_change": _change, "spend_change_driver": _driver, "level_shift": _shift,
            "spend_steady": _steady, "one_off_spike": _one_off, "certainty_split": _certainty,
            "all_measured": _all_measured, "action": _action}


def render(claim: Claim, sheet: NarrativeFacts, said: frozenset[str] = frozenset()) -> Rendered:
    """The claim's sentence with its figures filled in ('' for `none`), and the facts and aliases it cites;
    `said`: the plan rows earlier action slots named."""
    w = Writer(claim, sheet, said)
    if claim.type != "none":
        w.out.text = _WRITERS.get(claim.type, _context)(w)
    return w.out


__all__ = ["LITERALS", "MASK", "Rendered", "a_label", "render"]
