"""The rule catalogue, one module per family; `rules.base.all_rules()` lists every inventory rule.

Advisor-backed rules (VM-4, CMT-1, CMT-2) live in advisor.py and commitments.py; cost-data rules
(COST-1/2/3/5) in costdata.py read the analytics rather than the inventory.
"""
