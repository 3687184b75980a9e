"""How the local host reads host.json, app settings and NCRONTAB schedules."""

import datetime as dt
import json
from pathlib import Path

import pytest

from local.host import Host
from local.host.index import FunctionLoadError, index_functions, parse_timespan, read_host_config, resolve_settings
from local.host.timers import next_occurrence, parse_schedule
from tests.fixtures.host_app import Recorder, build_app

ENV = {"FIXTURE_QUEUE": "jobs", "FIXTURE_SCHEDULE": "*/1 * * * * *", "FixtureBus": "Endpoint=sb://x"}


def test_setting_expression_is_resolved_when_setting_exists() -> None:
    assert resolve_settings("%Q%-x", {"Q": "jobs"}) == "jobs-x"


def test_unresolved_setting_raises_when_missing() -> None:
    with pytest.raises(FunctionLoadError):
        resolve_settings("%MISSING%", {})


def test_timespan_is_read_when_days_are_present() -> None:
    assert parse_timespan("00:05:00") == 300
    assert parse_timespan("1.02:00:30") == 86400 + 7200 + 30


def test_host_json_values_are_read_when_present(tmp_path: Path) -> None:
    path = tmp_path / "host.json"
    path.write_text(json.dumps({"extensions": {"http": {"routePrefix": ""}, "serviceBus": {
        "maxConcurrentCalls": 2, "maxAutoLockRenewalDuration": "00:01:00"}}, "functionTimeout": "00:10:00"}))
    config = read_host_config(path)
    assert (config.route_prefix, config.max_concurrent_calls) == ("", 2)
    assert (config.max_auto_lock_renewal_seconds, config.function_timeout_seconds) == (60, 600)


def test_defaults_apply_when_host_json_is_missing(tmp_path: Path) -> None:
    config = read_host_config(tmp_path / "absent.json")
    assert (config.route_prefix, config.max_concurrent_calls) == ("api", 16)


def test_each_instance_runs_max_concurrent_calls_when_the_host_stands_for_several(tmp_path: Path) -> None:
    # given: host.json's two calls at once per instance
    path = tmp_path / "host.json"
    path.write_text(json.dumps({"extensions": {"serviceBus": {"maxConcurrentCalls": 2}}}))
    # when: the host stands for one instance, then for four
    one = Host(build_app(Recorder()), host_json=path, env=ENV)
    four = Host(build_app(Recorder()), host_json=path, env=ENV, instances=4)
    # then: a Service Bus function runs two, then eight, at once
    assert (one.config.concurrent_calls, four.config.concurrent_calls) == (2, 8)
    assert four.queue_triggers["on_job"].concurrent_calls == 8


def test_triggers_are_indexed_with_settings_resolved_when_app_loads(tmp_path: Path) -> None:
    specs = {s.name: s for s in index_functions(build_app(Recorder()), read_host_config(tmp_path / "x"), ENV)}
    assert specs["on_job"].kind == "servicebus"
    assert specs["on_job"].binding["queueName"] == "jobs"
    assert specs["every_second"].binding["schedule"] == "*/1 * * * * *"
    assert specs["item_parts"].methods == ("GET", "POST")


def test_function_with_unresolved_setting_is_left_out_when_indexing(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if k != "FIXTURE_QUEUE"}
    specs = {s.name for s in index_functions(build_app(Recorder()), read_host_config(tmp_path / "x"), env)}
    assert "on_job" not in specs
    assert "item_parts" in specs


def test_next_occurrence_reads_seconds_first_when_six_fields() -> None:
    start = dt.datetime(2026, 1, 1, 0, 0, 0, tzinfo=dt.UTC)
    assert next_occurrence("30 0 6 * * *", start) == dt.datetime(2026, 1, 1, 6, 0, 30, tzinfo=dt.UTC)
    assert next_occurrence("*/5 * * * * *", start) == start + dt.timedelta(seconds=5)


def test_five_field_cron_is_refused_when_parsing() -> None:
    with pytest.raises(ValueError, match="six fields"):
        parse_schedule("0 6 * * *")
