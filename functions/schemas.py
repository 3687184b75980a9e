"""The report.json schemas, public (no customer data): GET /api/schemas/report/v1.json and /v2.json.

Report v2's `$schema` is https://caleta.io/schemas/report/v2.json, the same document's `$id`; the API serves
the same bytes so a reader can validate a report without the website (report-design D12.1, D17 q1).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import azure.functions as func

from functions._http import handled, respond, route_param
from shared.errors import NotFound

bp = func.Blueprint()
_ANALYSIS = Path(__file__).resolve().parents[1] / "shared" / "analysis"
SCHEMA_FILES = {"v1.json": "report.v1.schema.json", "v2.json": "report.schema.json"}


@lru_cache(maxsize=len(SCHEMA_FILES))
def schema_bytes(name: str) -> bytes:
    """The committed schema file of one report version (NotFound for any other name)."""
    if name not in SCHEMA_FILES:
        raise NotFound("no such schema")
    return (_ANALYSIS / SCHEMA_FILES[name]).read_bytes()


@bp.route(route="schemas/report/{name}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def get_report_schema(req: func.HttpRequest) -> func.HttpResponse:
    """The JSON schema of report.json v1 or v2; 404 for any other name."""
    return respond(200, schema_bytes(route_param(req, "name")), "application/schema+json")
