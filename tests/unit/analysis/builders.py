"""Builders for analysis unit tests: Resource Graph rows, cost lines and Advisor recs in the raw-data shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

from shared.analysis import Narrator, ReportBundle, ScanInputs, SubscriptionInputs
from shared.analysis.engine import run_analysis
from shared.analysis.index import build_index
from shared.analysis.rules.base import RuleContext
from shared.rawdata import RawEnvelope

SUB = "11111111-2222-3333-4444-555555555555"
END = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 25, 6, 0, tzinfo=dt.UTC)
PROMPT_BUDGET = 8000  # the AI_MAX_PROMPT_TOKENS default the pipeline passes


def rid(arm_type: str, name: str, rg: str = "rg-a", sub: str = SUB) -> str:
    """An ARM id for a (possibly child) type."""
    namespace, *types = arm_type.split("/")
    names = name.split("/")
    path = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{path}"


def a_row(arm_type: str, name: str, *, rg: str = "rg-a", properties: dict[str, Any] | None = None,
          sku: dict[str, Any] | None = None, tags: dict[str, str] | None = None, kind: str = "",
          managed_by: str = "", sub: str = SUB) -> dict[str, Any]:
    """A Resource Graph objectArray row."""
    return {"id": rid(arm_type, name, rg, sub), "name": name.split("/")[-1], "type": arm_type.lower(), "kind": kind,
            "location": "uksouth", "resourceGroup": rg, "subscriptionId": sub, "sku": sku, "tags": tags or {},
            "managedBy": managed_by, "properties": properties or {}}


def a_vm(name: str, *, power: str = "running", os_type: str = "Linux", publisher: str = "Canonical",
         license_type: str | None = None, disks: list[str] | None = None, nics: list[str] | None = None,
         size: str = "Standard_D4s_v5") -> dict[str, Any]:
    """A virtual machine row with an instance view."""
    disks = disks or []
    props: dict[str, Any] = {
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {"imageReference": {"publisher": publisher},
                           "osDisk": {"osType": os_type, "managedDisk": {"id": disks[0]} if disks else {}},
                           "dataDisks": [{"managedDisk": {"id": d}} for d in disks[1:]]},
        "networkProfile": {"networkInterfaces": [{"id": n} for n in nics or []]},
        "extended": {"instanceView": {"powerState": {"code": f"PowerState/{power}"}}},
    }
    if license_type:
        props["licenseType"] = license_type
    return a_row("Microsoft.Compute/virtualMachines", name, properties=props)


def a_disk(name: str, *, sku: str = "Premium_LRS", state: str = "Unattached", managed_by: str = "",
           tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A managed disk row."""
    return a_row("Microsoft.Compute/disks", name, sku={"name": sku}, managed_by=managed_by, tags=tags,
                 properties={"diskState": state, "diskSizeGB": 128})


def cost_line(resource_id: str, daily: float, meter: str = "Storage",
              days: tuple[int, int] = (89, 0)) -> list[list[Any]]:
    """Daily cost rows (Cost, UsageDate, ResourceId, MeterCategory, Currency), days counted back from END."""
    out = []
    for back in range(days[0], days[1] - 1, -1):
        day = END - dt.timedelta(days=back)
        out.append([daily, int(day.strftime("%Y%m%d")), resource_id.lower(), meter, "GBP"])
    return out


def an_advisor_rec(resource_id: str, *, type_id: str, impacted: str, monthly: float, currency: str = "GBP",
                   suppressed: bool = False, solution: str = "Do the thing", key: str = "r1",
                   extended: dict[str, str] | None = None) -> dict[str, Any]:
    """An Advisor Cost recommendation in the REST shape."""
    props: dict[str, Any] = {
        "category": "Cost", "impact": "High", "impactedField": impacted, "impactedValue": "x",
        "recommendationTypeId": type_id, "shortDescription": {"problem": solution, "solution": solution},
        "extendedProperties": {"annualSavingsAmount": f"{monthly * 12:.2f}", "savingsCurrency": currency,
                               **(extended or {})},
        "resourceMetadata": {"resourceId": resource_id},
    }
    if suppressed:
        props["suppressionIds"] = ["s-1"]
    return {"id": f"{resource_id}/providers/Microsoft.Advisor/recommendations/{key}", "name": key,
            "type": "Microsoft.Advisor/recommendations", "properties": props}


def meter_line(resource_id: str, daily: float, meter: str, days: tuple[int, int] = (29, 0)) -> list[list[Any]]:
    """Daily cost-by-meter rows (Cost, UsageDate, ResourceId, Meter, Currency), days counted back from END."""
    return [[daily, int((END - dt.timedelta(days=back)).strftime("%Y%m%d")), resource_id.lower(), meter, "GBP"]
            for back in range(days[0], days[1] - 1, -1)]


def scan(rows: list[dict[str, Any]], *, cost_rows: list[list[Any]] | None = None,
         recs: list[dict[str, Any]] | None = None, containers: list[dict[str, Any]] | None = None,
         quota: str = "PayAsYouGo_2014-09-01", currency: str = "GBP", display_name: str = "Sub A",
         graph_extra: dict[str, Any] | None = None, meter_rows: list[list[Any]] | None = None,
         advisor_extra: dict[str, Any] | None = None) -> ScanInputs:
    """ScanInputs for one subscription with the three sources (and the optional keys of docs/data-contract.md)."""
    columns = [{"name": n, "type": "x"} for n in ("Cost", "UsageDate", "ResourceId", "MeterCategory", "Currency")]
    window = {"from": (END - dt.timedelta(days=89)).isoformat(), "to": END.isoformat()}
    data: dict[str, Any] = {"currency": currency, "window": window, "columns": columns, "rows": cost_rows or []}
    if meter_rows is not None:
        data["meters"] = {"columns": [{"name": n, "type": "x"} for n in
                                      ("Cost", "UsageDate", "ResourceId", "Meter", "Currency")], "rows": meter_rows}
    graph = {"resources": rows, "resource_containers": containers or [], **(graph_extra or {})}
    raw = {
        "resource-graph": RawEnvelope(source="resource-graph", scan_id="s1", subscription_id=SUB, collected_at=NOW,
                                      api_versions={}, row_count=len(rows), data=graph),
        "cost": RawEnvelope(source="cost", scan_id="s1", subscription_id=SUB, collected_at=NOW, api_versions={},
                            row_count=len(data["rows"]), data=data),
        "advisor": RawEnvelope(source="advisor", scan_id="s1", subscription_id=SUB, collected_at=NOW,
                               api_versions={}, row_count=len(recs or []),
                               data={"recommendations": recs or [], **(advisor_extra or {})}),
    }
    sub = SubscriptionInputs(subscription_id=SUB, display_name=display_name, quota_id=quota, raw=raw)
    return ScanInputs(customer_id="c1", scan_id="s1", company="Acme", generated_at=NOW, subscriptions=[sub])


def context(inputs: ScanInputs) -> RuleContext:
    """The rule context of a scan."""
    index = build_index(inputs)
    return RuleContext(index=index, currency=index.cost.currency or "GBP", today=END)


def analyse(inputs: ScanInputs, narrator: Narrator | None = None) -> ReportBundle:
    """The analysis as the pipeline runs it, with the default prompt budget."""
    return run_analysis(inputs, narrator, max_prompt_tokens=PROMPT_BUDGET)
