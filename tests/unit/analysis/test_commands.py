"""Commands that are right (report-design D6.4): every command of every rule, built on hostile names.

The corpus is the demo estate and every peer-check fixture's positive case, with every resource and resource
group renamed hostile to a shell (hostile.py). For each command, standalone and inside a script:
1. its az group matches the type of the id it targets (D6.2);
2. no placeholder, no unfilled {field}, no variable the script does not declare;
3. shlex gives back every value as exactly one word, and each value appears single-quoted;
4. every flag is in the flag table checked against azure-cli's source (command_flags.py);
5. VM-2 deletes every disk, NIC and public IP of its VM; NET-5 and NET-8 name their public IPs;
6. money-spending and optional commands are commented out and carry a warning.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from functools import lru_cache

import pytest

from shared.analysis.command_flags import FLAGS
from shared.analysis.commands import GROUP_OF_TYPE, UNSAFE_WARNING, Command, arm_type, by_id, sq
from shared.analysis.dependants import dependent_ips
from shared.analysis.engine import Analysed, analyse_findings
from shared.analysis.findings import Finding
from shared.analysis.rules.compute import attached_disks, nics_of, public_ips_of
from shared.analysis.scripts import prefixes_for, variable_checks
from tests.unit.analysis.builders import a_disk, analyse, cost_line, scan
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs
from tests.unit.analysis.hostile import SUFFIX, hostile_inputs
from tests.unit.analysis.peer_fixtures import FIXTURES, evidence_of, fixture_inputs, load_fixture

# Rules whose action is advice with no command: a check, a migration or a purchase decision.
NO_COMMAND = {"ADV", "COST-1", "COST-2", "COST-3", "COST-5", "CMT-2", "LIC-4", "NET-6", "NET-7", "NET-14",
              "NET-24", "NET-25", "DSK-9", "DB-7", "STO-2", "RV-DDOS", "RV-LOGS", "RV-SQLED", "RV-AKS", "RV-DOMINANT",
              "GV-E"}
_QUOTED = re.compile(r"'[^']*'|\"'\"|\"\$[PS]\d+\"")
# A value filled from a shell variable at run time (commands.Arg.reads): "$(printf '<format>' "$NAME" ...)".
_FILLED = re.compile(r"\"\$\(printf (?:'[^']*'|\"'\")+(?: \"\$[A-Z_]+\")+\)\"")
ALERT_EMAIL = "o'brien+ops@example.com"  # what a customer sets; its quote must stay data


@lru_cache(maxsize=1)
def corpus() -> list[Analysed]:
    """The demo tenants and every peer fixture's positive case, under hostile names."""
    inputs = [scan_inputs(t) for t in load_demo().tenants]
    for path in sorted(FIXTURES.glob("*.json")):
        fixture = load_fixture(path.stem)
        inputs.append(fixture_inputs(fixture, fixture["positive"], evidence_of(fixture)))
    return [analyse_findings(hostile_inputs(i)) for i in inputs]


def all_findings() -> list[Finding]:
    """The rules' findings and the governance recommendations (report-design D10) of every run."""
    return [f for run in corpus() for f in [*run.findings, *run.governance]]


def all_commands() -> list[tuple[Finding, Command]]:
    out = [(f, c) for f in all_findings() for c in f.commands]
    return out + [(f, c) for f in all_findings() for a in f.alternatives for c in a.commands]


def _words(text: str, command: Command | None = None) -> list[str]:
    """The words the shell passes to az; with variables, bash itself expands them (ALERT_EMAIL set)."""
    line = text.removeprefix("# ")
    if command is None or not command.variables:
        return shlex.split(line)
    script = f"ALERT_EMAIL={shlex.quote(ALERT_EMAIL)}; printf '%s\\0' {line}"
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.split("\0")[:-1]


def _expected(command: Command, value_of: dict[str, str] | None = None) -> list[str]:
    words = ["az", *command.name.split()]
    for a in command.args:
        value = a.value.replace("$" + a.reads, ALERT_EMAIL) if a.value is not None and a.reads else a.value
        words += [a.flag] if value is None else [a.flag, value]
    return words + (["--ids", command.target_id] if command.use_ids else [])


def _expand(word: str, prefixes: dict[str, str]) -> str:
    for prefix, variable in prefixes.items():
        if word == f"${variable}":  # a subscription scope, the whole value
            return prefix
        if word.startswith(f"${variable}/"):
            return prefix + word[len(variable) + 1:]
    return word


def test_corpus_is_hostile_and_covers_every_rule_with_a_command_when_built() -> None:
    commands = all_commands()
    assert any(SUFFIX in c.target_id for _, c in commands)
    with_commands = {f.rule for f, c in commands}
    fired = {f.rule for f in all_findings()}
    assert fired - NO_COMMAND - with_commands == set(), "a rule that acts must print its command"
    assert len(with_commands) >= 40


def test_command_group_matches_the_type_of_its_target_when_built() -> None:
    for finding, command in all_commands():
        assert command.group in GROUP_OF_TYPE[arm_type(command.target_id)], (finding.rule, command.name)


def test_every_flag_is_in_the_checked_flag_table_when_built() -> None:
    for finding, command in all_commands():
        assert command.name in FLAGS, (finding.rule, command.name)
        assert set(command.flags()) <= set(FLAGS[command.name]), (finding.rule, command.name, command.flags())


def test_standalone_command_splits_back_into_its_values_when_quoted() -> None:
    for finding, command in all_commands():
        text = command.standalone()
        assert _words(text, command) == _expected(command), (finding.rule, text)
        values = [command.target_id] if command.use_ids else []
        for value in values + [a.value for a in command.args if a.value is not None and not a.reads]:
            assert sq(value) in text


def test_script_command_splits_back_into_its_values_with_declared_prefixes_when_quoted() -> None:
    for finding, command in all_commands():
        prefixes = prefixes_for(finding.commands)
        words = [_expand(w, prefixes) for w in _words(command.in_script(prefixes), command)]
        assert words == _expected(command), (finding.rule, command.in_script(prefixes))


def test_no_placeholder_field_or_undeclared_variable_when_rendered() -> None:
    for finding, command in all_commands():
        prefixes = prefixes_for(finding.commands)
        for text in (command.standalone(), command.in_script(prefixes)):
            skeleton = _QUOTED.sub("Q", _FILLED.sub("Q", text.removeprefix("# ")))
            assert re.fullmatch(r"az [a-z -]+?( --[a-z-]+( Q+)?)*", skeleton), (finding.rule, skeleton)
            # P1.. are declared by the script; a variable a command reads is checked by the script's first lines.
            for variable in re.findall(r'"\$(\w+)"', text):
                assert variable in prefixes.values() or variable in command.variables
            if command.variables:
                assert variable_checks([command]) and "ALERT_EMAIL" in variable_checks([command])[0]


def test_optional_and_purchase_commands_are_commented_out_with_a_warning_when_rendered() -> None:
    risky = [(f, c) for f, c in all_commands() if c.optional or c.kind == "purchase"]
    assert risky, "VM-2 and DSK-1 offer an optional final snapshot"
    for finding, command in risky:
        assert command.standalone().startswith("# ") and command.warnings, finding.rule


def test_long_deallocated_vm_deletes_every_disk_nic_and_public_ip_when_built() -> None:
    for run in corpus():
        for finding in (f for f in run.findings if f.rule == "VM-2"):
            vm = run.index.resources[finding.resource_id.lower()]
            deleted = {c.target_id.lower() for c in finding.commands if c.verb == "delete"}
            needed = {finding.resource_id.lower(), *attached_disks(vm), *nics_of(vm), *public_ips_of(run.ctx, vm)}
            assert needed <= deleted, finding.resource_id


def test_gateway_deletes_name_their_public_ips_when_built() -> None:
    seen = 0
    for run in corpus():
        for finding in (f for f in run.findings if f.rule in ("NET-5", "NET-8")):
            row = run.index.resources[finding.resource_id.lower()]
            ips = {str(ip["id"]).lower() for ip in dependent_ips(run.ctx, row)}
            seen += len(ips)
            assert ips <= {c.target_id.lower() for c in finding.commands}, finding.resource_id
    assert seen >= 2


@pytest.mark.parametrize("name", ["disk\nrm -rf ~", "disk\tx", "disk\x1b[31m"])
def test_command_withheld_when_a_value_holds_a_control_character(name: str) -> None:
    command = by_id("disk", "delete", f"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/{name}")
    assert not command.usable
    disk = a_disk(name)
    report = analyse(scan([disk], cost_rows=cost_line(disk["id"], 2.0))).report_json.decode()
    assert UNSAFE_WARNING in report and '"commands": []' in report
