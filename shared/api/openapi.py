"""The OpenAPI 3.1 document of the HTTP API, built from the pydantic models (served at GET /api/openapi.json)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shared.api.models import OnboardingRequest
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
from shared.ids import GUID_PATTERN, HEX32_PATTERN, SCAN_ID_PATTERN

_REF = "#/components/schemas/{model}"
_MODELS: list[type[BaseModel]] = [OnboardingRequest, OnboardingAccepted, OnboardingRefused, CustomerRecord,
                                  ScanAccepted, ScanStatusView, ScanList, Revalidated, ExportAccepted,
                                  OffboardingAccepted, ErrorBody]


def _json(model: type[BaseModel]) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": _REF.format(model=model.__name__)}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(ErrorBody)}


def _id_param(name: str, description: str) -> dict[str, Any]:
    pattern = SCAN_ID_PATTERN if name == "scan_id" else HEX32_PATTERN
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "pattern": pattern}}


_CUSTOMER = _id_param("customer_id", "The customer id returned by onboarding")
_SCAN = _id_param("scan_id", "A scan id")
_EXPORT = _id_param("export_id", "An export id returned by POST …/export")
_AUTHED: dict[str, Any] = {"401": _error("No or malformed Authorization: Bearer header"),
           "404": _error("No such customer for this key, or no such scan/report")}


def _paths() -> dict[str, Any]:
    reports: dict[str, Any] = {
        f"/api/customers/{{customer_id}}/scans/{{scan_id}}/report.{ext}": {"get": {
            "operationId": f"get_report_{ext}", "summary": f"The scan's report as {ext.upper()}",
            "security": [{"apiKey": []}], "parameters": [_CUSTOMER, _SCAN],
            "responses": {"200": {"description": "The report", "content": {mime: {"schema": {"type": "string"}}}},
                          **_AUTHED}}}
        for ext, mime in (("json", "application/json"), ("html", "text/html"), ("csv", "text/csv"))
    }
    return {
        "/api/onboarding": {"post": {
            "operationId": "onboard_customer", "summary": "Validate the principal, record the customer, start a scan",
            "requestBody": {"required": True, "content": _json(OnboardingRequest)},
            "responses": {"202": {"description": "Onboarded; the api_key is shown only here",
                                  "content": _json(OnboardingAccepted)},
                          "400": _error("A field is malformed or the tenant refused the sign-in (named in fields)"),
                          "422": {"description": "The principal cannot read any subscription",
                                  "content": _json(OnboardingRefused)}}}},
        "/api/openapi.json": {"get": {"operationId": "get_openapi", "summary": "This document",
                                      "responses": {"200": {"description": "OpenAPI 3.1",
                                                            "content": {"application/json": {}}}}}},
        "/api/customers/{customer_id}": {
            "get": {"operationId": "get_customer_record", "summary": "The customer record (no secrets)",
                    "security": [{"apiKey": []}], "parameters": [_CUSTOMER],
                    "responses": {"200": {"description": "The record", "content": _json(CustomerRecord)},
                                  **_AUTHED}},
            "delete": {"operationId": "offboard_customer",
                       "summary": "Offboard: stop everything and delete every byte within the deadline",
                       "security": [{"apiKey": []}], "parameters": [_CUSTOMER],
                       "responses": {"202": {"description": "The purge has started",
                                             "content": _json(OffboardingAccepted)}, **_AUTHED}}},
        "/api/customers/{customer_id}/validate": {"post": {
            "operationId": "validate_customer", "summary": "Check the principal again (active again when any "
                                                           "subscription passes)",
            "security": [{"apiKey": []}], "parameters": [_CUSTOMER],
            "responses": {"200": {"description": "Active again", "content": _json(Revalidated)},
                          "409": _error("The customer is offboarding"),
                          "422": {"description": "The principal cannot read any subscription",
                                  "content": _json(OnboardingRefused)}, **_AUTHED}}},
        "/api/customers/{customer_id}/export": {"post": {
            "operationId": "start_export", "summary": "Export everything held about the customer (a zip)",
            "security": [{"apiKey": []}], "parameters": [_CUSTOMER],
            "responses": {"202": {"description": "The export is ready at href", "content": _json(ExportAccepted)},
                          **_AUTHED}}},
        "/api/customers/{customer_id}/export/{export_id}": {"get": {
            "operationId": "get_export", "summary": "The export zip", "security": [{"apiKey": []}],
            "parameters": [_CUSTOMER, _EXPORT],
            "responses": {"200": {"description": "The zip",
                                  "content": {"application/zip": {"schema": {"type": "string",
                                                                             "format": "binary"}}}},
                          **_AUTHED}}},
        "/api/customers/{customer_id}/scans": {
            "post": {"operationId": "start_scan", "summary": "Scan now", "security": [{"apiKey": []}],
                     "parameters": [_CUSTOMER],
                     "responses": {"202": {"description": "Scan queued", "content": _json(ScanAccepted)},
                                   "409": _error("The customer is not active"), **_AUTHED}},
            "get": {"operationId": "list_customer_scans", "summary": "Every scan of the customer",
                    "security": [{"apiKey": []}], "parameters": [_CUSTOMER],
                    "responses": {"200": {"description": "Scans", "content": _json(ScanList)}, **_AUTHED}}},
        "/api/customers/{customer_id}/scans/{scan_id}": {"get": {
            "operationId": "get_scan_status", "summary": "Status and per-task outcome of a scan",
            "security": [{"apiKey": []}], "parameters": [_CUSTOMER, _SCAN],
            "responses": {"200": {"description": "Status", "content": _json(ScanStatusView)}, **_AUTHED}}},
        **reports,
        "/api/schemas/report/{name}": {"get": {
            "operationId": "get_report_schema", "summary": "The JSON schema of report.json (v1.json or v2.json); "
                                                            "public, no customer data",
            "parameters": [{"name": "name", "in": "path", "required": True, "description": "v1.json or v2.json",
                            "schema": {"type": "string", "enum": ["v1.json", "v2.json"]}}],
            "responses": {"200": {"description": "JSON Schema 2020-12", "content": {"application/schema+json": {}}},
                          "404": _error("No such schema version")}}},
    }


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the public HTTP API."""
    _, schemas = models_json_schema([(m, "validation") for m in _MODELS], ref_template=_REF)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Caleta Cost Review API", "version": "1",
                 "description": "Onboarding and the customer's scans and reports. GUIDs match " + GUID_PATTERN},
        "servers": [{"url": "/"}],
        "paths": _paths(),
        "components": {"schemas": schemas.get("$defs", {}),
                       "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "The api_key returned by onboarding"}}},
    }
