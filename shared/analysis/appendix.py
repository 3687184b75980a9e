"""Appendix A of report.html: one bash script per shown plan row (report-design D6.1, D13.2, D13.5).

Each script declares its prefixes (P1 resource groups, S1 subscription scopes) and the variables it reads, then
its commands, at most SCRIPT_LIMIT (the rest are in report.csv). Print budget (D13.5): a single finding's script
opens with its evidence, a batch's with one line (each item's evidence is in report.csv); a warning is printed
once per script; and commands that are the same in several subscriptions but for their scope (the tag policies
of D10.2) run as one loop over the scopes rather than once per subscription.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from shared.analysis.report_model import Report
from shared.analysis.report_model_findings import FindingOut
from shared.analysis.report_model_plan import PlanRow
from shared.analysis.scripts import comment

SCRIPT_LIMIT = 50
_SCOPE = re.compile(r"^(S\d+)='/subscriptions/([^'/]+)'$")


@dataclass
class Script:
    """One appendix script: its anchor, title and lines."""

    anchor: str
    title: str
    lines: list[str]
    left_out: int = 0


def _lines(f: FindingOut, said: set[str]) -> list[str]:
    out = []
    for c in f.commands:
        out.append(c.in_script)
        if c.optional or c.kind == "purchase":
            out += [comment("  " + w) for w in c.warnings if w not in said]
            said.update(c.warnings)
    return out


def _loops(row: PlanRow, findings: list[FindingOut]) -> tuple[list[str], set[str]]:
    """Findings of one rule whose commands differ only by their subscription scope, as `for S in ...` loops."""
    scopes = {m.group(2).lower(): m.group(1) for line in row.script_prefixes if (m := _SCOPE.match(line))}
    by_rule: dict[str, list[FindingOut]] = defaultdict(list)
    for f in findings:
        if f.commands and f.subscription_id in scopes and f.resource_type == "subscription":
            by_rule[f.rule].append(f)
    lines: list[str] = []
    done: set[str] = set()
    for group in (g for g in by_rule.values() if len(g) > 1):
        variables = [scopes[f.subscription_id] for f in group]
        # The scope becomes "$S"; a bare subscription id (--subscription) becomes "${S#/subscriptions/}".
        bodies = [[c.in_script.replace(f'"${v}"', '"$S"').replace(f"'{f.subscription_id}'", '"${S#/subscriptions/}"')
                   for c in f.commands] for f, v in zip(group, variables, strict=True)]
        if any(b != bodies[0] for b in bodies) or any(f'"${v}"' in " ".join(b) for b, v in zip(bodies, variables,
                                                                                             strict=True)):
            continue
        notes = [comment("  " + w) for c in group[0].commands if c.optional for w in c.warnings]
        lines += [*dict.fromkeys(notes), "for S in " + " ".join(f'"${v}"' for v in variables) + "; do",
                  *("  " + x for x in bodies[0]), "done"]
        done.update(f.id for f in group)
    return lines, done


def scripts(r: Report) -> list[Script]:
    """One script per shown plan row with commands."""
    by_id: dict[str, FindingOut] = {f.id: f for f in r.findings}
    out = []
    for row in (row for section in r.action_plan.sections for row in section.rows if row.script_anchor):
        findings = [by_id[i] for i in row.finding_ids]
        lines, said = list(row.script_prefixes), set[str]()
        if len(findings) > 1:
            lines.append(comment(f"{row.detail}; the evidence of each item is in report.csv"))
        loops, looped = _loops(row, findings)
        lines += loops
        written, left = sum(1 for x in loops if x.lstrip().startswith(("az ", "# az "))), 0
        for f in (f for f in findings if f.commands and f.id not in looped):
            if written + len(f.commands) > SCRIPT_LIMIT:
                left += len(f.commands)
                continue
            if len(findings) == 1:
                lines.append(comment(f"{f.resource_name}: " + (f.evidence_text[0] if f.evidence_text else f.title)))
            lines += _lines(f, said)
            written += len(f.commands)
        out.append(Script(row.script_anchor or "", row.title, lines, left))
    return out
