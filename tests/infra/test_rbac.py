"""Role assignments: the required roles, each on a scope, named guid(scope, principal, role), commented by name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infra import bicepdoc
from tests.infra.conftest import INFRA

# Built-in role definition ids (the same in every tenant) and their names.
BUILT_IN_ROLES = {
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
}
REQUIRED = {"Storage Blob Data Contributor", "Storage Table Data Contributor", "Azure Service Bus Data Sender",
            "Azure Service Bus Data Receiver", "Key Vault Secrets Officer", "Cognitive Services OpenAI User"}
# Roles that would let the app write to or administer anything beyond its own data.
FORBIDDEN = {"8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c",
             "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "17d1049b-9a84-46fb-8f53-869881c3d3ab"}


@pytest.fixture(scope="module")
def rbac(bicep: dict[str, Any]) -> dict[str, Any]:
    """The parsed rbac module."""
    tree: dict[str, Any] = bicep["modules/rbac.bicep"]
    return tree


def _ref(value: Any) -> str:
    """A role reference as text: a variable or `symbol.name` inside subscriptionResourceId(), or `symbol.prop`."""
    if isinstance(value, dict) and "function" in value:
        return _ref(value["function"]["parameters"]["resource_name_1"])
    if isinstance(value, dict):
        operands = value["operator"]["operands"]
        return f"{operands['operand_1']}.{operands['operand_2']}"
    return str(value)


def _role_names(rbac: dict[str, Any]) -> dict[str, str]:
    """Each assignment's symbolic name -> the role it grants, by name."""
    variables = {name: var["value"] for name, var in rbac["variables"].items()}
    definitions = bicepdoc.resources(rbac, "Microsoft.Authorization/roleDefinitions")
    out = {}
    for symbol, body in bicepdoc.resources(rbac, "Microsoft.Authorization/roleAssignments").items():
        ref = _ref(body["properties"]["roleDefinitionId"])
        if ref in variables:
            out[symbol] = BUILT_IN_ROLES[variables[ref]]
        else:
            custom = definitions[ref.removesuffix(".name")]
            out[symbol] = custom["properties"]["roleName"].split(" (")[0]
    return out


def test_required_roles_are_assigned_when_rbac_is_deployed(rbac: dict[str, Any]) -> None:
    assert set(_role_names(rbac).values()) >= REQUIRED


def test_no_broad_role_is_assigned_when_rbac_is_deployed(bicep: dict[str, Any]) -> None:
    text = "\n".join(p.read_text() for p in INFRA.rglob("*.bicep")).lower()
    assert not any(role in text for role in FORBIDDEN)


def test_every_assignment_is_named_by_scope_principal_and_role_when_rbac_is_deployed(rbac: dict[str, Any]) -> None:
    for symbol, body in bicepdoc.resources(rbac, "Microsoft.Authorization/roleAssignments").items():
        guid = body["name"]["function"]
        assert guid["type"] == "guid", symbol
        args = guid["parameters"]
        scope = args["base_string"]["operator"]["operands"]
        assert (scope["operand_1"], scope["operand_2"]) == (body["scope"], "id"), symbol
        assert args["extra_string_1"] == "principalId" == body["properties"]["principalId"], symbol
        assert _ref(args["extra_string_2"]) == _ref(body["properties"]["roleDefinitionId"]), symbol


def test_every_assignment_has_a_comment_naming_its_role_when_rbac_is_read(rbac: dict[str, Any]) -> None:
    lines = (INFRA / "modules" / "rbac.bicep").read_text().splitlines()
    for symbol, role in _role_names(rbac).items():
        index = next(i for i, line in enumerate(lines) if re.match(rf"resource {symbol} ", line))
        assert lines[index - 1].startswith(f"// {role}"), (symbol, lines[index - 1])


def test_custom_role_grants_only_blob_tags_when_rbac_is_deployed(rbac: dict[str, Any]) -> None:
    for body in bicepdoc.resources(rbac, "Microsoft.Authorization/roleDefinitions").values():
        (permission,) = body["properties"]["permissions"]
        assert permission["actions"] == []
        assert all(action.endswith(("/blobs/tags/read", "/blobs/tags/write")) for action in permission["dataActions"])
