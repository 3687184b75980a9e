"""Lifecycle and admin routes as HTTP functions: refusals answered before any store is touched."""

from __future__ import annotations

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder

from functions import admin, lifecycle
from tests.unit.functions.conftest import AdminHeaders

FUNCTIONS = {b.build().get_function_name(): b.build() for m in (lifecycle, admin)
             for b in vars(m).values() if isinstance(b, FunctionBuilder)}
ADMIN_ROUTES = ("admin_list_customers", "admin_offboard", "admin_run_purge", "admin_open_purges",
                "admin_list_certificates", "admin_dead_letters", "admin_pseudonyms",
                "admin_narrative_fallbacks")


def call(name: str, req: func.HttpRequest) -> func.HttpResponse:
    return FUNCTIONS[name].get_user_function()(req)  # type: ignore[no-any-return]


def request(method: str = "GET", headers: dict[str, str] | None = None,
            route_params: dict[str, str] | None = None) -> func.HttpRequest:
    return func.HttpRequest(method=method, url="http://localhost/api/x", headers=headers or {},
                            route_params=route_params or {}, body=b"")


@pytest.mark.parametrize("name", ADMIN_ROUTES)
def test_every_admin_route_answers_401_when_the_caller_sends_no_token(name: str, admin_headers: AdminHeaders) -> None:
    # Easy Auth's principal header is what a client could forge now that the platform no longer strips it.
    response = call(name, request(headers={"X-MS-CLIENT-PRINCIPAL": "e30="}, route_params={"customer_id": "a" * 32}))
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("claims", [{"aud": "api://another-app"}, {"amr": ["pwd"]},
                                    {"iss": "https://sts.windows.net/75f52ee7-223c-5660-b825-ac08303d192c/"}])
def test_admin_route_answers_401_when_audience_mfa_or_tenant_is_wrong(claims: dict[str, object],
                                                                       admin_headers: AdminHeaders) -> None:
    assert call("admin_list_customers", request(headers=admin_headers(**claims))).status_code == 401


def test_admin_route_answers_404_when_caller_lacks_the_role(admin_headers: AdminHeaders) -> None:
    response = call("admin_list_customers", request(headers=admin_headers(roles=["Caleta.Reader"])))
    assert response.status_code == 404 and b"manage" not in response.get_body()


def test_certificate_route_answers_404_when_id_is_malformed() -> None:
    response = call("get_deletion_certificate", request(route_params={"certificate_id": "../../etc"}))
    assert response.status_code == 404


@pytest.mark.parametrize("name,method", [("validate_customer", "POST"), ("start_export", "POST"),
                                         ("get_export", "GET"), ("offboard_customer", "DELETE")])
def test_customer_lifecycle_routes_answer_401_when_no_api_key(name: str, method: str) -> None:
    response = call(name, request(method, route_params={"customer_id": "a" * 32, "export_id": "b" * 32}))
    assert response.status_code == 401
