"""The rule catalogue, one module per family; `rules.registry` lists every rule and its declaration.

Advisor-backed rules (VM-4, ADV, CMT-1, CMT-2) live in advisor.py and commitments.py; cost-data rules
(COST-1/2/3/5) in costdata.py read the analytics rather than the inventory.
"""
