"""What a resource is for, as far as the inventory says: production or not, disaster recovery, platform-owned.

Judged from tags first (an explicit statement), then the resource group's name, then the subscription's
offer. "Unknown" is never treated as non-production: rules that need non-production evidence stay silent.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from shared.analysis.dr import PAIRED_REGION, SITE_RECOVERY_METER
from shared.analysis.rules.base import RuleContext, subscription_of, tag_text

Environment = Literal["production", "non-production", "unknown"]
_ENV_TAG_KEYS = ("env", "environment", "stage", "tier", "purpose")
_PROD_WORDS = {"prod", "production", "prd", "live"}
_NONPROD_WORDS = {"dev", "development", "test", "testing", "tst", "qa", "uat", "staging", "stage", "sandbox",
                  "nonprod", "non-prod", "poc", "demo", "lab", "trial"}
_DR_WORDS = {"dr", "recovery", "failover", "asr"}
# Shared exclusions (docs/checks.md): Site Recovery, Azure Backup and AKS own these, whatever they look like.
_PLATFORM_NAME_PREFIXES = ("ms-asr-", "asrseeddisk-")
_PLATFORM_NAME_SUFFIXES = ("-asr", "-asrreplica")
_PLATFORM_TAG_MARKERS = {"asr-replicadisk": "Site Recovery", "asrseeddisk": "Site Recovery",
                         "rsvaultbackup": "Azure Backup", "kubernetes.io-created-for-pv": "AKS",
                         "k8s-azure-created-by": "AKS", "aks-managed-": "AKS"}
# Azure region pairs and the Site Recovery meter: dr.py's table (report-design D4.3), so the rules and the
# report's DR context read the same pairs.
__all__ = ["PAIRED_REGION", "SITE_RECOVERY_METER", "dr_context", "environment_of", "platform_owner"]


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", text.lower()) if w}


def _tag_values(row: dict[str, Any]) -> set[str]:
    tags = row.get("tags")
    if not isinstance(tags, dict):
        return set()
    return {str(v).lower() for k, v in tags.items() if str(k).lower() in _ENV_TAG_KEYS}


def environment_of(ctx: RuleContext, row: dict[str, Any]) -> Environment:
    """Production, non-production or unknown: tags, then the resource group's name, then a Dev/Test offer."""
    for value in _tag_values(row):
        if value in _PROD_WORDS:
            return "production"
        if value in _NONPROD_WORDS or _words(value) & _NONPROD_WORDS:
            return "non-production"
    group = _words(str(row.get("resourceGroup") or ""))
    if group & _PROD_WORDS:
        return "production"
    if group & _NONPROD_WORDS:
        return "non-production"
    quota = ctx.index.quota_by_subscription.get(subscription_of(str(row.get("id") or "")), "").lower()
    return "non-production" if "devtest" in quota or "msdn" in quota else "unknown"


def _site_recovery_regions(ctx: RuleContext) -> set[str]:
    """Regions paired with where the estate runs, when the bill shows Site Recovery (its DR target regions)."""
    if not any(SITE_RECOVERY_METER in meters for meters in ctx.index.rolled30_meter.values()):
        return set()
    counts: dict[str, int] = {}
    for row in ctx.index.resources.values():
        region = str(row.get("location") or "").lower()
        if region and region != "global":
            counts[region] = counts.get(region, 0) + 1
    if not counts:
        return set()
    home = max(sorted(counts), key=lambda r: counts[r])
    return {PAIRED_REGION[home]} if home in PAIRED_REGION else set()


def dr_context(ctx: RuleContext, row: dict[str, Any]) -> str | None:
    """Why the resource looks like disaster-recovery standby (group name, tag, DR region), or None."""
    if _words(str(row.get("resourceGroup") or "")) & _DR_WORDS:
        return "its resource group is named for disaster recovery"
    if any(_words(v) & _DR_WORDS for v in _tag_values(row)):
        return "its tags mark it as disaster recovery"
    if str(row.get("location") or "").lower() in _site_recovery_regions(ctx):
        return "it sits in the paired region of an estate that runs Site Recovery"
    return None


def platform_owner(row: dict[str, Any]) -> str | None:
    """Which platform service owns the resource (Site Recovery, Azure Backup, AKS), or None."""
    name = str(row.get("name") or "").lower()
    if name.startswith(_PLATFORM_NAME_PREFIXES) or name.endswith(_PLATFORM_NAME_SUFFIXES):
        return "Site Recovery"
    text = tag_text(row)
    for marker, owner in _PLATFORM_TAG_MARKERS.items():
        if marker in text:
            return owner
    if str(row.get("resourceGroup") or "").lower().startswith("mc_"):
        return "AKS"
    return None
