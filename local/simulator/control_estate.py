"""The /_sim/estate/* control endpoints (loopback only): test and demo hooks that change the estate and move its
calendar on, so a second review sees time pass and resources deleted, resized and added (issue 15).

    GET  /_sim/estate/today                      {"today": "2026-12-06", "offset_days": 0}
    POST /_sim/estate/advance-days  {"days": 45}
    POST /_sim/estate/delete        {"resource_id": "/subscriptions/…"}
    POST /_sim/estate/resize        {"resource_id": "…", "size": "Standard_D2s_v5", "daily_cost_factor": 0.5}
    POST /_sim/estate/add           {"subscription_id": "…", "resource": {ARM row}, "costs": [cost line, …]}

POST /_sim/reset undoes all of them. The semantics are in local/simulator/estate_changes.py.
"""

from __future__ import annotations

from typing import Any

from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState


class _NoSuchAction(Exception):
    """Not one of the estate actions (a KeyError is a missing field: 400, not this)."""


def _today(state: SimState) -> dict[str, Any]:
    return {"today": state.today.isoformat(), "offset_days": state.calendar.offset_days}


def _change(state: SimState, action: str, body: dict[str, Any]) -> dict[str, Any]:
    calendar, estate = state.calendar, state.estate
    if action == "advance-days":
        days = body["days"]
        if type(days) is not int:
            raise ValueError("days must be a whole number")
        calendar.advance(estate, days)
        return _today(state)
    if action == "delete":
        return calendar.delete(estate, str(body["resource_id"]))
    if action == "resize":
        return calendar.resize(estate, str(body["resource_id"]), str(body["size"]),
                               float(body.get("daily_cost_factor", 1.0)))
    if action == "add":
        resource, costs = body["resource"], body.get("costs", [])
        if not isinstance(resource, dict) or not isinstance(costs, list):
            raise ValueError("resource must be an object and costs a list")
        return calendar.add(estate, str(body["subscription_id"]), resource, costs)
    raise _NoSuchAction(action)


def handle(state: SimState, req: Request, name: str, body: dict[str, Any]) -> Response | None:
    """Serve /_sim/estate/*; None for any other control endpoint. KeyError/ValueError become 400 upstream."""
    if name != "estate" and not name.startswith("estate/"):
        return None
    action = name.partition("/")[2]
    if req.method == "GET" and action == "today":
        return json_response(200, _today(state))
    if req.method != "POST":
        return json_response(404, {"error": f"no control endpoint {req.method} /_sim/{name}"})
    with state.lock:
        try:
            answer = _change(state, action, body)
        except _NoSuchAction:
            return json_response(404, {"error": f"no control endpoint POST /_sim/{name}"})
        finally:
            state.estate_changed()
    return json_response(200, answer)
