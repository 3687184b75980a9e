"""The OpenAPI 3.1 document of the HTTP API (served at GET /api/openapi.json).

Built from the route table (shared/api/operations.py: public, lifecycle, admin and page routes) and the pydantic
models the routes check and answer with, so the document and the app cannot drift: a test compares the table
with the functions the app registers.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.api.models import OnboardingRequest
from shared.api.operations import OPERATIONS, PARAMETERS, Op
from shared.api.responses import (
    CustomerRecord,
    ErrorBody,
    ExportAccepted,
    OffboardingAccepted,
    OnboardingAccepted,
    OnboardingRefused,
    Revalidated,
    ScanAccepted,
    ScanList,
    ScanStatusView,
)
from shared.api.reviews import ReviewDeleted, ReviewList
from shared.api.rotation import ApiKeyRotated, CredentialReplaced, CredentialReplacement
from shared.ids import GUID_PATTERN

_REF = "#/components/schemas/{model}"
_MODELS: list[type[BaseModel]] = [OnboardingRequest, OnboardingAccepted, OnboardingRefused, CustomerRecord,
                                  ScanAccepted, ScanStatusView, ScanList, Revalidated, ExportAccepted,
                                  OffboardingAccepted, ErrorBody, ReviewList, ReviewDeleted, CredentialReplacement,
                                  ApiKeyRotated, CredentialReplaced]
SECURITY_SCHEMES = {
    "apiKey": {"type": "http", "scheme": "bearer", "description": "The api_key returned by onboarding"},
    "adminToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                   "description": "An Entra ID v1 access token of Caleta's tenant for the admin API "
                                  "(`az account get-access-token --resource <ADMIN_API_AUDIENCE>`), with the "
                                  "Caleta.Admin app role and MFA"},
}


def _operation(op: Op) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op.operation_id or op.function, "summary": op.summary,
                           "responses": op.answers}
    if op.security:
        out["security"] = [{op.security: []}]
    if op.params:
        out["parameters"] = [PARAMETERS[name] for name in op.params]
    if isinstance(op.body, type):
        out["requestBody"] = {"required": True, "content": {"application/json": {"schema": {
            "$ref": _REF.format(model=op.body.__name__)}}}}
    elif op.body is not None:
        out["requestBody"] = {"required": True, "content": op.body}
    return out


def _paths() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(f"/api{op.path}", {})[op.method] = _operation(op)
    return paths


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of every HTTP route."""
    _, schemas = models_json_schema([(m, "validation") for m in _MODELS], ref_template=_REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Caleta Cost Review API", "version": "1",
                 "description": "Onboarding, the customer's scans, reports and lifecycle, the admin API and the "
                                "pages. GUIDs match " + GUID_PATTERN},
        "servers": [{"url": "/"}],
        "paths": _paths(),
        "components": {"schemas": schemas.get("$defs", {}), "securitySchemes": SECURITY_SCHEMES},
    }
