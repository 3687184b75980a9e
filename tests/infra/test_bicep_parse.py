"""Every Bicep file parses with pycep (checkov's parser), and pycep does reject malformed Bicep."""

from __future__ import annotations

from typing import Any

from tests.infra.conftest import FIXTURES, INFRA, parse_bicep_files

EXPECTED_FILES = {
    "main.bicep", "modules/identity.bicep", "modules/monitoring.bicep", "modules/storage.bicep",
    "modules/servicebus.bicep", "modules/keyvault.bicep", "modules/ai.bicep", "modules/functionapp.bicep",
    "modules/rbac.bicep",
}


def test_every_file_parses_when_read_by_pycep(bicep: dict[str, Any]) -> None:
    errors = {path: tree["error"] for path, tree in bicep.items() if "error" in tree}
    assert errors == {}


def test_all_modules_are_present_when_infra_is_read(bicep: dict[str, Any]) -> None:
    assert set(bicep) == EXPECTED_FILES


def test_every_module_reference_exists_when_main_is_read(bicep: dict[str, Any]) -> None:
    paths = [module["detail"]["path"] for module in bicep["main.bicep"]["modules"].values()]
    assert paths
    assert all((INFRA / path).is_file() for path in paths), paths


def test_pycep_reports_an_error_when_bicep_is_malformed() -> None:
    parsed = parse_bicep_files([FIXTURES / "broken" / "main.bicep"])
    assert "error" in next(iter(parsed.values()))
