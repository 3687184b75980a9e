"""What every rule gets (the index, the billing currency, the as-of day) and helpers for common shapes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from shared.analysis.findings import Category, Confidence, Finding
from shared.analysis.index import EstateIndex


@dataclass(frozen=True)
class RuleContext:
    """The inputs of a rule run."""

    index: EstateIndex
    currency: str
    today: dt.date


Rule = Callable[[RuleContext], Iterable[Finding]]


def props(row: dict[str, Any]) -> dict[str, Any]:
    """The row's properties bag (never None)."""
    value = row.get("properties")
    return value if isinstance(value, dict) else {}


def sku_name(row: dict[str, Any]) -> str:
    """The SKU name of a row, or ''."""
    sku = row.get("sku")
    return str(sku.get("name") or "") if isinstance(sku, dict) else ""


def subscription_of(resource_id: str) -> str:
    """The subscription id inside an ARM id."""
    parts = resource_id.split("/")
    return parts[2].lower() if len(parts) > 2 and parts[1].lower() == "subscriptions" else ""


def ref_ids(value: Any) -> list[str]:
    """Lower-cased ids of a list of {"id": ...} references (or one reference)."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    return [str(item["id"]).lower() for item in items if isinstance(item, dict) and item.get("id")]


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO timestamp as an aware datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def delete_finding(
    ctx: RuleContext, row: dict[str, Any], *, rule: str, title: str, action: str,
    evidence: dict[str, str | float | int | bool], category: Category = "waste", family: str = "remove",
    confidence: Confidence = "high",
) -> Finding:
    """A finding whose saving is the resource's own last-30-day cost (it goes away when the resource does)."""
    rid = str(row["id"])
    cost = round(ctx.index.cost30(rid), 2)
    return Finding(
        rule=rule, family=family, category=category, title=title, resource_id=rid,
        subscription_id=subscription_of(rid), monthly_savings=cost, currency=ctx.currency,
        basis="actual_cost", confidence=confidence if cost > 0 else "medium",
        formula="the resource's own amortized cost over the last 30 days, child resources included",
        action=action, cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence=evidence,
        priced=(rid.lower(),), resources=(rid,), sources=(f"rule:{rule}",),
    )


def hygiene_finding(ctx: RuleContext, row: dict[str, Any], *, rule: str, title: str, action: str,
                    evidence: dict[str, str | float | int | bool]) -> Finding:
    """A finding with no direct cost: tidy-up that lowers risk and noise."""
    rid = str(row["id"])
    return Finding(
        rule=rule, family="hygiene", category="hygiene", title=title, resource_id=rid,
        subscription_id=subscription_of(rid), monthly_savings=0.0, currency=ctx.currency, basis="actual_cost",
        confidence="high", formula="no direct charge: the resource bills nothing by itself", action=action,
        cost_to_date=round(ctx.index.cost_to_date(rid), 2), evidence=evidence, resources=(rid,),
        sources=(f"rule:{rule}",),
    )
