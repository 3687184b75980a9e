"""Disaster-recovery context of a resource (report design D4.3): a standby that looks idle may be the DR plan.

True when a name token of the resource or its resource group, or a token of the value of an `app`/`role`/
`purpose`/`workload` tag, is a DR word; or when the resource sits in the Azure paired region of its subscription's
main region (the region with most spend) and the tenant bills Azure Site Recovery on a Recovery Services vault.
The rules' own check (rules/environment.py, which holds NET-5/8/13 back as review items) reads the same pairs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from shared.analysis.context import MAX_VALUE, EstateContext, name_tokens, norm_key, split_id
from shared.analysis.index import EstateIndex

DR_WORDS = frozenset({"dr", "disaster", "recovery", "failover", "asr", "standby", "secondary"})
DR_TAG_KEYS = ("app", "role", "purpose", "workload")
SITE_RECOVERY_METER = "Azure Site Recovery"
VAULT_TYPE = "microsoft.recoveryservices/vaults"

# Azure region pairs, from Microsoft's "Azure region pairs and nonpaired regions" (cross-region replication
# pairings for all geographies), learn.microsoft.com/azure/reliability/cross-region-replication-azure; the same
# table as azure-cli's backup module. Some pairs are one-way (westus3 -> eastus, brazilsouth -> southcentralus,
# westindia -> southindia); regions without a pair are absent.
PAIRED_REGION = {
    "eastus": "westus", "westus": "eastus", "eastus2": "centralus", "centralus": "eastus2",
    "westus2": "westcentralus", "westcentralus": "westus2", "westus3": "eastus",
    "northcentralus": "southcentralus", "southcentralus": "northcentralus", "brazilsouth": "southcentralus",
    "canadacentral": "canadaeast", "canadaeast": "canadacentral", "northeurope": "westeurope",
    "westeurope": "northeurope", "uksouth": "ukwest", "ukwest": "uksouth", "francecentral": "francesouth",
    "francesouth": "francecentral", "germanywestcentral": "germanynorth", "germanynorth": "germanywestcentral",
    "switzerlandnorth": "switzerlandwest", "switzerlandwest": "switzerlandnorth", "norwayeast": "norwaywest",
    "norwaywest": "norwayeast", "swedencentral": "swedensouth", "swedensouth": "swedencentral",
    "eastasia": "southeastasia", "southeastasia": "eastasia", "japaneast": "japanwest", "japanwest": "japaneast",
    "koreacentral": "koreasouth", "koreasouth": "koreacentral", "australiaeast": "australiasoutheast",
    "australiasoutheast": "australiaeast", "australiacentral": "australiacentral2",
    "australiacentral2": "australiacentral", "centralindia": "southindia", "southindia": "centralindia",
    "westindia": "southindia", "southafricanorth": "southafricawest", "southafricawest": "southafricanorth",
    "uaenorth": "uaecentral", "uaecentral": "uaenorth",
}


@dataclass(frozen=True, slots=True)
class DrContext:
    """Whether a resource is in disaster-recovery context, and why (our words; region names are Azure's)."""

    value: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready (report.json v2 `dr_context`)."""
        return {"value": self.value, "reasons": list(self.reasons)}


class DrDetector:
    """D4.3 for every resource: main regions per subscription and Site Recovery are worked out once."""

    def __init__(self, index: EstateIndex, context: EstateContext) -> None:
        self.context = context
        spend: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for rid, meters in index.cost.last30.items():
            row = context.row_of(rid)
            location = str(row.get("location") or "").lower() if row else ""
            if location and location != "global":
                spend[split_id(rid)[0]][location] += sum(meters.values())
        self.main_region = {sub: max(sorted(by), key=lambda loc: by[loc]) for sub, by in spend.items() if by}
        self.site_recovery = any(index.cost30_meter(str(row.get("id") or ""), SITE_RECOVERY_METER) > 0
                                 for row in index.of_type(VAULT_TYPE))

    def of(self, resource_id: str) -> DrContext:
        """The resource's DR context."""
        reasons: list[str] = []
        sub, group = split_id(resource_id)
        row = self.context.row_of(resource_id)
        name = str(row.get("name") or "") if row else resource_id.rsplit("/", 1)[-1]
        for what, text in (("name", name), ("resource group name", group)):
            words = sorted(DR_WORDS.intersection(name_tokens(text)))
            if words:
                reasons.append(f"{what} contains '{words[0]}'")
        own = dict(self.context.layers(resource_id)[0][1])
        for key in DR_TAG_KEYS:
            value = own.get(norm_key(key), "").strip().lower()
            if DR_WORDS.intersection(name_tokens(value)):  # "dr", "DR-site", "standby"
                reasons.append(f"tag {key} = {value[:MAX_VALUE]}")
        location = str(row.get("location") or "").lower() if row else ""
        main = self.main_region.get(sub)
        if self.site_recovery and main and location and PAIRED_REGION.get(main) == location:
            reasons.append(f"{location} is the paired region of {main} (the subscription's main region) "
                           "and Azure Site Recovery is billed")
        return DrContext(bool(reasons), tuple(reasons))
