"""The whole local stack with the product's function app in a host subprocess."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from local.demo import onboarding_body
from local.estates.model import load_estate
from local.host.http import ADMIN_KEY_HEADER
from tests.conftest import DEMO_ESTATE, Api

pytestmark = pytest.mark.integration

REQUIRED = {"authority_host", "arm_base", "openai_base", "blob_endpoint", "table_endpoint", "ca_bundle", "estate",
            "servicebus_connection", "http_base", "admin_key_file"}


def test_health_route_answers_when_app_runs_in_host(api: Api) -> None:
    resp = api.get("api/health")
    assert (resp.status, resp.json()) == (200, {"status": "ok"})


def test_endpoints_file_lists_every_endpoint_when_stack_is_up(stack: Any) -> None:
    written = json.loads((Path(stack.state_dir) / "endpoints.json").read_text())
    assert written.keys() >= REQUIRED
    assert written == stack.endpoints


def test_every_function_of_the_app_loads_when_host_indexes_it(stack: Any, api: Api) -> None:
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
    served = api.get("admin/functions", headers=stack.admin_headers()).json()
    assert served == expected


def test_admin_api_needs_the_key_from_the_owner_only_key_file_when_stack_is_up(stack: Any, api: Api) -> None:
    key_file = Path(stack.endpoints["admin_key_file"])
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert key_file.read_text() == stack.admin_key
    assert api.post("admin/functions/schedule_scans", {"input": None}).status == 401
    assert api.get("admin/host/status", headers={ADMIN_KEY_HEADER: "guess"}).status == 401
    assert api.get("admin/host/status", headers={ADMIN_KEY_HEADER: key_file.read_text()}).status == 200
    assert stack.admin_key not in Path(stack.state_dir, "endpoints.json").read_text()
    assert stack.admin_key not in Path(stack.host_log).read_text(errors="replace")


def test_first_hosts_email_links_to_its_real_address_when_stack_starts(stack: Any, api: Api) -> None:
    """PUBLIC_BASE_URL is in the first host's environment, not set after it started."""
    host_log = Path(stack.host_log).read_text(errors="replace")
    assert host_log.count("host listening on") == 1, "this test needs the stack's first host"
    estate = load_estate(DEMO_ESTATE)
    pennine = next(t for t in estate.tenants if t.display_name.startswith("Pennine"))
    onboarded = api.post("api/onboarding", onboarding_body(pennine, estate))
    assert onboarded.status == 202, onboarded.body[:300]
    customer = onboarded.json()
    offboarded = api.request("DELETE", f"api/customers/{customer['customer_id']}", api_key=customer["api_key"])
    assert offboarded.status in (200, 202), offboarded.body[:300]
    request_id = offboarded.json()["request_id"]
    mails = [json.loads(p.read_text()) for p in (Path(stack.state_dir) / "outbox").glob("*.json")]
    confirmed = [m for m in mails if m["kind"] == "offboarding_confirmed" and request_id in m["body"]]
    assert len(confirmed) == 1
    assert f"{stack.endpoints['http_base']}/api/account#certificate={request_id}" in confirmed[0]["body"]
    assert stack.app_settings["PUBLIC_BASE_URL"] == stack.endpoints["http_base"]


def test_host_comes_back_on_the_same_url_when_restarted(stack: Any, api: Api) -> None:
    before = stack.endpoints["http_base"]
    old_pid = stack.host_process.pid
    old_key = stack.admin_key
    assert stack.restart_host() == before
    assert stack.host_process.pid != old_pid
    assert api.get("api/health").status == 200
    # A new run, a new key: the old one no longer opens the admin API.
    assert stack.admin_key != old_key
    assert api.get("admin/host/status", headers={ADMIN_KEY_HEADER: old_key}).status == 401
    assert api.get("admin/host/status", headers=stack.admin_headers()).status == 200


def test_host_starts_on_another_port_when_the_chosen_one_is_taken_first(tmp_path: Path) -> None:
    import socket

    from local.stack import Stack, _schedule_settings, free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        taken_port = int(taken.getsockname()[1])
        ports: list[int] = [taken_port, free_port()]

        class RacedStack(Stack):
            """Another process takes the first port picked before the host binds it."""

            def _pick_port(self) -> int:
                return ports.pop(0)

        stack = RacedStack(DEMO_ESTATE, tmp_path)
        stack.app_settings = _schedule_settings()
        try:
            base = stack._start_host()
            assert ports == [] and base != f"http://127.0.0.1:{taken_port}"
            assert stack.app_settings["PUBLIC_BASE_URL"] == base
            assert Api(base).get("admin/host/status", headers=stack.admin_headers()).status == 200
            assert Path(stack.host_log).read_text(errors="replace").count("is already in use") == 1
        finally:
            stack.stop_host()
