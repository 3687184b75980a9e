"""POST /api/onboarding and GET /api/openapi.json. Parsing and wiring only."""

from __future__ import annotations

import json

import azure.functions as func

from functions._http import handled, json_response, respond

bp = func.Blueprint()


@bp.route(route="onboarding", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def onboard_customer(req: func.HttpRequest) -> func.HttpResponse:
    """Validate the principal, record the customer and start its first scan (202), or say what is wrong."""
    from shared.pipeline.onboard import onboard

    return json_response(202, onboard(req.get_body()))


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_openapi(req: func.HttpRequest) -> func.HttpResponse:
    """The OpenAPI 3.1 document of the public API."""
    from shared.api.openapi import openapi_document

    return respond(200, json.dumps(openapi_document()).encode("utf-8"), "application/json")
