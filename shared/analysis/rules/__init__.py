"""The rule catalogue, one module per family; `all_rules()` lists every inventory rule.

Advisor-backed rules (VM-4, CMT-1, CMT-2) live in advisor.py and commitments.py; cost-data rules
(COST-1/2/3/5) in costdata.py read the analytics rather than the inventory.
"""

from __future__ import annotations

from shared.analysis.rules import compute, disks, governance, licensing, network, platform
from shared.analysis.rules.base import Rule


def all_rules() -> list[Rule]:
    """Every rule of every family."""
    return [*compute.RULES, *licensing.RULES, *disks.RULES, *network.RULES, *platform.RULES, *governance.RULES]
