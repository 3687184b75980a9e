"""The deterministic narrative: the same placeholders the model would write, from fixed templates."""

from __future__ import annotations

from typing import Any

from shared.analysis.facts import FactSheet

_RULE_TITLES = {
    "VM-1": "a virtual machine stopped but still billed for compute",
    "VM-2": "a long-deallocated virtual machine whose disks and addresses still bill",
    "VM-3": "a Premium SSD on a virtual machine that is not running",
    "VM-4": "a virtual machine Advisor finds underused",
    "LIC-1": "Windows compute paying for a licence by the hour",
    "LIC-2": "SQL Server paying for a licence by the hour",
    "DSK-1": "a disk attached to nothing",
    "DSK-3": "an old snapshot",
    "DSK-4": "a snapshot on Premium storage",
    "DSK-5": "a snapshot whose source disk is gone",
    "NET-1": "a public IP address attached to nothing",
    "NET-4": "a load balancer with no backends",
    "NET-5": "an application gateway with no backends",
    "NET-8": "a VPN gateway with no connections",
    "NET-9": "a NAT gateway serving no subnet",
    "NET-10": "a private endpoint with no target",
    "NET-11": "a private DNS zone linked to no network",
    "NET-12": "a DDoS protection plan protecting nothing",
    "APP-1": "an App Service plan hosting no apps",
    "DB-2": "an elastic pool holding no databases",
    "STO-1": "a storage account without lifecycle rules",
    "CMT-1": "a reservation purchase Advisor recommends",
    "CMT-2": "a savings plan Advisor recommends",
}


def _by_label(sheet: FactSheet, start: str) -> str | None:
    return next((f.id for f in sheet.facts if f.label.startswith(start)), None)


def deterministic_answer(sheet: FactSheet) -> dict[str, Any]:
    """An answer in the model's schema, written from templates (so the same checks and renderer apply)."""
    total, annual, counted = _by_label(sheet, "total monthly"), _by_label(sheet, "total annual"), _by_label(
        sheet, "number of findings with")
    spend, share = _by_label(sheet, "spend over"), _by_label(sheet, "monthly savings as a share")
    summary = [{
        "text": f"Over the last 30 days the subscriptions reviewed cost {{{spend}}}. We found {{{counted}}} "
                f"findings with a saving we can count: together {{{total}}} a month ({{{annual}}} a year), "
                f"{{{share}}} of that spend.",
        "facts": [spend, counted, total, annual, share],
    }]
    categories = [f for f in sheet.facts if f.label.startswith("monthly savings in category")]
    if categories:
        best = max(categories, key=lambda f: f.value)
        name = best.label.rsplit(" ", 1)[-1]
        summary.append({"text": f"The largest share is {name}: {{{best.id}}} a month.", "facts": [best.id]})
    forecast, mom = _by_label(sheet, "forecast spend"), _by_label(sheet, "change of month-to-date")
    if forecast:
        text = f"This month's spend is forecast to reach {{{forecast}}}"
        text += f"; month to date, spend changed by {{{mom}}} against the same days last month." if mom else "."
        summary.append({"text": text, "facts": [f for f in (forecast, mom) if f]})
    untagged, anomalies = _by_label(sheet, "share of the last"), _by_label(sheet, "number of days with")
    if untagged and anomalies:
        summary.append({"text": f"Untagged resources account for {{{untagged}}} of the spend. Days with spend "
                                f"outside the expected band: {{{anomalies}}}.", "facts": [untagged, anomalies]})
    highlights = [{"alias": a.id, "text": f"{_RULE_TITLES.get(a.rule, 'a finding of rule ' + a.rule)}, "
                                          f"saving {{{a.saving_fact}}} a month.", "facts": [a.saving_fact]}
                  for a in sheet.aliases[:5]]
    return {"summary": [p for p in summary if all(p["facts"])], "highlights": highlights}
