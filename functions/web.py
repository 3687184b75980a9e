"""The customer's web pages: GET onboarding form, GET account pages, static assets, and the report viewer.

Parsing and wiring only; the pages are built in shared/web. Every answer carries the page security
headers (strict CSP: scripts and styles from this origin only, no frames, no external origins).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import azure.functions as func

from functions._http import REPORT_CSP, handled, respond, route_param
from shared import views
from shared.config import get_settings
from shared.errors import InvalidInput, NotFound
from shared.services import get_services
from shared.web.pages import PAGE_HEADERS, render_page, static_asset

bp = func.Blueprint()

# The report viewer's form body is three ids and a key: anything bigger, or any other field, is not ours.
MAX_FORM_BYTES = 4096
REPORT_FORM_FIELDS = ("customer_id", "scan_id", "api_key")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_]{1,32}")


def _page(name: str) -> func.HttpResponse:
    settings = get_settings()
    body = render_page(name, app_client_id=settings.caleta_app_client_id, authority_host=settings.authority_host)
    return respond(200, body, "text/html", PAGE_HEADERS)


@bp.route(route="onboarding", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def web_onboarding_page(req: func.HttpRequest) -> func.HttpResponse:
    """The onboarding form."""
    return _page("onboarding")


@bp.route(route="account", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def web_account_page(req: func.HttpRequest) -> func.HttpResponse:
    """The customer's pages: status, reports, scan now, export, offboarding (the key stays in the tab)."""
    return _page("account")


@bp.route(route="static/{name}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def web_static_asset(req: func.HttpRequest) -> func.HttpResponse:
    """An allow-listed CSS or JS file of the pages."""
    body, content_type = static_asset(route_param(req, "name"))
    headers = {**PAGE_HEADERS, "Cache-Control": "no-cache"}
    return respond(200, body, content_type.split(";")[0], headers)


@bp.route(route="account/report", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@handled
def web_view_report(req: func.HttpRequest) -> func.HttpResponse:
    """The HTML report in its own tab: the key comes in a form body (never in a URL)."""
    body = req.get_body()
    if len(body) > MAX_FORM_BYTES:
        raise InvalidInput({"body": "too large"})
    try:
        form = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=len(REPORT_FORM_FIELDS))
    except ValueError:  # more fields than the form has
        raise InvalidInput({"body": f"only {', '.join(REPORT_FORM_FIELDS)}"}) from None
    unexpected = sorted(set(form) - set(REPORT_FORM_FIELDS))
    if unexpected:
        raise InvalidInput({name if _FIELD_NAME.fullmatch(name) else "body": "not a field of this form"
                            for name in unexpected})

    def field(name: str) -> str:
        return (form.get(name) or [""])[0].strip()

    services = get_services()
    customer = services.customers.authenticate_key(field("customer_id"), field("api_key"))
    scan_id = field("scan_id")
    if not scan_id:
        raise NotFound("no such scan")
    data, _ = views.scan_report(services, customer.customer_id, scan_id, "report.html")
    return respond(200, data, "text/html", {"Content-Security-Policy": REPORT_CSP})
