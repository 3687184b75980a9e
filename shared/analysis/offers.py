"""Offer and agreement of each subscription (report design D10.1), from the subscription's quotaId.

Microsoft Customer Agreement subscriptions cannot be told from Pay-As-You-Go by quotaId, so a Pay-As-You-Go
subscription beside an Enterprise Agreement is said to be "on a Pay-As-You-Go offer while the others are on
your Enterprise Agreement", no more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Longest prefix first: MSDNDevTest_ must win over MSDN_.
_LABELS = (
    ("EnterpriseAgreement_", "Enterprise Agreement"),
    ("PayAsYouGo_", "Pay-As-You-Go"),
    ("MSDNDevTest_", "Dev/Test (pay-as-you-go)"),
    ("MSDN_", "Visual Studio subscription"),
    ("CSP_", "CSP"),
    ("Sponsored_", "Sponsorship"),
    ("FreeTrial_", "Free trial"),
)
AGREEMENTS = ("Enterprise Agreement", "CSP")


def offer_label(quota_id: str | None) -> str:
    """The offer in words (`EnterpriseAgreement_2014-09-01` -> Enterprise Agreement); the quotaId if unknown."""
    quota = quota_id or ""
    for prefix, label in _LABELS:
        if quota.lower().startswith(prefix.lower()):
            return label
    return quota or "Unknown offer"


def is_enterprise_agreement(quota_id: str | None) -> bool:
    """Whether the subscription is on an Enterprise Agreement (tag inheritance and GV-I apply)."""
    return offer_label(quota_id) == "Enterprise Agreement"


@dataclass(frozen=True, slots=True)
class Offer:
    """A subscription's offer, and whether it sits outside the customer's main agreement."""

    quota_id: str | None
    label: str
    outside_main_agreement: bool
    sentence: str | None  # e.g. "on a Pay-As-You-Go offer while the others are on your Enterprise Agreement"


def main_agreement(quotas: Mapping[str, str | None], spend: Mapping[str, float]) -> str | None:
    """The agreement (Enterprise Agreement or CSP) with most spend among the subscriptions, if any."""
    totals: dict[str, float] = {}
    for sub, quota in quotas.items():
        label = offer_label(quota)
        if label in AGREEMENTS:
            totals[label] = totals.get(label, 0.0) + spend.get(sub, 0.0)
    return max(sorted(totals), key=lambda k: totals[k]) if totals else None


def offers(quotas: Mapping[str, str | None], spend: Mapping[str, float]) -> dict[str, Offer]:
    """Every subscription's offer (keys lower-cased), with the main-agreement check of D10.1."""
    main = main_agreement(quotas, spend)
    out: dict[str, Offer] = {}
    for sub, quota in quotas.items():
        label = offer_label(quota)
        outside = main is not None and label == "Pay-As-You-Go"
        sentence = f"on a Pay-As-You-Go offer while the others are on your {main}" if outside else None
        out[sub.lower()] = Offer(quota, label, outside, sentence)
    return out
