"""The `az` commands of the governance recommendations (D10.2), quoted as D6.1 says.

Every value is single-quoted through `sq`; JSON arguments are built with json.dumps, never by formatting strings.
The alert e-mail address is the one value Caleta cannot know: it is the shell variable ALERT_EMAIL, which the
script declares with a required check, and it enters a JSON body through printf, double-quoted.
Sources: Consumption Budgets - Create Or Update (api 2023-05-01: a notification needs contactEmails or
contactGroups at subscription scope, contactRoles alone is refused); Cost Management Scheduled Actions - Create Or
Update (api 2023-11-01, kind InsightAlert, view ms:DailyAnomalyByResourceGroup, daily schedule); built-in policies
"Not allowed resource types", "Require a tag on resources", "Inherit a tag from the resource group if missing";
Cost Management tag inheritance setting (api 2024-08-01).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from shared.analysis.insights_views import GuardrailCommand

ALERT_EMAIL = "ALERT_EMAIL"
_EMAIL_SLOT = "\x00email\x00"  # where the variable goes in a JSON body
_SLOT_JSON = json.dumps(_EMAIL_SLOT)[1:-1]  # the slot as json.dumps writes it inside a string
ARM = "https://management.azure.com"
NOT_ALLOWED_TYPES = "6c112d4e-5bc7-47ae-a041-ea2d9dccd749"
REQUIRE_TAG = "871b6d14-10aa-478d-b590-94f262ecfa99"
INHERIT_TAG = "ea3f2387-9b95-492a-a190-fcdc54f7b070"
COSTLY_TYPES = ("Microsoft.Network/ddosProtectionPlans", "Microsoft.Network/virtualNetworkGateways",
                "Microsoft.Network/expressRouteCircuits", "Microsoft.Network/azureFirewalls",
                "Microsoft.Network/applicationGateways")


def sq(value: str) -> str:
    """A single-quoted shell word, whatever the value holds."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _render(group: str, verb: str, args: tuple[tuple[str, str | None], ...], email_args: frozenset[str]) -> str:
    words = ["az", group, *([verb] if verb else [])]
    for flag, value in args:
        words.append(flag)
        if value is None:
            continue
        if flag in email_args:
            # printf reads % and backslashes in its format; our JSON bodies hold neither (checked, not assumed).
            parts = value.split(_SLOT_JSON)
            if any(c in p for p in parts for c in "%'\\"):
                raise ValueError("a printf template cannot hold %, a backslash or a single quote")
            words.append('"$(printf ' + sq("%s".join(parts)) + "".join(' "$ALERT_EMAIL"' for _ in parts[1:]) + ')"')
        else:
            words.append(sq(value))
    return " ".join(words)


def command(group: str, verb: str, *args: tuple[str, str | None], kind: str = "change", optional: bool = False,
            warnings: tuple[str, ...] = (), email_in: str | None = None) -> GuardrailCommand:
    """A command and its rendered text; `email_in` names the flag whose JSON value holds the e-mail slot."""
    emails = frozenset({email_in}) if email_in else frozenset()
    text = _render(group, verb, tuple(args), emails)
    # Structured readers see the variable where the address goes.
    shown = tuple((f, v.replace(_SLOT_JSON, "$" + ALERT_EMAIL) if v is not None else None) for f, v in args)
    return GuardrailCommand(group, verb, shown, kind, optional, warnings, (ALERT_EMAIL,) if email_in else (), text)


def _body(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=False)


def budget_command(sub: str, amount: float, month_start: dt.date) -> GuardrailCommand:
    """GV-B: a monthly budget with alerts at 80% actual and 100% forecast to the address and the sub's owners."""
    notify = {"enabled": True, "operator": "GreaterThanOrEqualTo", "contactEmails": [_EMAIL_SLOT],
              "contactRoles": ["Owner", "Contributor"]}
    body = {"properties": {"category": "Cost", "amount": amount, "timeGrain": "Monthly",
                           "timePeriod": {"startDate": f"{month_start.isoformat()}T00:00:00Z"},
                           "notifications": {"actual-80": {**notify, "threshold": 80, "thresholdType": "Actual"},
                                             "forecast-100": {**notify, "threshold": 100,
                                                              "thresholdType": "Forecasted"}}}}
    url = f"{ARM}/subscriptions/{sub}/providers/Microsoft.Consumption/budgets/caleta-monthly?api-version=2023-05-01"
    return command("rest", "", ("--method", "put"), ("--url", url), ("--body", _body(body)), email_in="--body")


def anomaly_alert_command(sub: str, start: dt.date) -> GuardrailCommand:
    """GV-A: a Cost Management anomaly alert (scheduled action of kind InsightAlert), daily for a year."""
    body = {"kind": "InsightAlert", "properties": {
        "displayName": "Caleta anomaly alert", "status": "Enabled",
        "viewId": f"/subscriptions/{sub}/providers/Microsoft.CostManagement/views/ms:DailyAnomalyByResourceGroup",
        "notificationEmail": _EMAIL_SLOT,
        "notification": {"to": [_EMAIL_SLOT], "subject": "Cost anomaly detected"},
        "schedule": {"frequency": "Daily", "startDate": f"{start.isoformat()}T00:00:00Z",
                     "endDate": f"{(start + dt.timedelta(days=364)).isoformat()}T00:00:00Z"}}}
    url = (f"{ARM}/subscriptions/{sub}/providers/Microsoft.CostManagement/scheduledActions/caleta-anomaly-alert"
           "?api-version=2023-11-01")
    return command("rest", "", ("--method", "put"), ("--url", url), ("--body", _body(body)), email_in="--body")


def deny_types_command(sub: str) -> GuardrailCommand:
    """GV-P: the built-in "Not allowed resource types" for the costly network types."""
    params = _body({"listOfResourceTypesNotAllowed": {"value": list(COSTLY_TYPES)}})
    return command("policy assignment", "create", ("--name", "caleta-deny-costly-types"),
                   ("--scope", f"/subscriptions/{sub}"), ("--policy", NOT_ALLOWED_TYPES), ("--params", params),
                   warnings=("blocks these types for everyone in the subscription",))


def require_tag_commands(sub: str, key: str, slug: str, location: str) -> tuple[GuardrailCommand, ...]:
    """GV-T: require the tag on new resources, inherit it from the resource group, and (optional) remediate."""
    params = _body({"tagName": {"value": key}})
    scope = f"/subscriptions/{sub}"
    inherit = f"caleta-inherit-tag-{slug}"
    return (
        command("policy assignment", "create", ("--name", f"caleta-require-tag-{slug}"), ("--scope", scope),
                ("--policy", REQUIRE_TAG), ("--params", params),
                warnings=("new resources without the tag are refused",)),
        command("policy assignment", "create", ("--name", inherit), ("--scope", scope), ("--policy", INHERIT_TAG),
                ("--params", params), ("--mi-system-assigned", None), ("--location", location),
                ("--identity-scope", scope), ("--role", "Tag Contributor")),
        command("policy remediation", "create", ("--name", inherit), ("--policy-assignment", inherit),
                ("--scope", scope), optional=True,
                warnings=("tags every existing resource that lacks the tag with its resource group's value",)),
    )


def tag_inheritance_command(sub: str) -> GuardrailCommand:
    """GV-I: Cost Management tag inheritance, so resource-group tags reach the cost data."""
    url = (f"{ARM}/subscriptions/{sub}/providers/Microsoft.CostManagement/settings/taginheritance"
           "?api-version=2024-08-01")
    body = _body({"kind": "taginheritance", "properties": {"preferContainerTags": False}})
    return command("rest", "", ("--method", "put"), ("--url", url), ("--body", body))
