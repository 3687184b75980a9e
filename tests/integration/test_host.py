"""The local Functions host runs a fixture app: HTTP routes, Service Bus triggers, timers, the admin API."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.host import Host
from local.host.http import ADMIN_KEY_HEADER, EXIT_PORT_IN_USE
from tests.conftest import REPO_ROOT, Api
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


@pytest.fixture(scope="module")
def admin(host: Host) -> Api:
    """A client that presents the host's admin key, as a caller of Azure's admin API presents the master key."""
    return Api(host.base_url, timeout=10, default_headers={ADMIN_KEY_HEADER: host.admin_key})


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


def test_host_status_is_running_when_started(admin: Api) -> None:
    assert admin.get("admin/host/status").json() == {"state": "Running"}


def test_timer_fires_on_its_schedule_when_setting_resolves(recorder: Recorder, host: Host) -> None:
    seen = recorder.wait_for("every_second", count=2, timeout=10)
    assert all(s["past_due"] is False for s in seen)


def test_admin_api_runs_timer_now_when_posted(admin: Api, recorder: Recorder) -> None:
    resp = admin.post("admin/functions/yearly", {"input": ""})
    assert resp.status == 202
    seen = recorder.wait_for("yearly", timeout=10)
    assert seen[0]["next"].startswith(str(time.gmtime().tm_year + 1))


def test_admin_api_answers_404_when_function_is_unknown(admin: Api) -> None:
    assert admin.post("admin/functions/nope", {}).status == 404


def test_admin_api_refuses_http_function_when_posted(admin: Api) -> None:
    assert admin.post("admin/functions/boom", {}).status == 400


@pytest.mark.parametrize("headers", [{}, {ADMIN_KEY_HEADER: ""}, {ADMIN_KEY_HEADER: "not-the-key"}],
                         ids=["missing", "empty", "wrong"])
def test_admin_api_answers_401_and_runs_nothing_when_key_is_not_presented(
        client: Api, host: Host, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    invoked: list[str] = []
    real_invoke = host.http.admin_invoke

    def recording_invoke(name: str, payload: Any) -> None:
        invoked.append(name)
        real_invoke(name, payload)

    monkeypatch.setattr(host.http, "admin_invoke", recording_invoke)
    assert client.post("admin/functions/yearly", {"input": ""}, headers=headers).status == 401
    assert client.get("admin/host/status", headers=headers).status == 401
    answer = client.get("admin/functions", headers=headers)
    assert answer.status == 401 and ADMIN_KEY_HEADER in answer.json()["error"]
    near_miss = {ADMIN_KEY_HEADER: host.admin_key[:-1] + ("A" if host.admin_key[-1] != "A" else "B")}
    assert client.post("admin/functions/yearly", {}, headers=near_miss).status == 401
    assert invoked == []
    # The same request with the key goes through this very invoker.
    assert client.post("admin/functions/nope", {}, headers={ADMIN_KEY_HEADER: host.admin_key}).status == 404
    assert invoked == ["nope"]


def test_admin_key_is_fresh_per_run_when_not_given(recorder: Recorder, tmp_path: Path) -> None:
    env = {"FIXTURE_QUEUE": "unused", "FIXTURE_SCHEDULE": "0 0 0 1 1 *"}
    first = Host(build_app(Recorder()), port=0, host_json=_host_json(tmp_path), env=env)
    second = Host(build_app(Recorder()), port=0, host_json=_host_json(tmp_path), env=env)
    try:
        assert len(first.admin_key) >= 43 and first.admin_key != second.admin_key
    finally:
        first.http.server_close()
        second.http.server_close()


def test_routes_use_prefix_from_host_json_when_set(recorder: Recorder, tmp_path: Path) -> None:
    host_json = tmp_path / "host.json"
    host_json.write_text(json.dumps({"extensions": {"http": {"routePrefix": ""}}}))
    env = {"FIXTURE_QUEUE": "unused", "FIXTURE_SCHEDULE": "0 0 0 1 1 *", "FixtureBus": ""}
    other = Host(build_app(Recorder()), port=0, host_json=host_json, env=env).start()
    try:
        assert Api(other.base_url, timeout=10).get("files/report.html").body == b"format=html"
    finally:
        other.stop(grace_seconds=2)


PING_APP = '''
import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="ping", methods=["GET"])
def ping(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse("pong")
'''


def _host_command(app_dir: Path, port: int) -> list[str]:
    app_dir.joinpath("ping_app.py").write_text(PING_APP)
    _host_json(app_dir)
    return [sys.executable, "-m", "local.host", "--port", str(port), "--app", "ping_app", "--ready-file",
            str(app_dir / "ready.json"), "--key-file", str(app_dir / "state" / "host.key"), "--grace", "1"]


def _host_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "LOCAL_HOST_LOG_LEVEL": "WARNING"}


def test_host_process_writes_its_key_owner_only_and_removes_it_when_stopped(tmp_path: Path) -> None:
    process = subprocess.Popen(_host_command(tmp_path, 0), cwd=tmp_path, env=_host_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "ready.json").exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the host did not start"
            time.sleep(0.1)
        key_file = tmp_path / "state" / "host.key"
        assert key_file.stat().st_mode & 0o777 == 0o600
        key = key_file.read_text()
        api = Api(f"http://127.0.0.1:{json.loads((tmp_path / 'ready.json').read_text())['port']}", timeout=10)
        assert api.get("api/ping").body == b"pong"
        assert api.get("admin/host/status").status == 401
        assert api.get("admin/host/status", headers={ADMIN_KEY_HEADER: key}).json() == {"state": "Running"}
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not key_file.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_host_process_exits_with_port_in_use_code_when_port_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = subprocess.run(_host_command(tmp_path, taken.getsockname()[1]), cwd=tmp_path, env=_host_env(),
                              capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == EXIT_PORT_IN_USE, done.stderr[-2000:]
    assert "already in use" in done.stderr
    assert not (tmp_path / "state" / "host.key").exists() and not (tmp_path / "ready.json").exists()
