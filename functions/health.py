"""Liveness probe: answers without touching any dependency."""

import json

import azure.functions as func

bp = func.Blueprint()


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def get_health(req: func.HttpRequest) -> func.HttpResponse:
    """Return 200 while the app is loaded."""
    return func.HttpResponse(json.dumps({"status": "ok"}), mimetype="application/json")
