"""GET /api/openapi.json documents exactly the routes the app registers: every HTTP function's route and method
appears, served by that function, and nothing else does. A new route fails this test until its entry is added to
shared/api/operations.py."""

from __future__ import annotations

import json
import re
from typing import Any

import azure.functions as func
from azure.functions.decorators.function_app import Function

from function_app import app
from shared.api.openapi import openapi_document
from shared.api.operations import OPERATIONS, PARAMETERS
from shared.views import REPORTS


def _registered() -> list[Function]:
    # get_functions() records names on the app and refuses to run twice; index afresh, then put it back.
    saved = app.functions_bindings
    app.functions_bindings = None
    try:
        return list(app.get_functions())
    finally:
        app.functions_bindings = saved


def _routes() -> set[tuple[str, str, str]]:
    """(method, /api path, function) of every HTTP function; {report_name} is one path per report served."""
    out = set()
    for function in _registered():
        for binding in function.get_bindings():
            if binding.type != "httpTrigger":
                continue
            trigger: Any = binding
            paths = [f"/api/{trigger.route}"]
            if "{report_name}" in trigger.route:
                paths = [paths[0].replace("{report_name}", name) for name in REPORTS]
            for method in trigger.methods:
                out |= {(str(getattr(method, "value", method)).lower(), path, str(function.get_function_name()))
                        for path in paths}
    return out


def test_every_registered_route_is_documented_and_nothing_else() -> None:
    documented = {(op.method, f"/api{op.path}", op.function) for op in OPERATIONS}
    assert documented == _routes()
    assert len(_routes()) >= 26  # 24 functions, the report route once per report


def test_the_served_document_has_each_operation_once_with_its_parameters() -> None:
    doc = openapi_document()
    operations = [(path, method, body) for path, item in doc["paths"].items() for method, body in item.items()]
    assert len(operations) == len(OPERATIONS)
    ids = [body["operationId"] for _, _, body in operations]
    assert len(ids) == len(set(ids))
    for path, _method, body in operations:
        named = set(re.findall(r"{(\w+)}", path))
        # Path parameters exactly as the route names them; query parameters (the sign-in round trip) beside them.
        assert {p["name"] for p in body.get("parameters", []) if p["in"] == "path"} == named, path
        assert named <= set(PARAMETERS)


def test_admin_routes_need_the_admin_token_and_customer_routes_the_api_key() -> None:
    doc = openapi_document()
    for path, item in doc["paths"].items():
        for body in item.values():
            security = body.get("security")
            if path.startswith("/api/manage/"):
                assert security == [{"adminToken": []}] and {"401", "404"} <= set(body["responses"]), path
            elif path.startswith("/api/customers/"):
                assert security == [{"apiKey": []}] and "401" in body["responses"], path
    assert set(doc["components"]["securitySchemes"]) == {"apiKey", "adminToken"}


def test_the_document_served_is_the_one_built() -> None:
    (function,) = [f for f in _registered() if f.get_function_name() == "get_openapi"]
    response = function.get_user_function()(func.HttpRequest(method="GET", url="http://localhost/api/openapi.json",
                                                               body=b""))
    assert json.loads(response.get_body()) == json.loads(json.dumps(openapi_document()))
