"""The local Functions host runs a fixture app: HTTP routes, Service Bus triggers, timers, the admin API."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local.host import Host
from tests.conftest import Api
from tests.fixtures.host_app import Recorder, build_app

pytestmark = pytest.mark.integration

GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
FIXTURE_QUEUE = "host-fixture-jobs"


@pytest.fixture(scope="module")
def recorder() -> Recorder:
    return Recorder()


def _host_json(directory: Path) -> Path:
    path = directory / "host.json"
    path.write_text(json.dumps({"extensions": {"http": {"routePrefix": "api"}, "serviceBus": {
        "maxConcurrentCalls": 2, "maxAutoLockRenewalDuration": "00:01:00"}}}))
    return path


@pytest.fixture(scope="module")
def host(recorder: Recorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """HTTP routes and timers; no Service Bus connection (that function is left out, as the host does)."""
    env = {"FIXTURE_QUEUE": FIXTURE_QUEUE, "FIXTURE_SCHEDULE": "*/2 * * * * *"}
    running = Host(build_app(recorder), port=0, host_json=_host_json(tmp_path_factory.mktemp("h")), env=env)
    running.start()
    try:
        yield running
    finally:
        running.stop(grace_seconds=5)


@pytest.fixture(scope="module")
def client(host: Host) -> Api:
    return Api(host.base_url, timeout=10)


def test_route_params_query_body_and_headers_reach_function_when_route_matches(client: Api) -> None:
    resp = client.post(f"api/items/{GUID}/parts/wheel?size=9", b"payload", headers={"x-probe": "p1"})
    assert resp.status == 201
    assert resp.headers["content-type"] == "application/json"
    assert resp.headers["x-fixture"] == "yes"
    assert resp.json() == {"route": {"id": GUID, "part": "wheel"}, "params": {"size": "9"}, "method": "POST",
                           "body": "payload", "probe": "p1"}


def test_optional_route_param_is_absent_when_not_given(client: Api) -> None:
    assert client.get(f"api/items/{GUID}/parts").json()["route"] == {"id": GUID}


def test_404_when_constraint_fails(client: Api) -> None:
    assert client.get("api/items/not-a-guid/parts").status == 404


def test_404_when_route_is_unknown(client: Api) -> None:
    assert client.get("api/nowhere").status == 404


def test_405_when_method_is_not_declared(client: Api) -> None:
    assert client.request("DELETE", f"api/items/{GUID}/parts").status == 405


def test_string_return_is_text_plain_when_function_returns_str(client: Api) -> None:
    resp = client.get("api/files/report.csv")
    assert (resp.status, resp.body) == (200, b"format=csv")
    assert resp.headers["content-type"].startswith("text/plain")


def test_async_function_is_awaited_when_coroutine(client: Api) -> None:
    assert client.get("api/slow").body == b"async ok"


def test_exception_becomes_500_without_details_when_function_raises(client: Api) -> None:
    resp = client.get("api/boom")
    assert resp.status == 500
    assert b"secret detail" not in resp.body
    assert resp.json() == {"error": "internal server error"}


def test_service_bus_function_is_left_out_when_connection_is_not_set(host: Host) -> None:
    assert "on_job" not in host.functions
    assert "on_job" not in host.queue_triggers
    assert "item_parts" in host.functions


def test_host_status_is_running_when_started(client: Api) -> None:
    assert client.get("admin/host/status").json() == {"state": "Running"}


def test_timer_fires_on_its_schedule_when_setting_resolves(recorder: Recorder, host: Host) -> None:
    seen = recorder.wait_for("every_second", count=2, timeout=10)
    assert all(s["past_due"] is False for s in seen)


def test_admin_api_runs_timer_now_when_posted(client: Api, recorder: Recorder) -> None:
    resp = client.post("admin/functions/yearly", {"input": ""})
    assert resp.status == 202
    seen = recorder.wait_for("yearly", timeout=10)
    assert seen[0]["next"].startswith(str(time.gmtime().tm_year + 1))


def test_admin_api_answers_404_when_function_is_unknown(client: Api) -> None:
    assert client.post("admin/functions/nope", {}).status == 404


def test_admin_api_refuses_http_function_when_posted(client: Api) -> None:
    assert client.post("admin/functions/boom", {}).status == 400


def test_routes_use_prefix_from_host_json_when_set(recorder: Recorder, tmp_path: Path) -> None:
    host_json = tmp_path / "host.json"
    host_json.write_text(json.dumps({"extensions": {"http": {"routePrefix": ""}}}))
    env = {"FIXTURE_QUEUE": "unused", "FIXTURE_SCHEDULE": "0 0 0 1 1 *", "FixtureBus": ""}
    other = Host(build_app(Recorder()), port=0, host_json=host_json, env=env).start()
    try:
        assert Api(other.base_url, timeout=10).get("files/report.html").body == b"format=html"
    finally:
        other.stop(grace_seconds=2)
