"""The onboarding page's Azure CLI commands (static/commands.js, run under Node) run verbatim in Bash (audit S6).

`bash -n` alone proves little: it accepts `--assignee <appId>` as an input redirection. So a small checker of
our own finds redirections and `<…>` placeholders, checks that every interpolated id is a well-formed GUID
from the inputs, that principals are named by object id with their type, and only then asks `bash -n`.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from typing import Any

import pytest

from shared.web.pages import STATIC, TEMPLATES, validation_rules

APP = "bd8dba6b-cf6e-51da-b5bb-b8038200a519"
SUBS = ["d012b2f1-e54f-5f05-8120-6fbf9da1ca5e", "a012b2f1-e54f-5f05-8120-6fbf9da1ca5e",
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301"]
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GUID_ANYWHERE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
ROLES = {"Reader", "Cost Management Reader"}
HOSTILE = ["$(touch /tmp/pwned)", "`id`", "; rm -rf ~", "<subscription-id>", "x>y", "'quoted'", "\"dq\""]

# Representative inputs: (subscriptions as the page splits them, Caleta's app id as the page has it).
CASES: list[dict[str, Any]] = [
    {"subs": SUBS[:1], "app": APP},
    {"subs": SUBS, "app": APP},
    {"subs": [s.upper() for s in SUBS] + SUBS, "app": APP.upper()},
    {"subs": [*HOSTILE, SUBS[1], "not-a-guid"], "app": APP},
    {"subs": [f"{i:08x}-0000-4000-8000-000000000000" for i in range(60)], "app": APP},
]
MISSING: list[dict[str, Any]] = [
    {"subs": [], "app": APP, "fill": "subscription ids"},
    {"subs": ["not-a-guid", *HOSTILE], "app": APP, "fill": "subscription ids"},
    {"subs": SUBS, "app": "", "fill": "application id"},
    {"subs": SUBS, "app": "<caleta-app-id>", "fill": "application id"},
    {"subs": SUBS, "app": "$(reboot)", "fill": "application id"},
]


def run_commands(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Both scripts for every case, built by commands.js under Node."""
    node = shutil.which("node")
    assert node, "node is part of the toolchain (Azurite runs on it)"
    script = (f"const K = require({json.dumps(str(STATIC / 'commands.js'))});"
              "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(input.cases.map(c => ({"
              "federated: K.federatedCommands(c.app, c.subs, input.guid),"
              "secret: K.secretCommands(c.subs, input.guid)}))));")
    payload = json.dumps({"cases": cases, "guid": validation_rules()["guid"]})
    done = subprocess.run([node, "-e", script], input=payload, capture_output=True, text=True, timeout=60,
                          check=True)
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


# ---- the checker -----------------------------------------------------------------------------------------

def redirections(script: str) -> list[str]:
    """Every `<` or `>` that Bash would read as a redirection: outside single and double quotes."""
    found, quote = [], ""
    for index, char in enumerate(script):
        if quote:
            if char == quote and (quote == "'" or script[index - 1] != "\\"):
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "<>":
            found.append(script[max(0, index - 12):index + 12])
    return found


def placeholders(script: str) -> list[str]:
    """`<…>` tokens anywhere, quoted or not: a placeholder is never a value."""
    return re.findall(r"<[^<>\n]*>", script)


def az_commands(script: str) -> list[list[str]]:
    """Each `az …` invocation as its words (inside `$( )` or on its own line)."""
    calls = re.findall(r"\baz (?:\"[^\"]*\"|[^)\n\"])*", script)
    return [shlex.split(call) for call in calls]


def flag_values(words: list[str], flag: str) -> list[str]:
    """The values after `flag` (one or more, up to the next --flag)."""
    if flag not in words:
        return []
    values = []
    for word in words[words.index(flag) + 1:]:
        if word.startswith("--") or word == "-o":
            break
        values.append(word)
    return values


def problems(script: str, app: str | None, subs: list[str]) -> list[str]:
    """Why `script` would not run verbatim in Bash as intended (empty when it would)."""
    found = [f"redirection near {r!r}" for r in redirections(script)]
    found += [f"placeholder {p}" for p in placeholders(script)]
    wanted = {s.lower() for s in subs if GUID.match(s.lower())} | ({app.lower()} if app else set())
    for token in GUID_ANYWHERE.findall(script):
        if not GUID.match(token) or token not in wanted:
            found.append(f"id {token} is not one of the inputs, lower-cased")
    assigned = set(re.findall(r"^\s*([A-Z_]+)=\$\(", script, re.M))
    loops = re.findall(r"for sub in ([^;\n]*);", script)
    for listed in loops:
        found += [f"loop item {w!r} is not a GUID" for w in listed.split() if not GUID.match(w)]
    for words in az_commands(script):
        for value in flag_values(words, "--id"):
            if not (GUID.match(value) or (re.fullmatch(r"\$[A-Z_]+", value) and value[1:] in assigned)):
                found.append(f"--id {value!r}")
        for value in flag_values(words, "--scopes"):
            if not (value.startswith("/subscriptions/") and GUID.match(value.removeprefix("/subscriptions/"))):
                found.append(f"--scopes {value!r}")
        if words[1:3] == ["role", "assignment"]:
            if "--assignee" in words:
                found.append("--assignee needs a Graph lookup: use --assignee-object-id")
            principal = flag_values(words, "--assignee-object-id")
            if len(principal) != 1 or not re.fullmatch(r"\$[A-Z_]+", principal[0]) or principal[0][1:] not in assigned:
                found.append(f"--assignee-object-id {principal!r} is not a variable set earlier")
            if flag_values(words, "--assignee-principal-type") != ["ServicePrincipal"]:
                found.append("role assignment without --assignee-principal-type ServicePrincipal")
            if flag_values(words, "--scope") != ["/subscriptions/$sub"] or not loops:
                found.append(f"--scope {flag_values(words, '--scope')!r} outside the subscription loop")
            if not set(flag_values(words, "--role")) <= ROLES:
                found.append(f"--role {flag_values(words, '--role')!r}")
    if not found:
        syntax = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True, timeout=30,
                                check=False)
        if syntax.returncode:
            found.append(f"bash -n: {syntax.stderr.strip()}")
    return found


# ---- the checker can fail ---------------------------------------------------------------------------------

GOOD = ('X_ID=$(az ad sp show --id ' + APP + ' --query id -o tsv)\nfor sub in ' + SUBS[0] + '; do\n'
        '  az role assignment create --assignee-object-id "$X_ID" --assignee-principal-type ServicePrincipal '
        '--role "Reader" --scope "/subscriptions/$sub"\ndone')


@pytest.mark.parametrize(("bad", "reason"), [
    (GOOD.replace('"$X_ID"', "<appId>"), "redirection"),
    (GOOD.replace('--role "Reader"', '--role "<role>"'), "placeholder"),
    (GOOD + "\necho done > /tmp/log", "redirection"),
    (GOOD + "\naz account show 2>&1", "redirection"),
    (GOOD + "\ncat <<EOF\nx\nEOF", "redirection"),
    (GOOD.replace(SUBS[0], "<subscription-id>"), "placeholder"),
    (GOOD.replace(SUBS[0], SUBS[0].upper()), "not one of the inputs"),
    (GOOD.replace(SUBS[0], "00000000-0000-0000-0000-00000000000"), "not a GUID"),
    (GOOD.replace(APP, "11111111-2222-4333-8444-555555555555"), "not one of the inputs"),
    (GOOD.replace('--assignee-object-id "$X_ID"', f"--assignee {APP}"), "--assignee needs"),
    (GOOD.replace('"$X_ID"', '"$OTHER"'), "not a variable set earlier"),
    (GOOD.replace(" --assignee-principal-type ServicePrincipal", ""), "principal-type"),
    (GOOD.replace('"/subscriptions/$sub"', "/subscriptions/" + SUBS[0]), "outside the subscription loop"),
    (GOOD.replace('"Reader"', '"Owner"'), "--role"),
    (GOOD.replace("done", "don"), "bash -n"),
])
def test_checker_refuses_script_when_it_would_not_run_verbatim(bad: str, reason: str) -> None:
    found = problems(bad, APP, SUBS)
    assert any(reason in p for p in found), found


def test_checker_accepts_script_when_it_runs_verbatim() -> None:
    assert problems(GOOD, APP, SUBS) == []
    assert redirections('echo "a < b" \'c > d\'') == []


# ---- the page's commands ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built() -> list[dict[str, Any]]:
    return run_commands(CASES)


@pytest.mark.parametrize("index", range(len(CASES)))
@pytest.mark.parametrize("mode", ["federated", "secret"])
def test_commands_run_verbatim_in_bash_when_inputs_are_known(built: list[dict[str, Any]], index: int,
                                                             mode: str) -> None:
    case, result = CASES[index], built[index][mode]
    assert result["missing"] == "" and result["script"], result
    assert problems(result["script"], case["app"] if mode == "federated" else None, case["subs"]) == []


@pytest.mark.parametrize("index", range(len(CASES)))
def test_every_valid_subscription_is_named_once_and_nothing_else_when_built(built: list[dict[str, Any]],
                                                                            index: int) -> None:
    valid = list(dict.fromkeys(s.lower() for s in CASES[index]["subs"] if GUID.match(s.lower())))
    federated, secret = built[index]["federated"]["script"], built[index]["secret"]["script"]
    assert re.findall(r"for sub in ([^;]*);", federated) == [" ".join(valid)]
    assert re.findall(r"for sub in ([^;]*);", secret) == [" ".join(valid)]
    scopes = flag_values(next(w for w in az_commands(secret) if "create-for-rbac" in w), "--scopes")
    assert scopes == [f"/subscriptions/{s}" for s in valid]
    for hostile in HOSTILE:
        assert hostile not in federated and hostile not in secret


def test_federated_commands_give_both_roles_to_caletas_app_by_object_id_when_built(
        built: list[dict[str, Any]]) -> None:
    script = built[1]["federated"]["script"]
    lookup, *assignments = az_commands(script)
    assert lookup[:4] == ["az", "ad", "sp", "show"] and flag_values(lookup, "--id") == [APP]
    assert flag_values(lookup, "--query") == ["id"]
    assert {flag_values(a, "--role")[0] for a in assignments} == ROLES
    assert "an administrator signs in with Microsoft (step 1)" in script  # the app is not consented yet


def test_secret_commands_create_reader_then_add_cost_reader_and_print_the_credentials_when_built(
        built: list[dict[str, Any]]) -> None:
    script = built[1]["secret"]["script"]
    create, lookup, assignment = az_commands(script)
    assert create[:4] == ["az", "ad", "sp", "create-for-rbac"] and flag_values(create, "--role") == ["Reader"]
    assert flag_values(create, "--query") == ["[appId, password]"]
    assert flag_values(lookup, "--id") == ["$APP_ID"] and flag_values(assignment, "--role") == [
        "Cost Management Reader"]
    assert 'echo "Application (client) id: $APP_ID"' in script and "Client secret:" in script


@pytest.mark.parametrize("case", MISSING, ids=[str(i) for i in range(len(MISSING))])
def test_no_command_and_what_to_fill_in_when_a_value_is_not_known(case: dict[str, Any]) -> None:
    result = run_commands([case])[0]
    federated, secret = result["federated"], result["secret"]
    assert federated["script"] == "" and case["fill"] in federated["missing"]
    if case["fill"] == "subscription ids":
        assert secret["script"] == "" and case["fill"] in secret["missing"]
    else:
        assert secret["script"] and problems(secret["script"], None, case["subs"]) == []


def test_page_says_bash_and_who_may_consent_and_assign_when_rendered() -> None:
    text = " ".join((TEMPLATES / "onboarding.html").read_text().split())
    assert text.count("Run these commands in Bash (Azure Cloud Shell in Bash mode)") == 2
    assert ("(Global Administrator, Privileged Role Administrator, Cloud Application Administrator or "
            "Application Administrator) signs in with Microsoft") in text
    assert "Sign in with Microsoft to prove you administer this tenant" in text
    assert text.count("(Owner, User Access Administrator or Role Based Access Control Administrator)") == 2
    assert "static/commands.js" in text and text.index("static/commands.js") < text.index("static/onboarding.js")
