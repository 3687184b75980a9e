"""Every resource lands in UK South: each `location` parameter allows only uksouth and every resource uses it."""

from __future__ import annotations

import json
from typing import Any

from tests.infra import bicepdoc
from tests.infra.conftest import FIXTURES, INFRA, parse_bicep_files

# Role assignments and definitions take no location; child resources (a/b/c) inherit their parent's.
_NO_LOCATION = ("Microsoft.Authorization/",)


def location_problems(trees: dict[str, Any]) -> list[str]:
    """Every place a parsed Bicep file could put a resource outside UK South."""
    problems = []
    for path, tree in trees.items():
        params = tree.get("parameters", {})
        if "location" in params:
            allowed = [d["argument"] for d in params["location"]["decorators"] if d["type"] == "allowed"]
            if allowed != [["uksouth"]] or params["location"].get("default") != "uksouth":
                problems.append(f"{path}: param location must be @allowed(['uksouth']) with default 'uksouth'")
        for name, res in tree.get("resources", {}).items():
            if res.get("existing") or res["type"].startswith(_NO_LOCATION) or res["type"].count("/") > 1:
                continue
            if bicepdoc.body(res).get("location") != "location" or "location" not in params:
                problems.append(f"{path}:{name}: location must be the uksouth-only `location` param")
    return problems


def test_every_resource_is_in_uksouth_when_infra_is_read(bicep: dict[str, Any]) -> None:
    assert location_problems(bicep) == []


def test_other_regions_are_found_when_the_insecure_fixture_is_read() -> None:
    problems = location_problems(parse_bicep_files([FIXTURES / "insecure" / "main.bicep"]))
    # The unrestricted parameter, resourceGroup().location on storage, the literal region on the AI account.
    assert len(problems) == 3, problems


def test_every_module_is_given_the_location_when_main_is_read(bicep: dict[str, Any]) -> None:
    main = bicep["main.bicep"]
    for name, module in main["modules"].items():
        module_tree = bicep[module["detail"]["path"]]
        if "location" in module_tree.get("parameters", {}):
            assert bicepdoc.body(module)["params"].get("location") == "location", name


def test_azd_defaults_to_uksouth_when_parameters_are_read() -> None:
    params = json.loads((INFRA / "main.parameters.json").read_text())["parameters"]
    assert params["location"]["value"] == "${AZURE_LOCATION=uksouth}"
