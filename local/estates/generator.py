"""Large deterministic estates for benchmarks: one customer tenant, N subscriptions, M resources.

`python -m local.estates.generator --seed 1 --subscriptions 50 --resources 100000 --days 90 --out PATH`
streams the file one subscription at a time (memory stays at one subscription's worth); `generate_estate`
returns the same document as a dict. Same seed and sizes, same bytes: every subscription draws from its own
`random.Random(f"{seed}:{index}")` and every GUID is a uuid5.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from local.estates.demo_advisor import SAVINGS_PLAN, VM_RESERVATION
from local.estates.demo_kit import guid
from local.estates.generator_config import (
    ALLOWED_LOCATIONS,
    REQUIRE_TAG,
    anomaly_alert,
    assignment,
    budget,
    reservation_recommendation,
)
from local.estates.generator_mix import Sub, network_item, platform_item, virtual_machine

logger = logging.getLogger(__name__)

QUOTAS = [("EnterpriseAgreement_2014-09-01", 60), ("MSDNDevTest_2014-09-01", 20), ("PayAsYouGo_2014-09-01", 15),
          ("CSP_2015-05-01", 5)]
APPS = ["tms", "erp", "web", "data", "hr", "crm", "edi", "iot", "bi", "api", "fleet", "ops"]
ENVS = ["prod", "prod", "test", "dev"]
# The largest archetype adds this many rows; below it the remainder is filled with single rows.
MAX_ROWS_PER_ITEM = 5


def identities(seed: int) -> dict[str, Any]:
    """Caleta's identity plus the customer tenant id and its reader principal."""
    s = str(seed)
    return {
        "caleta": {"tenant_id": guid("gen", s, "caleta"), "app_client_id": guid("gen", s, "caleta-app"),
                   "managed_identity_client_id": guid("gen", s, "uami-client"),
                   "managed_identity_object_id": guid("gen", s, "uami-object")},
        "tenant_id": guid("gen", s, "tenant"),
        "reader": {"client_id": guid("gen", s, "reader-client"), "object_id": guid("gen", s, "reader-object"),
                   "display_name": "caleta-reader", "federated": False, "enabled": True,
                   "secrets": [{"value": f"gen-{seed}-secret-" + guid("gen", s, "secret")[:8],
                                "expires": "2099-12-31T00:00:00Z"}]},
    }


def _commitments(s: Sub) -> list[dict[str, Any]]:
    """Reservation (1 and 3 year) and savings-plan recommendations on the subscription, half the time; returns
    Consumption's reservation recommendations for the same offer (30 and 60-day lookbacks)."""
    if s.rng.random() >= 0.5:
        return []
    scope = f"/subscriptions/{s.sub_id}"
    field_value = ("Microsoft.Subscriptions/subscriptions", s.sub_id)
    base = s.rng.uniform(50, 900)
    quantity = max(1, round(base / 28.46))  # Advisor's saving per D4s_v5 a month at the 1-year rate (report-design D7)
    recommendations = []
    for term, factor in (("P1Y", 1.0), ("P3Y", 1.8)):
        s.advise(scope, VM_RESERVATION, field_value, base * factor, term=term, lookbackPeriod="30",
                 reservedResourceType="virtualmachines", vmSize="Standard_D4s_v5")
        recommendations += [reservation_recommendation(s.sub_id, lookback, term, quantity, base * factor)
                            for lookback in ("Last30Days", "Last60Days")]
    s.advise(scope, SAVINGS_PLAN, field_value, base * 1.5, term="P3Y", lookbackPeriod="30", benefitType="SavingsPlan")
    return recommendations


def _governance(s: Sub) -> dict[str, Any]:
    """Budgets on three subscriptions in five, anomaly alerts on one in three, a tag policy on one in five."""
    spend = 30.4 * sum(c["daily_cost"] for c in s.costs)
    scope = f"/subscriptions/{s.sub_id}"
    tag = {"tagName": {"value": "costCentre"}}
    rng = s.extra_rng
    return {"budgets": [budget(s.sub_id, spend * 1.2)] if rng.random() < 0.6 else [],
            "scheduled_actions": [anomaly_alert(s.sub_id)] if rng.random() < 0.33 else [],
            "policy_assignments": [assignment(scope, "require-cost-centre", REQUIRE_TAG, tag)]
            if rng.random() < 0.2 else []}


def subscription(seed: int, index: int, count: int, days: int, principal_id: str, spike_scale: float = 0.5,
                 ) -> dict[str, Any]:
    """One subscription with exactly `count` resources, costs and Advisor recs; a spike of spike_scale days."""
    rng = random.Random(f"{seed}:{index}")
    s = Sub(guid("gen", str(seed), "sub", str(index)), rng, days, extra_rng=random.Random(f"{seed}:{index}:extra"))
    groups = [f"rg-{rng.choice(APPS)}-{rng.choice(ENVS)}-{g:03d}" for g in range(max(2, count // 40))]
    empty = [f"rg-empty-{index:03d}-{g}" for g in range(rng.randint(1, 2))]
    while count - s.counter >= MAX_ROWS_PER_ITEM:
        make = rng.choices([virtual_machine, network_item, platform_item], [45, 25, 30])[0]
        make(s, rng.choice(groups), s.counter)
    while s.counter < count:
        rg = rng.choice(groups)
        s.add(rg, "Microsoft.Network/networkSecurityGroups", f"nsg-{rg[3:]}-{s.counter:05d}", {"securityRules": []})
    recommendations = _commitments(s)
    if s.costs:  # one spike (spike_scale days of this subscription's spend) and one growing line
        spike = round(spike_scale * sum(c["daily_cost"] for c in s.costs), 2)
        rng.choice(s.costs)["spikes"] = [{"days_ago": rng.randint(2, max(2, days // 3)), "cost": spike}]
        rng.choice(s.costs)["growth_per_day"] = 0.012
    quota = rng.choices([q for q, _ in QUOTAS], [w for _, w in QUOTAS])[0]
    scope = f"/subscriptions/{s.sub_id}"
    return {
        "subscription_id": s.sub_id, "display_name": f"Generated {index:03d} ({quota.split('_')[0]})",
        "quota_id": quota, "billing_currency": "GBP", "state": "Enabled",
        "role_assignments": [{"principal_id": principal_id, "role": r, "scope": scope}
                             for r in ("Reader", "Cost Management Reader")],
        "resource_groups": [{"name": g, "location": "uksouth", "tags": {}} for g in (*sorted(set(groups)), *empty)],
        "resources": s.resources, "costs": s.costs, "advisor": s.advisor,
        "management_policies": s.policies, "recovery_services": s.backup_items,
        "reservation_recommendations": recommendations, **_governance(s),
    }


def _sizes(subscriptions: int, resources: int, days: int) -> list[int]:
    """Resources per subscription (the remainder goes to the first ones)."""
    if subscriptions < 1 or resources < subscriptions * MAX_ROWS_PER_ITEM or not 7 <= days <= 365:
        raise ValueError("need subscriptions >= 1, resources >= 5 per subscription and 7 <= days <= 365")
    return [resources // subscriptions + (1 if i < resources % subscriptions else 0) for i in range(subscriptions)]


def _subscriptions(seed: int, subscriptions: int, resources: int, days: int) -> Iterator[dict[str, Any]]:
    ids = identities(seed)
    for index, count in enumerate(_sizes(subscriptions, resources, days)):
        # The first subscription's spike is about half a day of the whole estate: a clear anomaly.
        scale = 0.5 * subscriptions if index == 0 else 0.3
        yield subscription(seed, index, count, days, ids["reader"]["object_id"], scale)


def _header(seed: int, subscriptions: int, resources: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The estate without subscriptions, and its one tenant without subscriptions."""
    ids = identities(seed)
    sub_ids = [guid("gen", str(seed), "sub", str(i)) for i in range(subscriptions)]
    tenant = {"tenant_id": ids["tenant_id"], "display_name": f"Generated Estate {seed} Ltd",
              "default_domain": f"generated{seed}.onmicrosoft.com", "applications": [ids["reader"]],
              "management_groups": [{"id": f"mg-generated-{seed}", "display_name": "Generated",
                                     "subscription_ids": sub_ids, "role_assignments": [],
                                     "policy_assignments": [assignment(
                                         f"/providers/Microsoft.Management/managementGroups/mg-generated-{seed}",
                                         "allowed-locations", ALLOWED_LOCATIONS,
                                         {"listOfAllowedLocations": {"value": ["uksouth", "ukwest"]}})]}],
              "custom_roles": []}
    estate = {"schema_version": 1, "usd_rates": {"GBP": 1.27, "EUR": 1.08, "USD": 1.0}, "caleta": ids["caleta"],
              "description": f"Generated estate: seed {seed}, {subscriptions} subscriptions, {resources} resources"}
    return estate, tenant


def generate_estate(seed: int, subscriptions: int, resources: int, days: int) -> dict[str, Any]:
    """A whole generated estate as a dict (use write_estate for large sizes: it streams)."""
    estate, tenant = _header(seed, subscriptions, resources)
    tenant["subscriptions"] = list(_subscriptions(seed, subscriptions, resources, days))
    estate["tenants"] = [tenant]
    return estate


def write_estate(out: TextIO, seed: int, subscriptions: int, resources: int, days: int) -> None:
    """Write the same document as generate_estate, compact JSON, one subscription in memory at a time."""
    estate, tenant = _header(seed, subscriptions, resources)
    out.write(json.dumps(estate, separators=(",", ":"))[:-1] + ',"tenants":[')
    out.write(json.dumps(tenant, separators=(",", ":"))[:-1] + ',"subscriptions":[')
    for n, sub in enumerate(_subscriptions(seed, subscriptions, resources, days)):
        out.write(("," if n else "") + json.dumps(sub, separators=(",", ":")))
    out.write("]}]}\n")


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description="Generate a large deterministic estate file.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--out", type=Path, help="output file (default: stdout)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.monotonic()
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            write_estate(out, args.seed, args.subscriptions, args.resources, args.days)
    else:
        write_estate(sys.stdout, args.seed, args.subscriptions, args.resources, args.days)
    logger.info("generated %d resources in %d subscriptions in %.1f s", args.resources, args.subscriptions,
                time.monotonic() - started)


if __name__ == "__main__":
    main()
