"""Every resource is in UK South: a literal 'uksouth' or the `location` parameter (which allows only uksouth).

tests/infra checks that every `location` parameter is @allowed(['uksouth']) with that default; this check
catches a resource that takes its region from anywhere else (resourceGroup().location, 'global', a literal).
"""

from __future__ import annotations

from typing import Any

from checkov.bicep.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

_ALLOWED = ("uksouth", "location")


class LocationIsUkSouth(BaseResourceCheck):
    """Fails when a resource's location is anything but uksouth or the uksouth-only parameter."""

    def __init__(self) -> None:
        super().__init__(name="Resource is deployed to UK South", id="CKV_CALETA_8",
                         categories=(CheckCategories.GENERAL_SECURITY,), supported_resources=("Microsoft.*",))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        """Child resources and role assignments carry no location and inherit their parent's."""
        if "location" not in conf:
            return CheckResult.UNKNOWN
        value = conf["location"]
        if isinstance(value, str) and value in _ALLOWED:
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        """The key this check reads."""
        return ["location"]


check = LocationIsUkSouth()
