"""The words of the action plan: one human sentence per row, no ids (report-design D5.2, D13.2, D13.3)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from shared.analysis.evidence import sentence, typed
from shared.analysis.governance_items import FOUND, guardrail_title
from shared.analysis.index import EstateIndex
from shared.analysis.money import money
from shared.analysis.placement import Placed, held_back
from shared.analysis.rules.licensing import vcpus_of
from shared.analysis.rules.registry import CATALOGUE
from shared.analysis.twins import vm_profile

_IT = re.compile(r"\bit\b")


def what_to_do(p: Placed, currency: str) -> str:
    """The finding's one sentence, naming its resource ("Delete it if ..." -> "Delete the application gateway
    agw-web-dev if ..."); a review item's question; a one-off's amount and day."""
    f = p.finding
    if held_back(f):
        label = p.type_label[:1].upper() + p.type_label[1:]
        return f"{label} {p.name} looks like disaster-recovery standby: keep it only if the DR runbook needs it"
    if f.kind == "review":
        return f.title if p.name in f.title else f"{f.title} ({p.name})"
    if f.rule == "COST-2" and p.impact:
        day = dt.date.fromisoformat(str(f.evidence.get("day")))
        what = p.note or f"from {p.name}: check what ran that day"
        return f"One-off {money(p.impact, currency)} on {day:%-d %b}, {what}"
    if f.rule in ("CMT-1", "CMT-2"):
        return f.title
    action = f.action.rstrip(".")
    if action.startswith("Delete it"):
        return f"Delete the {p.type_label} {p.name}{action[len('Delete it'):]}"
    if _IT.search(action):
        return _IT.sub(p.name, action, count=1)
    return f"{action}: {p.name}"


def detail_of(p: Placed, currency: str) -> str:
    """The row's second line: the evidence in words, or for a review item what to check."""
    f = p.finding
    if held_back(f):
        kept = [w for c in f.commands for w in c.warnings if "DR runbook" in w]
        return kept[-1] if kept else "disaster-recovery standby: confirm against the DR runbook"
    if f.kind == "review" or f.rule == "COST-2":
        return f.action
    sentences = [sentence(e, currency) for e in typed(f.evidence)[:2]]
    return "; ".join(sentences) or f.title


def kinds_line(items: list[Placed]) -> str:
    """"3 managed disks, 2 public IP addresses and 1 NAT gateway"; for guardrails, what each subscription lacks."""
    if all(p.finding.rule in FOUND for p in items):
        # What was not read is said, never taken as absent (D10.2).
        lacks = Counter(FOUND[p.finding.rule] + (" (not read: check first)" if p.finding.evidence.get("not_read")
                                                 else "") for p in items)
        where = len({p.finding.subscription_id for p in items})
        return "; ".join(lacks) + (f" (in {where} subscriptions)" if where > 1 else "")
    counts = Counter(p.type_label for p in items)
    parts = [f"{n} {label}{'s' if n > 1 and not label.endswith('s') else ''}" for label, n in counts.most_common()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def windows_cores(vcpus: int) -> int:
    """Windows Server core licences one VM or instance needs: 8 up to 8 vCPUs, 16 up to 16, else its vCPUs."""
    return 8 if vcpus <= 8 else 16 if vcpus <= 16 else vcpus + vcpus % 2


def licences_needed(items: list[Placed], index: EstateIndex) -> str:
    """The licences a Hybrid Benefit decision needs, in words (Microsoft's core-licensing rules, D5.2)."""
    sql: Counter[str] = Counter()
    windows, instances, largest = 0, 0, 0
    for p in items:
        f = p.finding
        if f.rule == "LIC-2":
            edition = str(f.evidence.get("edition") or "").capitalize() or "Enterprise"
            sql[edition] += max(4, int(f.evidence.get("vcpus") or 0))
        elif f.rule == "LIC-1":
            size, _, _, count = vm_profile(index.resources.get(f.resource_id.lower()) or {})
            vcpus = vcpus_of(size)
            windows += count * windows_cores(vcpus)
            instances += count
            largest = max(largest, vcpus)
    parts = [f"{n} SQL Server {edition} core licences" for edition, n in sorted(sql.items())]
    if windows:
        upto = 8 if largest <= 8 else 16 if largest <= 16 else largest
        parts.append(f"{windows} Windows Server core licences ({instances} instance{'s' if instances > 1 else ''} "
                     f"of up to {upto} vCPUs)")
    needed = " and ".join(parts) if parts else "the licences"
    return f"{needed}, with Software Assurance"


def batch_title(section: str, key: tuple[str, ...], items: list[Placed], monthly: float, currency: str,
                index: EstateIndex) -> str:
    """The batch's one sentence (D5.2 templates)."""
    first = items[0]
    if section == "do_now":
        where = f"{first.resource_group}" + (f" ({first.subscription_name})" if first.subscription_name else "")
        return f"Clean up {len(items)} items in {where}"
    if key and key[0] == "licence":
        return f"Hybrid Benefit: up to {money(monthly, currency, 'summary')} a month if you hold " \
               f"{licences_needed(items, index)}"
    if key and key[0] == "governance":
        budget = next((f.evidence.get("budget_amount") for f in (p.finding for p in items) if f.rule == "GV-B"), None)
        shown = money(float(budget), currency, "summary") if isinstance(budget, int | float) else None
        return guardrail_title([p.finding for p in items], first.subscription_name, shown)
    if key and key[0] == "commitment":
        counted = [p for p in items if p.tier]
        return (counted[0] if counted else first).finding.title + " (the other terms and the savings plan beside it)"
    title = CATALOGUE[first.finding.rule].title if first.finding.rule in CATALOGUE else first.finding.title
    return f"{title} in {first.resource_group or first.subscription_name or 'the subscription'}"
