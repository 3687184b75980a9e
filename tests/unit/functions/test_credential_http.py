"""The credential routes as HTTP functions over fake services: rotate the key, replace the secret, show both."""

from __future__ import annotations

import json
from collections.abc import Iterator

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder

from functions import customers
from shared.api.openapi import openapi_document
from shared.services import use_services
from tests.unit.fakes import API_KEY, CUSTOMER_ID, World, make_world

FUNCTIONS = {b.build().get_function_name(): b.build() for b in vars(customers).values()
             if isinstance(b, FunctionBuilder)}


def call(name: str, method: str, body: bytes = b"", key: str | None = API_KEY) -> func.HttpResponse:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    req = func.HttpRequest(method=method, url="http://localhost/api/x", headers=headers, body=body,
                           route_params={"customer_id": CUSTOMER_ID})
    return FUNCTIONS[name].get_user_function()(req)  # type: ignore[no-any-return]


@pytest.fixture
def world() -> Iterator[World]:
    fake = make_world()
    fake.services.secrets.put(CUSTOMER_ID, "old-secret")
    with use_services(fake.services):
        yield fake


def test_rotated_key_opens_the_account_and_the_old_one_answers_404_when_rotated(world: World) -> None:
    rotated = call("rotate_api_key", "POST")
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    new_key = json.loads(rotated.get_body())["api_key"]
    assert call("get_customer_record", "GET", key=new_key).status_code == 200
    assert call("get_customer_record", "GET").status_code == 404
    status = json.loads(call("get_credential_status", "GET", key=new_key).get_body())
    assert status["api_key_rotated_at"] and status["client_secret_replaced_at"] is None


def test_secret_replaced_answers_200_and_shows_when_when_entra_accepts_it(world: World) -> None:
    answer = call("replace_client_secret", "PUT", json.dumps({"client_secret": "new-secret"}).encode())
    assert answer.status_code == 200 and b"new-secret" not in answer.get_body()
    assert json.loads(answer.get_body())["state"] == "active"
    status = json.loads(call("get_credential_status", "GET").get_body())
    assert status["client_secret_replaced_at"] == json.loads(answer.get_body())["replaced_at"]


def test_refused_secret_answers_400_naming_client_secret_when_entra_refuses_it(world: World) -> None:
    world.credentials.refused_secrets.add("Zz9-refused")
    answer = call("replace_client_secret", "PUT", json.dumps({"client_secret": "Zz9-refused"}).encode())
    payload = json.loads(answer.get_body())
    assert answer.status_code == 400 and list(payload["fields"]) == ["client_secret"]
    assert b"Zz9-refused" not in answer.get_body()
    assert world.services.secrets.get(CUSTOMER_ID) == "old-secret"


@pytest.mark.parametrize(("name", "method"), [("rotate_api_key", "POST"), ("replace_client_secret", "PUT"),
                                              ("get_credential_status", "GET")])
def test_credential_routes_answer_401_when_no_api_key(world: World, name: str, method: str) -> None:
    assert call(name, method, key=None).status_code == 401


def test_credential_routes_answer_409_when_the_customer_is_offboarding(world: World) -> None:
    world.customers.transition(CUSTOMER_ID, {"active"}, "offboarding", "asked")
    assert call("rotate_api_key", "POST").status_code == 409
    assert call("replace_client_secret", "PUT", b'{"client_secret": "x"}').status_code == 409


def test_openapi_document_lists_the_credential_routes_when_built() -> None:
    paths = openapi_document()["paths"]
    assert set(paths["/api/customers/{customer_id}/api-key"]) == {"post"}
    assert set(paths["/api/customers/{customer_id}/credential"]) == {"put"}
    assert "get" in paths["/api/customers/{customer_id}/credentials"]
    schema = openapi_document()["components"]["schemas"]["CredentialReplacement"]
    assert schema["required"] == ["client_secret"] and schema["additionalProperties"] is False
