"""Tag views (D8.8), actual vs amortised (D8.9) and governance recommendations (D10), with and without the optional
data (C5, C6, B1, B2, R3), and the guardrails' commands quoted as D6.1 says."""

from __future__ import annotations

import json
import shlex
import subprocess
from typing import Any

import pytest

from shared.analysis.guardrail_commands import NOT_ALLOWED_TYPES, REQUIRE_TAG
from shared.analysis.guardrails import round_up_2sf
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights
from shared.analysis.insights_views import CostInsights, Guardrail
from tests.unit.analysis.builders import SUB, a_row, cost_line, scan
from tests.unit.analysis.optional_data import anomaly_alert, assignment, budget, with_optional

OWNED = a_row("Microsoft.Compute/virtualMachines", "vm-1", rg="rg-prod", tags={"owner": "ops", "env": "prod"})
GROUPED = a_row("Microsoft.OperationalInsights/workspaces", "log-1", rg="rg-prod")
BARE = a_row("Microsoft.Network/ddosProtectionPlans", "ddos-1", rg="rg-sandbox-x")
GROUPS = [{"id": f"/subscriptions/{SUB}/resourceGroups/rg-prod", "name": "rg-prod", "subscriptionId": SUB,
           "type": "microsoft.resources/subscriptions/resourcegroups", "tags": {"owner": "platform"}}]


def _scan(quota: str = "EnterpriseAgreement_2014-09-01") -> Any:
    rows = (cost_line(OWNED["id"], 60.0, "Virtual Machines") + cost_line(GROUPED["id"], 20.0, "Log Analytics")
            + cost_line(BARE["id"], 20.0, "Azure DDOS Protection"))
    return scan([OWNED, GROUPED, BARE], cost_rows=rows, containers=GROUPS, quota=quota)


def _table(columns: list[str], rows: list[list[Any]]) -> dict[str, Any]:
    return {"currency": "GBP", "columns": [{"name": c} for c in columns], "rows": rows}


def _insights(inputs: Any, measured: dict[str, float] | None = None) -> CostInsights:
    return compute_insights(inputs, build_index(inputs), measured_monthly=measured)


def _ids(found: CostInsights) -> dict[str, Guardrail]:
    return {g.id: g for g in found.guardrails}


def test_tag_coverage_direct_and_with_resource_group_and_untagged() -> None:
    tags = _insights(_scan()).tags
    owner = next(k for k in tags.keys if k.role == "owner")
    assert (owner.key, owner.coverage, owner.coverage_with_rg, owner.untagged) == ("owner", 0.6, 0.8, 600.0)
    assert [(v.value, v.amount, v.via_resource_group) for v in owner.values] == [("ops", 1800.0, False),
                                                                                 ("platform", 600.0, True)]
    assert tags.untagged_share_any == 0.4
    assert tags.billed is None and "were not collected" in tags.reconciliation


def test_billed_tags_reconcile_against_inventory_when_collected() -> None:
    billed = _table(["Cost", "TagKey", "TagValue", "Currency"], [[1800.0, "owner", "ops", "GBP"],
                                                                  [1200.0, "", "", "GBP"]])
    found = _insights(with_optional(_scan(), detail={SUB: {"billed_tags": billed}}))
    assert [(b.key, b.coverage) for b in found.tags.billed or ()] == [("owner", 0.6)]
    assert found.tags.reconciliation == ("Cost Management (tags as billed) gives owner on 60.0% of spend; today's "
                                         "tags with resource-group tags give 80.0%. Turn on tag inheritance (GV-I) "
                                         "to make them agree.")
    gv_i = _ids(found)["GV-I"]
    assert gv_i.status == "missing" and "60.0%" in gv_i.detail


def test_actual_equal_to_amortised_says_so_and_purchases_are_named() -> None:
    same = _table(["Cost", "ChargeType", "PricingModel", "Currency"], [[3000.0, "Usage", "OnDemand", "GBP"]])
    cash = _insights(with_optional(_scan(), detail={SUB: {"actual_cost": same}})).actual_vs_amortized
    assert (cash.actual_30d, cash.amortized_30d, cash.difference) == (3000.0, 3000.0, 0.0)
    assert cash.reason.startswith("Actual and amortised cost are the same")
    bought = _table(["Cost", "ChargeType", "PricingModel", "Currency"],
                    [[2900.0, "Usage", "OnDemand", "GBP"], [0.0, "Usage", "Reservation", "GBP"],
                     [5000.0, "Purchase", "Reservation", "GBP"]])
    cash = _insights(with_optional(_scan(), detail={SUB: {"actual_cost": bought}})).actual_vs_amortized
    assert cash.purchases_30d == 5000.0 and "purchases of £5,000.00" in cash.reason


def test_guardrails_not_read_when_the_configuration_was_not_collected() -> None:
    found = _ids(_insights(_scan()))
    assert set(found) == {"GV-B", "GV-A", "GV-T", "GV-I"}
    assert found["GV-B"].status == "not_read" and found["GV-B"].not_read == ("budgets",)
    assert found["GV-A"].not_read == ("scheduled actions",)
    assert found["GV-T"].not_read == ("policy assignments",) and found["GV-T"].keys == ("owner", "env")


def test_guardrails_absent_when_budget_alert_and_tag_policy_exist() -> None:
    inputs = with_optional(_scan(), config={SUB: {"budgets": [budget("b", 5000.0, 2500.0)],
                                                  "scheduled_actions": [anomaly_alert()]}},
                           policies={SUB: [assignment(SUB, REQUIRE_TAG, "Owner"), assignment(SUB, REQUIRE_TAG, "env")]})
    found = _insights(inputs)
    assert "GV-B" not in _ids(found) and "GV-A" not in _ids(found) and "GV-T" not in _ids(found)
    assert [(b.name, b.amount, b.spent_ratio) for b in found.by_subscription[0].budgets or ()] == [("b", 5000.0, 0.5)]
    assert found.by_subscription[0].anomaly_alerts == 1


def test_disabled_alert_and_excluded_or_unenforced_policy_do_not_count() -> None:
    sub_scope = f"/subscriptions/{SUB}"
    excluded = assignment(SUB, REQUIRE_TAG, "owner", scope="/providers/Microsoft.Management/managementGroups/mg")
    excluded["properties"]["notScopes"] = [sub_scope]
    unenforced = assignment(SUB, REQUIRE_TAG, "owner")
    unenforced["properties"]["enforcementMode"] = "DoNotEnforce"
    inputs = with_optional(_scan(), config={SUB: {"budgets": [], "scheduled_actions": [anomaly_alert("Disabled")]}},
                           policies={SUB: [excluded, unenforced]})
    found = _ids(_insights(inputs))
    assert found["GV-B"].status == "missing" and found["GV-A"].status == "missing"
    assert found["GV-T"].status == "missing"


def test_policy_assigned_at_a_management_group_above_counts() -> None:
    mg = assignment(SUB, REQUIRE_TAG, "owner", scope="/providers/Microsoft.Management/managementGroups/root")
    env = assignment(SUB, REQUIRE_TAG, "env")
    found = _ids(_insights(with_optional(_scan(), policies={SUB: [mg, env]})))
    assert "GV-T" not in found


def test_budget_sized_on_the_run_rate_after_measured_savings_rounded_up() -> None:
    found = _ids(_insights(with_optional(_scan(), config={SUB: {"budgets": []}}), measured={SUB: 600.0}))
    assert found["GV-B"].amount == 2900.0  # (3,000 - 600) x 1.2 = 2,880 -> 2,900
    assert round_up_2sf(304.08) == 310.0 and round_up_2sf(47.48) == 48.0 and round_up_2sf(300.0) == 300.0
    small = _ids(_insights(with_optional(_scan(), config={SUB: {"budgets": []}}), measured={SUB: 2990.0}))
    assert small["GV-B"].amount == 50.0


def test_deny_costly_types_on_a_sandbox_pay_as_you_go_subscription_unless_assigned() -> None:
    rows = cost_line(BARE["id"], 20.0, "Azure DDOS Protection")
    sandbox = scan([BARE], cost_rows=rows)
    found = _ids(_insights(sandbox))
    assert "GV-P" in found and "GV-I" not in found and "GV-E" not in found  # not on an EA, no EA beside it
    assigned = with_optional(sandbox, policies={SUB: [assignment(SUB, NOT_ALLOWED_TYPES)]})
    assert "GV-P" not in _ids(_insights(assigned))


def test_production_subscription_gets_no_deny_policy() -> None:
    rows = cost_line(OWNED["id"], 60.0)
    assert "GV-P" not in _ids(_insights(scan([OWNED, BARE], cost_rows=rows)))


def _words(text: str) -> list[str]:
    return shlex.split(text)


def test_commands_quote_every_value_and_round_trip_through_shlex() -> None:
    found = _ids(_insights(with_optional(_scan(), config={SUB: {"budgets": []}})))
    for guardrail in found.values():
        for command in guardrail.commands:
            text = command.standalone().removeprefix("# ")
            words = _words(text)
            assert words[:2] == ["az", command.group.split()[0]]
            for a in command.args:
                assert a.flag in words
                if a.value is not None and not a.reads:
                    assert words[words.index(a.flag) + 1] == a.value
                    assert f"'{a.value}'" in text or "'" in a.value
            assert "<" not in text.replace("\\u003c", "")


def _body_in_bash(command_text: str, email: str) -> Any:
    """The --body argument as bash expands it (ALERT_EMAIL set), parsed as JSON: the real shell, not a model of it."""
    body_word = command_text.split(" --body ", 1)[1]
    result = subprocess.run(["bash", "-c", f'ALERT_EMAIL={shlex.quote(email)}; printf "%s" {body_word}'],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_budget_and_alert_bodies_take_the_e_mail_from_the_shell_variable() -> None:
    found = _ids(_insights(with_optional(_scan(), config={SUB: {"budgets": []}})))
    email = "o'brien@example.com"
    budget_body = _body_in_bash(found["GV-B"].commands[0].standalone(), email)
    notes = budget_body["properties"]["notifications"]
    assert {n["thresholdType"] for n in notes.values()} == {"Actual", "Forecasted"}
    assert all(n["contactEmails"] == [email] and n["contactRoles"] == ["Owner", "Contributor"]
               for n in notes.values())
    assert budget_body["properties"]["amount"] == found["GV-B"].amount
    alert_body = _body_in_bash(found["GV-A"].commands[0].standalone(), email)
    assert alert_body["kind"] == "InsightAlert" and alert_body["properties"]["notification"]["to"] == [email]
    assert alert_body["properties"]["viewId"].endswith("/views/ms:DailyAnomalyByResourceGroup")
    for gid in ("GV-B", "GV-A"):
        assert found[gid].commands[0].variables == ("ALERT_EMAIL",)


def test_require_tag_commands_carry_hostile_keys_as_single_words() -> None:
    hostile = "owner'; rm -rf / #"
    row = a_row("Microsoft.Compute/disks", "d1", tags={hostile: "x"})
    other = a_row("Microsoft.Compute/disks", "d2", tags={"owner": "y"})
    rows = cost_line(row["id"], 10.0) + cost_line(other["id"], 10.0)
    found = _ids(_insights(scan([row, other], cost_rows=rows)))
    for command in found["GV-T"].commands:
        params = {a.flag: a.value for a in command.args}.get("--params")
        if params:
            words = _words(command.standalone().removeprefix("# "))
            assert words[words.index("--params") + 1] == params
            assert json.loads(params)["tagName"]["value"] in ("owner", hostile)


@pytest.mark.parametrize("value", [0.0, -5.0])
def test_round_up_of_nothing_is_nothing(value: float) -> None:
    assert round_up_2sf(value) == 0.0
