"""The `az` commands of the governance recommendations (D10.2), as `commands.Command` like every other command.

Values are single-quoted by commands.py; JSON arguments are built with json.dumps, never by formatting strings.
The alert e-mail address is the one value Caleta cannot know: it is the shell variable ALERT_EMAIL, which the
script checks before it runs, and it enters a JSON body through printf (commands.Arg.reads), double-quoted.
Sources: Consumption Budgets - Create Or Update (api 2023-05-01: a notification needs contactEmails or
contactGroups at subscription scope, contactRoles alone is refused); Cost Management Scheduled Actions - Create Or
Update (api 2023-11-01, kind InsightAlert, view ms:DailyAnomalyByResourceGroup, daily schedule); built-in policies
"Not allowed resource types", "Require a tag on resources", "Inherit a tag from the resource group if missing";
Cost Management tag inheritance setting (api 2024-08-01). `az policy remediation create` has no --scope in
azure-cli 2.91.0 (policyinsights/_params.py): the subscription is given with the global --subscription and the
assignment by its full id.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from shared.analysis.commands import Arg, Command, by_name

ALERT_EMAIL = "ALERT_EMAIL"
_EMAIL = "$" + "ALERT_EMAIL"  # where the address goes inside a JSON body (filled by printf at run time)
ARM = "https://management.azure.com"
NOT_ALLOWED_TYPES = "6c112d4e-5bc7-47ae-a041-ea2d9dccd749"
REQUIRE_TAG = "871b6d14-10aa-478d-b590-94f262ecfa99"
INHERIT_TAG = "ea3f2387-9b95-492a-a190-fcdc54f7b070"
COSTLY_TYPES = ("Microsoft.Network/ddosProtectionPlans", "Microsoft.Network/virtualNetworkGateways",
                "Microsoft.Network/expressRouteCircuits", "Microsoft.Network/azureFirewalls",
                "Microsoft.Network/applicationGateways")
EMAIL_WARNING = "reads ALERT_EMAIL: set it to the address that gets the alerts"


def _scope(sub: str) -> str:
    return f"/subscriptions/{sub}"


def _rest_put(sub: str, url: str, body: str, *, email: bool = False) -> Command:
    """`az rest --method put` on a subscription-scoped URL; the body reads ALERT_EMAIL when `email`."""
    return by_name("rest", "", _scope(sub), Arg("--method", "put"), Arg("--url", url),
                   Arg("--body", body, ALERT_EMAIL if email else None),
                   warnings=(EMAIL_WARNING,) if email else ())


def _body(obj: dict[str, Any]) -> str:
    return json.dumps(obj, separators=(",", ":"), sort_keys=False)


def budget_command(sub: str, amount: float, month_start: dt.date) -> Command:
    """GV-B: a monthly budget with alerts at 80% actual and 100% forecast to the address and the sub's owners."""
    notify = {"enabled": True, "operator": "GreaterThanOrEqualTo", "contactEmails": [_EMAIL],
              "contactRoles": ["Owner", "Contributor"]}
    body = {"properties": {"category": "Cost", "amount": amount, "timeGrain": "Monthly",
                           "timePeriod": {"startDate": f"{month_start.isoformat()}T00:00:00Z"},
                           "notifications": {"actual-80": {**notify, "threshold": 80, "thresholdType": "Actual"},
                                             "forecast-100": {**notify, "threshold": 100,
                                                              "thresholdType": "Forecasted"}}}}
    url = f"{ARM}/subscriptions/{sub}/providers/Microsoft.Consumption/budgets/caleta-monthly?api-version=2023-05-01"
    return _rest_put(sub, url, _body(body), email=True)


def anomaly_alert_command(sub: str, start: dt.date) -> Command:
    """GV-A: a Cost Management anomaly alert (scheduled action of kind InsightAlert), daily for a year."""
    body = {"kind": "InsightAlert", "properties": {
        "displayName": "Caleta anomaly alert", "status": "Enabled",
        "viewId": f"/subscriptions/{sub}/providers/Microsoft.CostManagement/views/ms:DailyAnomalyByResourceGroup",
        "notificationEmail": _EMAIL,
        "notification": {"to": [_EMAIL], "subject": "Cost anomaly detected"},
        "schedule": {"frequency": "Daily", "startDate": f"{start.isoformat()}T00:00:00Z",
                     "endDate": f"{(start + dt.timedelta(days=364)).isoformat()}T00:00:00Z"}}}
    url = (f"{ARM}/subscriptions/{sub}/providers/Microsoft.CostManagement/scheduledActions/caleta-anomaly-alert"
           "?api-version=2023-11-01")
    return _rest_put(sub, url, _body(body), email=True)


def deny_types_command(sub: str) -> Command:
    """GV-P: the built-in "Not allowed resource types" for the costly network types."""
    params = _body({"listOfResourceTypesNotAllowed": {"value": list(COSTLY_TYPES)}})
    return by_name("policy assignment", "create", _scope(sub), Arg("--name", "caleta-deny-costly-types"),
                   Arg("--scope", _scope(sub)), Arg("--policy", NOT_ALLOWED_TYPES), Arg("--params", params),
                   warnings=("blocks these types for everyone in the subscription",))


def require_tag_commands(sub: str, key: str, slug: str, location: str) -> tuple[Command, ...]:
    """GV-T: require the tag on new resources, inherit it from the resource group, and (optional) remediate."""
    params = _body({"tagName": {"value": key}})
    scope = _scope(sub)
    inherit = f"caleta-inherit-tag-{slug}"
    return (
        by_name("policy assignment", "create", scope, Arg("--name", f"caleta-require-tag-{slug}"),
                Arg("--scope", scope), Arg("--policy", REQUIRE_TAG), Arg("--params", params),
                warnings=("new resources without the tag are refused",)),
        by_name("policy assignment", "create", scope, Arg("--name", inherit), Arg("--scope", scope),
                Arg("--policy", INHERIT_TAG), Arg("--params", params), Arg("--mi-system-assigned"),
                Arg("--location", location), Arg("--identity-scope", scope), Arg("--role", "Tag Contributor")),
        by_name("policy remediation", "create", scope, Arg("--name", inherit),
                Arg("--policy-assignment", f"{scope}/providers/Microsoft.Authorization/policyAssignments/{inherit}"),
                Arg("--subscription", sub), optional=True,
                warnings=("tags every existing resource that lacks the tag with its resource group's value",)),
    )


def tag_inheritance_command(sub: str) -> Command:
    """GV-I: Cost Management tag inheritance, so resource-group tags reach the cost data."""
    url = (f"{ARM}/subscriptions/{sub}/providers/Microsoft.CostManagement/settings/taginheritance"
           "?api-version=2024-08-01")
    body = _body({"kind": "taginheritance", "properties": {"preferContainerTags": False}})
    return _rest_put(sub, url, body)
