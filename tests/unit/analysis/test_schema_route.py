"""GET /api/schemas/report/{v1,v2}.json: the committed schemas, public, and named by report.json's `$schema`."""

from __future__ import annotations

import json

import azure.functions as func
from azure.functions.decorators.function_app import FunctionBuilder

from functions import schemas
from shared.analysis.report_model import SCHEMA_URL, Report
from shared.analysis.report_model_v1 import Report as ReportV1
from shared.api.openapi import openapi_document

ROUTE = {b.build().get_function_name(): b.build() for b in vars(schemas).values()
         if isinstance(b, FunctionBuilder)}["get_report_schema"]


def _get(name: str) -> func.HttpResponse:
    request = func.HttpRequest(method="GET", url=f"http://localhost/api/schemas/report/{name}", body=b"",
                               route_params={"name": name})
    response: func.HttpResponse = ROUTE.get_user_function()(request)
    return response


def test_v2_schema_served_is_the_model_schema_named_by_report_json_when_requested() -> None:
    response = _get("v2.json")
    body = json.loads(response.get_body())
    assert (response.status_code, response.mimetype) == (200, "application/schema+json")
    assert body == Report.model_json_schema() and body["$id"] == SCHEMA_URL
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_v1_schema_served_for_reports_stored_before_v2_when_requested() -> None:
    assert json.loads(_get("v1.json").get_body()) == ReportV1.model_json_schema()


def test_unknown_schema_answers_404_as_json_when_requested() -> None:
    response = _get("v3.json")
    assert (response.status_code, json.loads(response.get_body())["error"]) == (404, "not_found")


def test_openapi_document_lists_the_schema_route_when_built() -> None:
    operation = openapi_document()["paths"]["/api/schemas/report/{name}"]["get"]
    assert operation["operationId"] == "get_report_schema" and "security" not in operation
