"""Read values out of pycep's parse trees: resources by type, parameter defaults, variables, durations."""

from __future__ import annotations

import re
from typing import Any

_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def body(declaration: dict[str, Any]) -> dict[str, Any]:
    """A resource's or module's body: pycep wraps a loop's or an `if (...)` body in {condition, config}."""
    config: dict[str, Any] = declaration["config"]
    if "config" in config and ("loop_type" in config or "condition" in config):
        inner: dict[str, Any] = config["config"]
        return inner
    return config


def condition(declaration: dict[str, Any]) -> Any:
    """The `if (...)` expression of a resource or module, None when it is always deployed."""
    return declaration["config"].get("condition")


def resources(tree: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    """The resources of type `rtype` in one file, symbolic name -> body (loops and conditions unwrapped)."""
    return {name: body(res) for name, res in tree.get("resources", {}).items()
            if res["type"] == rtype and not res.get("existing")}


def resources_anywhere(bicep: dict[str, Any], rtype: str) -> dict[str, dict[str, Any]]:
    """Resources of type `rtype` across every file, keyed 'file:symbol'."""
    return {f"{path}:{name}": body for path, tree in bicep.items()
            for name, body in resources(tree, rtype).items()}


def only_resource(tree: dict[str, Any], rtype: str) -> dict[str, Any]:
    """The single resource of type `rtype` in a file; fails the test when there is not exactly one."""
    found = resources(tree, rtype)
    assert len(found) == 1, f"expected one {rtype}, found {sorted(found)}"
    return next(iter(found.values()))


def param_default(tree: dict[str, Any], name: str) -> Any:
    """A parameter's default value."""
    return tree["parameters"][name]["default"]


def decorator(tree: dict[str, Any], param: str, kind: str) -> Any:
    """The argument of a parameter's decorator (`allowed`, `minValue`, ...), None when absent."""
    for item in tree["parameters"][param]["decorators"]:
        if item["type"] == kind:
            return item["argument"]
    return None


def resolve(tree: dict[str, Any], value: Any) -> Any:
    """A literal stays as is; a bare parameter reference becomes that parameter's default."""
    if isinstance(value, str) and value in tree.get("parameters", {}):
        return param_default(tree, value)
    return value


def loop_field(value: Any) -> str:
    """The field name of a loop item reference such as `q.maxDeliveryCount`."""
    operands = value["operator"]["operands"]
    assert value["operator"]["type"] == "property_accessor"
    return str(operands["operand_2"])


def iso_seconds(duration: str) -> int:
    """Seconds in an ISO 8601 duration of days, hours, minutes and seconds (P2D, PT5M, P1DT2H)."""
    match = _ISO_DURATION.match(duration)
    if match is None or duration in ("P", "PT"):
        raise ValueError(f"not a day/time ISO 8601 duration: {duration!r}")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def app_settings(bicep: dict[str, Any]) -> dict[str, Any]:
    """The function app's app settings, name -> value expression."""
    site = only_resource(bicep["modules/functionapp.bicep"], "Microsoft.Web/sites")
    items = site["properties"]["siteConfig"]["appSettings"]
    names = [item["name"] for item in items]
    assert len(names) == len(set(names)), "an app setting is declared twice"
    return {item["name"]: item["value"] for item in items}
