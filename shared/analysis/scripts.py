"""Appendix A: one bash script per plan row (report-design D6.1).

Each script declares one single-quoted prefix per resource group it touches
(`P1='/subscriptions/…/resourceGroups/rg-tms-dev/providers'`) and its commands read
`--ids "$P1"'/Microsoft.Compute/disks/x'`, which keeps most commands to one printed line; a subscription scope
(a policy's `--scope`) is `S1='/subscriptions/…'` the same way. Each item's evidence is
a `#` comment above its commands (control characters removed, so a hostile name cannot end the comment).
Optional and money-spending commands are emitted commented out with their warning. At most
`limit` commands per script; the rest are in the CSV's `commands` column.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.analysis.commands import Command, group_prefix, safe_value, sq

HEADER = ("#!/usr/bin/env bash", "set -euo pipefail",
          "# Review before running: each command changes your Azure immediately. Caleta runs nothing.")


def comment(text: str) -> str:
    """Text safe inside one `#` comment line."""
    return "# " + "".join(ch if safe_value(ch) else " " for ch in text)


def prefixes_for(commands: Iterable[Command]) -> dict[str, str]:
    """Prefix -> variable name, in order of first use: P1, P2 ... for resource groups (`--ids`, ids in values),
    S1, S2 ... for subscription scopes (policy scopes and assignment ids)."""
    out: dict[str, str] = {}
    for command in commands:
        values = [command.target_id] if command.use_ids else []
        values += [a.value for a in command.args if a.value and a.value.startswith("/subscriptions/") and not a.reads]
        for value in values:
            prefix = group_prefix(value)
            if command.usable and prefix and prefix not in out and safe_value(prefix):
                letter = "P" if "/resourceGroups/" in prefix or "/resourcegroups/" in prefix.lower() else "S"
                out[prefix] = f"{letter}{sum(1 for v in out.values() if v[0] == letter) + 1}"
    return out


def declarations(prefixes: dict[str, str]) -> list[str]:
    """`P1='…'` lines."""
    return [f"{variable}={sq(prefix)}" for prefix, variable in prefixes.items()]


# What each shell variable a command may read stands for (commands.Arg.reads).
VARIABLES = {"ALERT_EMAIL": "the e-mail address for cost alerts"}


def variable_checks(commands: Iterable[Command]) -> list[str]:
    """One line per shell variable the commands read: the script stops at once, saying what to set, when unset."""
    variables = dict.fromkeys(v for c in commands for v in c.variables)
    return [f': "${{{v}:?set {v} first: {VARIABLES.get(v, "a value this script needs")}}}"' for v in variables]
