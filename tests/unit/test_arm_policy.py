"""The read-only enforcement point lets reads and the two query POSTs through, and nothing else."""

import pytest
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.rest import HttpRequest

from shared.arm import ProviderRegistrationRefused, ReadOnlyArmPolicy, is_read_only
from shared.errors import ArmWriteRefused

SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", SUB + "/providers/Microsoft.Advisor/recommendations"),
    ("POST", "/providers/Microsoft.ResourceGraph/resources"),
    ("POST", SUB + "/providers/Microsoft.CostManagement/query"),
    ("POST", SUB + "/resourceGroups/rg1/providers/Microsoft.CostManagement/query"),
])
def test_reads_pass_when_read_only(method: str, path: str) -> None:
    assert is_read_only(method, path)


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", SUB + "/resourceGroups/rg1"),
    ("PATCH", SUB + "/resourceGroups/rg1"),
    ("DELETE", SUB + "/resourceGroups/rg1/providers/Microsoft.Compute/disks/d1"),
    ("POST", SUB + "/providers/Microsoft.CostManagement/register"),
    ("POST", SUB + "/providers/Microsoft.Advisor/generateRecommendations"),
    ("POST", SUB + "/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1/deallocate"),
])
def test_writes_refused_when_not_a_query(method: str, path: str) -> None:
    assert not is_read_only(method, path)
    request = PipelineRequest(HttpRequest(method, "https://management.azure.com" + path + "?api-version=1"),
                              PipelineContext(None))
    with pytest.raises(ArmWriteRefused):
        ReadOnlyArmPolicy().on_request(request)


def test_registration_post_is_refused_naming_the_provider_when_the_sdk_tries_to_register() -> None:
    # azure-mgmt-core's answer to ARM's 409 MissingSubscriptionRegistration (policies/_base.py, 1.6.0)
    url = f"https://management.azure.com{SUB}/providers/Microsoft.Advisor/register?api-version=2016-02-01"
    with pytest.raises(ProviderRegistrationRefused) as caught:
        ReadOnlyArmPolicy().on_request(PipelineRequest(HttpRequest("POST", url), PipelineContext(None)))
    assert caught.value.namespace == "Microsoft.Advisor"
    assert isinstance(caught.value, ArmWriteRefused)
