"""The API's HTTP surface without servers: routes index, error mapping, security headers, OpenAPI."""

from __future__ import annotations

import json

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder

from functions import customers, onboarding
from functions._http import SECURITY_HEADERS, error_response
from shared.api.responses import SubscriptionValidation, Validation
from shared.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    PrincipalUnusable,
    Throttled,
    TransientError,
    Unauthorized,
    ValidationFailed,
)

# FunctionApp.get_functions() may run once per process (a second call sees duplicates), so build the
# blueprint functions directly, as the Functions library's testing hook allows.
FUNCTIONS = {b.build().get_function_name(): b.build() for m in (onboarding, customers)
             for b in vars(m).values() if isinstance(b, FunctionBuilder)}


def call(name: str, req: func.HttpRequest) -> func.HttpResponse:
    return FUNCTIONS[name].get_user_function()(req)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("exc", "status", "code"), [
    (InvalidInput({"tenant_id": "bad"}), 400, "invalid_input"), (Unauthorized("x"), 401, "unauthorized"),
    (NotFound("secret detail"), 404, "not_found"), (Conflict("not active"), 409, "conflict"),
    (ValidationFailed("none ok"), 422, "validation_failed"), (AccessDenied("refused"), 422, "access_denied"),
    (Throttled("t", retry_after=7.5), 503, "busy"), (TransientError("x"), 503, "unavailable"),
    (RuntimeError("internal detail"), 500, "internal"),
])
def test_exception_maps_to_status_and_code_when_raised(exc: Exception, status: int, code: str) -> None:
    response = error_response(exc)
    body = json.loads(response.get_body())
    assert (response.status_code, body["error"]) == (status, code)
    assert "detail" not in body["message"]
    assert all(response.headers[k] == v for k, v in SECURITY_HEADERS.items())


def test_invalid_input_names_each_field_when_mapped() -> None:
    body = json.loads(error_response(InvalidInput({"a": "x", "b.c": "y"})).get_body())
    assert body["fields"] == {"a": "x", "b.c": "y"}


def test_validation_is_returned_when_principal_unusable() -> None:
    validation = Validation(validated_at="2026-11-27T00:00:00+00:00",
                            subscriptions=[SubscriptionValidation(subscription_id="s1", ok=False)])
    response = error_response(PrincipalUnusable(validation))
    assert response.status_code == 422
    assert json.loads(response.get_body())["validation"] == validation.model_dump(mode="json")
    assert json.loads(response.get_body())["validation"]["subscriptions"][0]["ok"] is False


def test_throttled_sets_retry_after_when_mapped() -> None:
    assert error_response(Throttled("t", retry_after=7.5)).headers["Retry-After"] == "7"


def test_api_routes_exist_when_blueprints_load() -> None:
    assert {"onboard_customer", "get_openapi", "get_customer_record", "start_scan", "list_customer_scans",
            "get_scan_status", "get_scan_report"} <= set(FUNCTIONS)


def test_onboarding_answers_400_naming_fields_when_body_is_bad() -> None:
    req = func.HttpRequest(method="POST", url="http://localhost/api/onboarding",
                           body=json.dumps({"company": "", "extra": 1}).encode())
    response = call("onboard_customer", req)
    body = json.loads(response.get_body())
    assert response.status_code == 400
    assert {"company", "extra", "tenant_id"} <= set(body["fields"])
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_customer_route_answers_401_when_no_bearer() -> None:
    req = func.HttpRequest(method="GET", url="http://localhost/api/customers/x", body=b"",
                           route_params={"customer_id": "0" * 32})
    assert call("get_customer_record", req).status_code == 401


def test_openapi_document_describes_every_route_when_served() -> None:
    response = call("get_openapi", func.HttpRequest(method="GET", url="http://localhost/api/openapi.json", body=b""))
    doc = json.loads(response.get_body())
    assert doc["openapi"] == "3.1.0"
    assert {"/api/onboarding", "/api/customers/{customer_id}", "/api/customers/{customer_id}/scans",
            "/api/customers/{customer_id}/scans/{scan_id}",
            "/api/customers/{customer_id}/scans/{scan_id}/report.csv"} <= set(doc["paths"])
    schema = doc["components"]["schemas"]["OnboardingRequest"]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"company", "contact_email", "tenant_id", "auth", "subscription_ids"}
