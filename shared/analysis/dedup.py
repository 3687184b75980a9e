"""De-duplication and counting: one finding per resource and family, and no pound counted twice.

1. Findings with the same (resource, family) merge: an Advisor recommendation restating an own rule joins
   it (the actual-cost basis stays, both sources are cited); different actions become alternatives of the
   best one, which alone counts.
   Review items of different rules on one resource and family (STO-1 and STO-2) join into one: the best
   range leads, the other's evidence and source are cited.
2. Counting: findings are visited best first; one is counted only if none of the resources it prices was
   already claimed by a counted finding (a VM deleted with its disks cannot also save by downgrading them).
3. Commitments are re-sized on the compute left after the counted findings that stop or shrink VMs
   (rules/commitment_sizing.py): a reservation and a right-size never count the same capacity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from shared.analysis.findings import Finding, as_alternative
from shared.analysis.rules.commitments import resize_commitments


def _rank(finding: Finding) -> tuple[bool, bool, float, float, str]:
    # Counted-eligible first, then own-rule evidence over Advisor's figure, then the larger saving (or range).
    return (finding.counted, finding.basis != "advisor", finding.monthly_savings, finding.savings_high or 0.0,
            finding.rule)


def _merge_group(group: list[Finding]) -> Finding:
    ordered = sorted(group, key=_rank, reverse=True)
    primary = ordered[0]
    sources = list(primary.sources)
    evidence = dict(primary.evidence)
    alternatives = list(primary.alternatives)
    for other in ordered[1:]:
        sources += [s for s in other.sources if s not in sources]
        if other.rule == primary.rule or (other.kind == primary.kind == "review"):
            # Advisor says the same thing, or another review item on the same question: cite it, keep the
            # primary's basis and figure.
            for key, value in other.evidence.items():
                evidence.setdefault(key, value)
        else:
            alternatives.append(as_alternative(other))
    return primary.with_(sources=tuple(sources), evidence=evidence, alternatives=tuple(alternatives))


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (resource, family): same-rule duplicates merge, other actions become alternatives."""
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[finding.key].append(finding)
    return [_merge_group(group) for group in groups.values()]


def _conflicts(key: str, whole: set[str], partial: set[str], meters: set[str]) -> bool:
    if "|" in key:
        return key.split("|", 1)[0] in whole or key in meters
    return key in whole or key in partial


def count(findings: list[Finding]) -> list[Finding]:
    """Decide which findings count in the totals so that no resource's cost is claimed twice."""
    whole: set[str] = set()
    partial: set[str] = set()
    meters: set[str] = set()
    owner: dict[str, str] = {}
    out: dict[int, Finding] = {}
    order = sorted(range(len(findings)), key=lambda i: (_rank(findings[i]), findings[i].id), reverse=True)
    for i in order:
        finding = findings[i]
        if not finding.counted or finding.monthly_savings <= 0:
            out[i] = finding
            continue
        clash = next((k for k in finding.priced if _conflicts(k, whole, partial, meters)), None)
        if clash is not None:
            holder = owner.get(clash) or owner.get(clash.split("|", 1)[0]) or "another finding"
            out[i] = finding.with_(counted=False, not_counted_reason=f"its saving overlaps finding {holder}, "
                                                                     "which is counted instead")
            continue
        for key in finding.priced:
            if "|" in key:
                meters.add(key)
                partial.add(key.split("|", 1)[0])
            else:
                whole.add(key)
            owner[key] = finding.id
        out[i] = finding
    return [out[i] for i in range(len(findings))]


def dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Merge, count, re-size commitments; sorted by saving (largest first), then rule and id for a stable order."""
    counted = resize_commitments(count(merge(findings)))
    return sorted(counted, key=lambda f: (-f.monthly_savings if f.counted else 0.0, not f.counted, f.rule, f.id))
