"""The ARM reads beyond the three data APIs: role assignments, role definitions, provider registration, and the
configuration GETs of config_reads (lifecycle policies, budgets, scheduled actions, reservation recommendations)."""

from __future__ import annotations

from local.simulator import advisor, config_reads, providers, role_assignments
from local.simulator.http import Request, Response
from local.simulator.state import SimState


def dispatch(state: SimState, req: Request) -> Response | None:
    """The answer when the request is one of these reads (past the ARM gate), else None."""
    if req.method != "GET":
        return None
    if m := role_assignments.LIST_PATH.match(req.path):
        return role_assignments.list_assignments(state, req, m.group("sub"), m.group("rg"))
    if m := role_assignments.DEFINITION_PATH.match(req.path):
        return role_assignments.get_definition(state, req, m.group("sub"), m.group("id"))
    if m := providers.PROVIDER_PATH.match(req.path):
        return providers.get_provider(state, req, m.group("sub"), m.group("ns"))
    if m := advisor.CONFIG_PATH.match(req.path):
        return advisor.configurations(state, req, m.group("sub"))
    return config_reads.dispatch(state, req)
