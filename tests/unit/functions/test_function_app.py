"""The function app indexes: every function has a unique name, and the health route answers."""

import json

import azure.functions as func
from azure.functions.decorators.function_app import Function

from function_app import app
from functions._http import SECURITY_HEADERS


def _indexed_functions() -> dict[str, Function]:
    # get_functions() records names on the app and refuses to run twice; index afresh, then put it back.
    saved = app.functions_bindings
    app.functions_bindings = None
    try:
        return {str(f.get_function_name()): f for f in app.get_functions()}
    finally:
        app.functions_bindings = saved


def test_function_names_are_unique_when_app_indexes() -> None:
    names = [f.get_function_name() for f in _indexed_functions().values()]
    assert len(names) == len(set(names))
    assert "get_health" in names


def test_health_answers_ok_when_called() -> None:
    health = _indexed_functions()["get_health"]
    response = health.get_user_function()(func.HttpRequest(method="GET", url="http://localhost/api/health", body=b""))
    assert response.status_code == 200
    assert json.loads(response.get_body()) == {"status": "ok"}
    # The same security headers as every other route (security findings, finding 12).
    assert {k: response.headers[k] for k in SECURITY_HEADERS} == SECURITY_HEADERS
