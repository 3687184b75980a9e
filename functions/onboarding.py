"""POST /api/onboarding and GET /api/openapi.json. Parsing and wiring only."""

from __future__ import annotations

import json

import azure.functions as func

from functions._http import handled, json_response, respond
from functions.signin import client_address
from shared.api.openapi import openapi_document
from shared.pipeline.onboard import onboard
from shared.services import get_services

bp = func.Blueprint()


@bp.route(route="onboarding", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def onboard_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Check the proof, record the customer, validate its access and start its first scan (202)."""
    return json_response(202, onboard(req.get_body(), get_services(), client_address(req)))


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_openapi(req: func.HttpRequest) -> func.HttpResponse:
    """The OpenAPI 3.1 document of the public API."""
    return respond(200, json.dumps(openapi_document()).encode("utf-8"), "application/json")
