"""Liveness probe: answers without touching any dependency, with the same security headers as every route."""

import azure.functions as func

from functions._http import json_response

bp = func.Blueprint()


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def get_health(req: func.HttpRequest) -> func.HttpResponse:
    """Return 200 while the app is loaded."""
    return json_response(200, {"status": "ok"})
