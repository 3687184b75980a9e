"""The whole local stack with the product's function app in a host subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Api

pytestmark = pytest.mark.integration

REQUIRED = {"authority_host", "arm_base", "openai_base", "blob_endpoint", "table_endpoint", "ca_bundle", "estate",
            "servicebus_connection", "http_base"}


def test_health_route_answers_when_app_runs_in_host(api: Api) -> None:
    resp = api.get("api/health")
    assert (resp.status, resp.json()) == (200, {"status": "ok"})


def test_endpoints_file_lists_every_endpoint_when_stack_is_up(stack: Any) -> None:
    written = json.loads((Path(stack.state_dir) / "endpoints.json").read_text())
    assert written.keys() >= REQUIRED
    assert written == stack.endpoints


def test_every_function_of_the_app_loads_when_host_indexes_it(api: Api) -> None:
    """No function is left out in error (unresolved %SETTING%, bad binding) under the stack's app settings."""
    import function_app

    app = function_app.app
    # get_functions() may run once per app (it records names); leave the app as other tests expect to find it.
    saved = app.functions_bindings
    app.functions_bindings = None
    try:
        expected = sorted(str(f.get_function_name()) for f in app.get_functions())
    finally:
        app.functions_bindings = saved
    served = api.get("admin/functions").json()
    assert served == expected


def test_host_comes_back_on_the_same_url_when_restarted(stack: Any, api: Api) -> None:
    before = stack.endpoints["http_base"]
    old_pid = stack.host_process.pid
    assert stack.restart_host() == before
    assert stack.host_process.pid != old_pid
    assert api.get("api/health").status == 200
