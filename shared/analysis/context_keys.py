"""The words of report-design D4: tag keys read for environment, owner and cost centre, the environment values
and labels, and the small helpers that normalise keys and split names and ids (context.py uses them)."""

from __future__ import annotations

import re
from functools import lru_cache

ENV_KEYS = ("env", "environment", "stage", "envtype")
OWNER_KEYS = ("owner", "createdby", "technicalowner", "technicalcontact", "team", "squad")
COST_CENTRE_KEYS = ("costcentre", "costcenter", "cc", "chargecode", "billingcode")
NEVER_READ = frozenset({"contact", "description", "notes"})
AKS_CLUSTER_RG = "aksmanagedclusterrg"
MAX_VALUE = 64

ENV_VALUES = {
    **dict.fromkeys(("prod", "production", "prd", "live"), "prod"),
    **dict.fromkeys(("dev", "development"), "dev"),
    **dict.fromkeys(("test", "tst", "qa", "uat", "staging", "stg", "preprod"), "test"),
    **dict.fromkeys(("sandbox", "sbx", "poc", "lab", "demo", "experiment"), "sandbox"),
}
ENV_LABELS = {"prod": "Production", "dev": "Development", "test": "Test", "sandbox": "Sandbox", "other": "Other",
              "unknown": "Unknown"}
_NAME_SPLIT = re.compile(r"[-_.() ]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def norm_key(key: str) -> str:
    """A tag key compared case-insensitively with non-alphanumerics removed (`Cost-Centre` -> `costcentre`)."""
    return _NON_ALNUM.sub("", key.lower())


def name_tokens(name: str) -> list[str]:
    """A name split on `-_.() ` and case-folded (`rg-sandbox-ddos` -> rg, sandbox, ddos)."""
    return [t for t in _NAME_SPLIT.split(name.casefold()) if t]


def env_of_value(value: str) -> str | None:
    """The environment an environment tag value or name token stands for, None when unmapped."""
    return ENV_VALUES.get(_NON_ALNUM.sub("", value.lower()))


def offer_is_dev_test(quota_id: str | None) -> bool:
    """Dev/Test offers are for non-production use (the same test as licensing's Dev/Test check)."""
    quota = quota_id or ""
    return "devtest" in quota.lower() or quota.upper().startswith("MSDN")


def split_id(resource_id: str) -> tuple[str, str]:
    """(subscription id, resource group), both lower case ('' when the id has none)."""
    parts = resource_id.lower().split("/")
    sub = parts[2] if len(parts) > 2 and parts[1] == "subscriptions" else ""
    group = parts[4] if len(parts) > 4 and parts[3] == "resourcegroups" else ""
    return sub, group


