"""The rule registry: every rule id the analysis can emit, with its title and narrative phrase.

Inventory rules run family by family in FAMILIES order (the order their findings reach de-duplication).
Advisor-derived (advisor.py), commitment (commitments.py) and cost-data (costdata.py) rules run elsewhere
in the engine but declare RuleSpecs the same way, so CATALOGUE holds every rule id a report may carry.
A new rule is a change to its family module only; a new family is added to FAMILIES here.
"""

from __future__ import annotations

from typing import Protocol

from shared.analysis import advisor, governance_items, review_items
from shared.analysis.rules import (
    backup,
    commitments,
    compute,
    compute_review,
    costdata,
    databases,
    disks,
    disks_review,
    firewalls,
    governance,
    licensing,
    licensing_more,
    loadbalancer_rules,
    network,
    network_orphans,
    network_tiers,
    platform,
    storage,
)
from shared.analysis.rules.base import InventoryRule, RuleSpec


class RuleFamily(Protocol):
    """A family module: its inventory rules, in the order they run."""

    RULES: tuple[InventoryRule, ...]


FAMILIES: tuple[RuleFamily, ...] = (
    compute, compute_review, licensing, licensing_more, disks, disks_review, network, network_tiers, loadbalancer_rules,
    network_orphans, firewalls, platform, storage, databases, backup, governance)


def all_rules() -> list[InventoryRule]:
    """Every inventory rule of every family, in FAMILIES order."""
    return [check for family in FAMILIES for check in family.RULES]


def all_specs() -> tuple[RuleSpec, ...]:
    """The declaration of every rule: inventory families, then Advisor, commitments and cost data."""
    return (*(check.spec for check in all_rules()), *advisor.SPECS, *commitments.SPECS,
            *(check.spec for check in costdata.RULES), *review_items.SPECS,
            *governance_items.SPECS)


def _catalogue(specs: tuple[RuleSpec, ...]) -> dict[str, RuleSpec]:
    catalogue: dict[str, RuleSpec] = {}
    for spec in specs:
        if spec.id in catalogue:
            raise ValueError(f"rule id {spec.id} is declared twice")
        catalogue[spec.id] = spec
    return catalogue


CATALOGUE: dict[str, RuleSpec] = _catalogue(all_specs())


def narrative_phrase(rule_id: str) -> str:
    """How the deterministic narrative names a finding of this rule."""
    spec = CATALOGUE.get(rule_id)
    return spec.phrase if spec is not None else RuleSpec(rule_id, title=rule_id, kind="counted").phrase
