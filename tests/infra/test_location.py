"""Every resource lands in UK South: each `location` parameter allows only uksouth and every resource uses it."""

from __future__ import annotations

import json
from typing import Any

from tests.infra.conftest import INFRA

# Resource types that take no location of their own (children, role assignments and definitions).
_NO_LOCATION = ("Microsoft.Authorization/",)


def test_every_location_param_allows_only_uksouth_when_infra_is_read(bicep: dict[str, Any]) -> None:
    for path, tree in bicep.items():
        params = tree.get("parameters", {})
        if "location" not in params:
            continue
        allowed = [d["argument"] for d in params["location"]["decorators"] if d["type"] == "allowed"]
        assert allowed == [["uksouth"]], path
        assert params["location"].get("default") == "uksouth", path


def test_every_resource_uses_the_location_param_when_infra_is_read(bicep: dict[str, Any]) -> None:
    for path, tree in bicep.items():
        for name, res in tree.get("resources", {}).items():
            body = res["config"]["config"] if "loop_type" in res["config"] else res["config"]
            if res.get("existing") or res["type"].startswith(_NO_LOCATION) or res["type"].count("/") > 1:
                continue
            assert body.get("location") == "location", f"{path}:{name}"
            assert "location" in tree["parameters"], path


def test_every_module_is_given_the_location_when_main_is_read(bicep: dict[str, Any]) -> None:
    main = bicep["main.bicep"]
    for name, module in main["modules"].items():
        module_tree = bicep[module["detail"]["path"]]
        if "location" in module_tree.get("parameters", {}):
            assert module["config"]["params"].get("location") == "location", name


def test_azd_defaults_to_uksouth_when_parameters_are_read() -> None:
    params = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert params["location"]["value"] == "${AZURE_LOCATION=uksouth}"
