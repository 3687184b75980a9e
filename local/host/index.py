"""Index a FunctionApp as the host does: read get_functions() once, resolve %SETTING% expressions, read host.json."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.host.routes import RouteTemplate, compile_route, join_prefix

logger = logging.getLogger(__name__)

_SETTING = re.compile(r"%([^%]+)%")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


class FunctionLoadError(RuntimeError):
    """A function cannot be loaded (bad binding, unresolved setting)."""


@dataclass(frozen=True)
class HostConfig:
    """The parts of host.json the local host honours."""

    route_prefix: str = "api"
    max_concurrent_calls: int = 16
    max_auto_lock_renewal_seconds: float = 300.0
    prefetch_count: int = 0
    function_timeout_seconds: float | None = None
    # Not host.json: how many instances' worth of Service Bus calls this one process runs (`--instances`). Flex
    # Consumption scales each Service Bus function out on its backlog, every instance running maxConcurrentCalls.
    instances: int = 1

    @property
    def concurrent_calls(self) -> int:
        """Service Bus calls at once per function: maxConcurrentCalls on each instance."""
        return self.max_concurrent_calls * self.instances


@dataclass
class FunctionSpec:
    """One indexed function: its trigger kind, resolved binding and the user function."""

    name: str
    kind: str  # http | servicebus | timer | other
    binding: dict[str, Any]
    func: Callable[..., Any]
    arg_name: str
    route: RouteTemplate | None = None
    methods: tuple[str, ...] = field(default_factory=tuple)

    def call(self, arg: Any) -> Any:
        """Invoke the user function with its trigger argument (coroutines run to completion here)."""
        result = self.func(**{self.arg_name: arg})
        if inspect.iscoroutine(result):
            return asyncio.run(result)
        return result


def resolve_settings(value: str, env: Mapping[str, str]) -> str:
    """Replace every %NAME% with the app setting NAME; raise when one is missing, as the host does."""
    def lookup(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in env:
            raise FunctionLoadError(f"unable to resolve app setting %{name}%")
        return env[name]
    return _SETTING.sub(lookup, value)


def parse_timespan(text: str) -> float:
    """Seconds in a host.json timespan such as "00:05:00" or "1.02:00:00"."""
    days = 0
    if "." in text.split(":")[0]:
        day_text, text = text.split(".", 1)
        days = int(day_text)
    hours, minutes, seconds = (float(x) for x in text.split(":"))
    return days * 86400 + hours * 3600 + minutes * 60 + seconds


def read_host_config(path: Path) -> HostConfig:
    """Read host.json (missing file or keys fall back to the host's defaults)."""
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    extensions = data.get("extensions", {})
    http = extensions.get("http", {})
    bus = extensions.get("serviceBus", {})
    timeout = data.get("functionTimeout")
    return HostConfig(
        route_prefix=str(http.get("routePrefix", "api")),
        max_concurrent_calls=int(bus.get("maxConcurrentCalls", 16)),
        max_auto_lock_renewal_seconds=parse_timespan(bus.get("maxAutoLockRenewalDuration", "00:05:00")),
        prefetch_count=int(bus.get("prefetchCount", 0)),
        function_timeout_seconds=parse_timespan(timeout) if timeout else None,
    )


def load_app(module_name: str) -> Any:
    """Import the module holding the FunctionApp and return its `app`."""
    module = importlib.import_module(module_name)
    return module.app


def index_functions(app: Any, config: HostConfig, env: Mapping[str, str] | None = None) -> list[FunctionSpec]:
    """Read the app's functions ONCE (a second get_functions() on one app raises) and resolve each trigger.

    A function whose trigger cannot be resolved is logged and left out, as the host marks it in error
    and runs the others.
    """
    env = os.environ if env is None else env
    specs: list[FunctionSpec] = []
    for function in app.get_functions():
        name = function.get_function_name()
        try:
            specs.append(_index_one(name, function, config, env))
        except (FunctionLoadError, ValueError) as exc:
            logger.error("function %s is in error and will not run: %s", name, exc)
    return specs


def _index_one(name: str, function: Any, config: HostConfig, env: Mapping[str, str]) -> FunctionSpec:
    bindings = [json.loads(raw) for raw in function.get_raw_bindings()]
    triggers = [b for b in bindings if str(b.get("type", "")).endswith("Trigger")]
    if len(triggers) != 1:
        raise FunctionLoadError(f"expected one trigger, found {len(triggers)}")
    trigger = {k: resolve_settings(v, env) if isinstance(v, str) else v for k, v in triggers[0].items()}
    user_function = function.get_user_function()
    kind = {"httpTrigger": "http", "serviceBusTrigger": "servicebus", "timerTrigger": "timer"}.get(
        trigger["type"], "other")
    spec = FunctionSpec(name=name, kind=kind, binding=trigger, func=user_function, arg_name=trigger["name"])
    if kind == "http":
        route = trigger.get("route") or name
        spec.route = compile_route(join_prefix(config.route_prefix, route))
        methods = trigger.get("methods") or HTTP_METHODS
        spec.methods = tuple(str(m).upper() for m in methods)
    if kind == "servicebus" and not trigger.get("queueName"):
        raise FunctionLoadError("only Service Bus queue triggers are supported (no queueName)")
    return spec
