"""The function app indexes: every function has a unique name and known trigger."""

import json

import azure.functions as func

from function_app import app


def test_function_app_indexes_and_health_answers() -> None:
    functions = {f.get_function_name(): f for f in app.get_functions()}
    assert "get_health" in functions
    response = functions["get_health"].get_user_function()(
        func.HttpRequest(method="GET", url="http://localhost/api/health", body=b"")
    )
    assert response.status_code == 200
    assert json.loads(response.get_body()) == {"status": "ok"}
