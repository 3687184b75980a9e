"""Estates: the files that drive the simulated tenant, and the model that reads them."""

from local.estates.model import (
    BUILTIN_ROLES,
    CostRow,
    Estate,
    Subscription,
    Tenant,
    expand_costs,
    load_estate,
    parse_estate,
)

__all__ = ["BUILTIN_ROLES", "CostRow", "Estate", "Subscription", "Tenant", "expand_costs", "load_estate",
           "parse_estate"]
