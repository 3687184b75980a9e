"""The `az` commands a finding recommends, as data, and their two renderings (report-design D6.1).

A rule builds `Command` objects (group, verb, arguments, the resource it targets); nothing formats a
command line by hand. Every interpolated value goes through `sq`, always single-quoted, so a hostile name
(`'`, `$(...)`, backticks, `;`) stays one literal word. A value with a control character or a newline makes
the command unavailable (`usable` is False): the report then says why and shows no command.

Two renderings of the same object: `standalone` (CSV, JSON: `--ids '<full id>'`) and `in_script` (the HTML
appendix: `--ids "$P1"'/Microsoft.Compute/disks/x'`, the resource-group prefix declared once per script).
Ids in commands keep inventory casing. The flags each command may carry are in command_flags.py.

One value Caleta cannot know, the e-mail address for cost alerts (report-design D10.2), is a shell variable the
script checks before it runs: an argument that `reads` it holds `$NAME` where the value goes, and is rendered
`"$(printf '<value with %s>' "$NAME")"`, so the address enters the JSON body as data, never as shell text. Such a
value must hold no `%` or backslash (printf's format characters): otherwise the command is not usable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from shared.analysis.command_flags import CONFIRMS, GROUP_OF_TYPE

__all__ = ["GROUP_OF_TYPE", "Arg", "Command", "CommandKind", "arg", "arm_type", "by_id", "by_name", "delete",
           "final_snapshot", "group_prefix", "safe_value", "sq"]
CommandKind = Literal["change", "check", "purchase"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UNSAFE_WARNING = "no command: the resource id contains characters we will not put in a shell command"


def sq(value: str) -> str:
    """`value` as one single-quoted shell word (a `'` inside becomes `'"'"'`); never left bare."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def safe_value(value: str) -> bool:
    """Whether a value may enter a shell command at all (no control character, no newline)."""
    return _CONTROL.search(value) is None


@dataclass(frozen=True, slots=True)
class Arg:
    """One option: `flag` with its value (shell-quoted when rendered), or a switch when `value` is None; `reads`
    names a shell variable whose value fills each `$NAME` in `value` when the command runs."""

    flag: str
    value: str | None = None
    reads: str | None = None


def _filled(value: str, variable: str) -> str:
    """`value` as printf fills it from `$variable` at run time: one word, the variable double-quoted."""
    pieces = value.split("$" + variable)
    return '"$(printf ' + sq("%s".join(pieces)) + f' "${variable}"' * (len(pieces) - 1) + ')"'


def _printf_safe(arg: Arg) -> bool:
    return arg.value is None or not any(c in arg.value for c in "%\\")


@dataclass(frozen=True, slots=True)
class Command:
    """One `az` command against one resource (or scope): `az {group} {verb} {args} [--ids target]`."""

    target_id: str
    group: str
    verb: str
    args: tuple[Arg, ...] = ()
    kind: CommandKind = "change"
    optional: bool = False
    warnings: tuple[str, ...] = ()
    use_ids: bool = True

    @property
    def name(self) -> str:
        """The command name without `az` (`network public-ip delete`)."""
        return f"{self.group} {self.verb}".strip()

    @property
    def usable(self) -> bool:
        """Whether every value can be put in a shell command."""
        values = [self.target_id, *(a.value for a in self.args if a.value is not None)]
        return all(safe_value(v) for v in values) and all(_printf_safe(a) for a in self.args if a.reads)

    @property
    def variables(self) -> tuple[str, ...]:
        """The shell variables the command reads (the script checks each is set)."""
        return tuple(dict.fromkeys(a.reads for a in self.args if a.reads))

    def flags(self) -> list[str]:
        """Every flag the command line carries, `--ids` included."""
        return [a.flag for a in self.args] + (["--ids"] if self.use_ids else [])

    def _words(self, target: str, prefixes: Mapping[str, str] | None = None) -> str:
        parts = ["az", self.name]
        for a in self.args:
            if a.value is None:
                parts.append(a.flag)
            else:
                parts.append(f"{a.flag} {_filled(a.value, a.reads) if a.reads else _quoted(a.value, prefixes or {})}")
        if self.use_ids:
            parts.append(f"--ids {target}")
        line = " ".join(parts)
        # Money-spending and optional steps are never run by a copy-paste of the whole script.
        return f"# {line}" if self.optional or self.kind == "purchase" else line

    def standalone(self) -> str:
        """The command on its own (CSV, JSON): the full id single-quoted."""
        return self._words(sq(self.target_id))

    def in_script(self, prefixes: Mapping[str, str]) -> str:
        """The command inside a script that declared `prefixes` (value -> variable name): the id becomes
        `"$P1"'/rest'`, the variable double-quoted and the literal rest single-quoted."""
        return self._words(_quoted(self.target_id, prefixes), prefixes)


def _quoted(value: str, prefixes: Mapping[str, str]) -> str:
    """`value` single-quoted, or `"$P1"'/rest'` when it starts with a declared prefix (the longest wins), or
    `"$S1"` when it is one (a subscription scope)."""
    for prefix, variable in sorted(prefixes.items(), key=lambda kv: -len(kv[0])):
        if value == prefix:
            return f'"${variable}"'
        if value.startswith(prefix + "/"):
            return f'"${variable}"{sq(value[len(prefix):])}'
    return sq(value)


def arg(flag: str, value: str | None = None, reads: str | None = None) -> Arg:
    """An option (or a switch, without a value); `reads`: the shell variable filling `$NAME` in the value."""
    return Arg(flag, value, reads)


def arm_type(resource_id: str) -> str:
    """The lower-case ARM type of an id (`microsoft.compute/disks`); `subscription` or the group type for scopes."""
    parts = [p.lower() for p in resource_id.strip("/").split("/")]
    if "providers" not in parts:
        return "microsoft.resources/resourcegroups" if "resourcegroups" in parts else "subscription"
    at = len(parts) - 1 - parts[::-1].index("providers")
    rest = parts[at + 1:]
    return "/".join([rest[0], *rest[1::2]]) if rest else "subscription"


def group_prefix(resource_id: str) -> str:
    """`/subscriptions/<s>/resourceGroups/<rg>/providers` of an id (inventory casing), `/subscriptions/<s>` of a
    subscription-scoped path (a policy scope, an assignment id), or '' for anything else."""
    parts = resource_id.split("/")
    if len(parts) > 6 and parts[1].lower() == "subscriptions" and parts[3].lower() == "resourcegroups" \
            and parts[5].lower() == "providers":
        return "/".join(parts[:6])
    if len(parts) >= 3 and parts[0] == "" and parts[1].lower() == "subscriptions" and parts[2] and (
            len(parts) == 3 or parts[3].lower() == "providers"):
        return "/".join(parts[:3])
    return ""


def by_id(group: str, verb: str, target: str, *args: Arg, kind: CommandKind = "change", optional: bool = False,
          warnings: tuple[str, ...] = ()) -> Command:
    """A command addressing its resource by `--ids` (the usual form)."""
    return Command(target, group, verb, tuple(args), kind, optional, warnings)


def by_name(group: str, verb: str, target: str, *args: Arg, kind: CommandKind = "change", optional: bool = False,
            warnings: tuple[str, ...] = ()) -> Command:
    """A command that names its resource with its own arguments (no `--ids`), e.g. `az group delete --name`."""
    return Command(target, group, verb, tuple(args), kind, optional, warnings, use_ids=False)


def delete(resource_id: str, *, warnings: tuple[str, ...] = ()) -> Command:
    """`az <group> delete --ids <id>` for the resource's type, with `--yes` where the command asks to confirm."""
    kind = arm_type(resource_id)
    if kind == "microsoft.resources/resourcegroups":
        parts = resource_id.split("/")
        return by_name("group", "delete", resource_id, Arg("--yes"), Arg("--name", parts[4]),
                       Arg("--subscription", parts[2]), warnings=warnings)
    group = GROUP_OF_TYPE.get(kind, ("resource",))[0]
    args = (Arg("--yes"),) if f"{group} delete" in CONFIRMS else ()
    return Command(resource_id, group, "delete", args, warnings=warnings)


def final_snapshot(disk_id: str) -> tuple[Command, ...]:
    """An optional (commented) incremental Standard snapshot of a disk before it is deleted; none for an id
    that is not a resource group's disk."""
    parts = disk_id.split("/")
    if len(parts) != 9:
        return ()
    name = f"{parts[-1]}-final"
    target = "/".join([*parts[:-2], "snapshots", name])
    return (by_name("snapshot", "create", target, arg("--subscription", parts[2]), arg("--resource-group", parts[4]),
                    arg("--name", name), arg("--source", disk_id), arg("--incremental", "true"),
                    arg("--sku", "Standard_LRS"), optional=True,
                    warnings=("a snapshot costs money every month: delete it when it is no longer needed",)),)
