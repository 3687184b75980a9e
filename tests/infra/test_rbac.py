"""Role assignments: the required roles, each on a scope, named guid(scope, principal, role), commented by name."""

from __future__ import annotations

import re
from typing import Any

import pytest

from shared import messages
from shared.messages import QUEUES
from tests.infra import bicepdoc
from tests.infra.conftest import INFRA, ROOT

# Built-in role definition ids (the same in every tenant) and their names.
BUILT_IN_ROLES = {
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "090c5cfd-751d-490a-894a-3ce6f1109419": "Azure Service Bus Data Owner",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
}
# Blob Data Owner, not Contributor: Microsoft's Flex template grants Owner for host storage (audit S3), and its
# blobs/* data actions include the blob index tags the lifecycle backstop relies on.
REQUIRED = {"Storage Blob Data Owner", "Storage Table Data Contributor", "Azure Service Bus Data Sender",
            "Azure Service Bus Data Receiver", "Azure Service Bus Data Owner", "Key Vault Secrets Officer",
            "Cognitive Services OpenAI User"}
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


def test_no_custom_role_is_defined_when_infra_is_deployed(bicep: dict[str, Any]) -> None:
    # Audit M2: custom role names are tenant-wide (a second environment collided) and a new definition
    # replicates slowly (RoleDefinitionDoesNotExist). Blob Data Owner's blobs/* covers the tag actions the
    # former "Caleta Blob Index Tag Writer" role granted, so no definition is needed at all.
    assert bicepdoc.resources_anywhere(bicep, "Microsoft.Authorization/roleDefinitions") == {}


def _trigger_queue_names() -> set[str]:
    """Queues some function is triggered by: `service_bus_queue_trigger(..., queue_name=SPEC.name, ...)`."""
    found = set()
    for path in (ROOT / "functions").glob("*.py"):
        for match in re.finditer(r"service_bus_queue_trigger\([^)]*queue_name=(\w+)\.name", path.read_text()):
            found.add(getattr(messages, match.group(1)).name)
    return found


def test_every_trigger_queue_gets_data_owner_at_queue_scope_when_rbac_is_deployed(bicep: dict[str, Any],
                                                                                 rbac: dict[str, Any]) -> None:
    # Audit S2: scale decisions read the queue length, which needs Manage rights (Data Owner), per queue only.
    owner = rbac["resources"]["busOwner"]
    loop = owner["config"]["loop_type"]["detail"]
    assert loop["array_name"] == "triggerQueueNames"
    scope = bicepdoc.body(owner)["scope"]["operator"]
    assert (scope["type"], scope["operands"]["operand_1"]) == ("index_accessor", "triggerQueues")
    queues = rbac["resources"]["triggerQueues"]
    assert queues["type"] == "Microsoft.ServiceBus/namespaces/queues" and queues["existing"] is True
    assert queues["config"]["loop_type"]["detail"]["array_name"] == "triggerQueueNames"
    passed = bicepdoc.body(bicep["main.bicep"]["modules"]["rbac"])["params"]["triggerQueueNames"]
    assert passed["operator"]["operands"]["operand_1"] == "serviceBus"
    output = bicep["modules/servicebus.bicep"]["outputs"]["queueNames"]["value"]
    assert output["loop_type"]["detail"]["array_name"] == "queues"  # every queue test_bicep_queues pins
    assert _trigger_queue_names() == {spec.name for spec in QUEUES}


def test_ai_role_exists_only_with_a_model_when_rbac_is_deployed(rbac: dict[str, Any]) -> None:
    assert bicepdoc.condition(rbac["resources"]["aiUser"]) == "aiEnabled"
