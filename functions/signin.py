"""GET /api/onboarding/signin, /callback and /consent: the browser's sign-in round trip. Wiring only.

Each answer is a 302 (with the sign-in cookie set or cleared) or a notice page; nothing here says whether a
tenant consented or is a customer. The daily sweep of the sign-in, proof and rate-limit rows runs here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie

import azure.functions as func

from functions._http import respond
from shared.config import get_settings
from shared.errors import InvalidInput, RateLimited, TransientError
from shared.pipeline import signin
from shared.pipeline.signin import Answer
from shared.services import get_services
from shared.web.pages import PAGE_HEADERS, render_notice

logger = logging.getLogger(__name__)
bp = func.Blueprint()

COOKIE = "caleta_signin"
COOKIE_PATH = "/api/onboarding"
ADDRESS_HEADER = "CF-Connecting-IP"


def client_address(req: func.HttpRequest) -> str | None:
    """The caller's address as Cloudflare saw it (the origin admits only the tunnel; the local host sets it)."""
    value = req.headers.get(ADDRESS_HEADER)
    return str(value) if value else None


def _cookie(req: func.HttpRequest) -> str | None:
    try:
        jar = SimpleCookie(req.headers.get("Cookie") or "")
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def _set_cookie(value: str) -> str:
    # HttpOnly (no script reads it), SameSite=Lax (sent on Entra's top-level redirect back), Secure over https.
    secure = "; Secure" if get_settings().public_base_url.startswith("https://") else ""
    age = 600 if value else 0
    return f"{COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={age}; HttpOnly; SameSite=Lax{secure}"


def _notice(status: int, kind: str, extra: dict[str, str] | None = None) -> func.HttpResponse:
    return respond(status, render_notice(kind), "text/html", {**PAGE_HEADERS, **(extra or {})})


def _answer(answer: Answer) -> func.HttpResponse:
    headers = {} if answer.cookie is None else {"Set-Cookie": _set_cookie(answer.cookie)}
    if answer.location is not None:
        return respond(302, b"", "text/plain", {**PAGE_HEADERS, "Location": answer.location, **headers})
    return _notice(400, answer.notice or "failed", headers)


def _run(step: str, call: Callable[[], Answer]) -> func.HttpResponse:
    try:
        return _answer(call())
    except InvalidInput:
        return _notice(400, "invalid_tenant")
    except RateLimited as exc:
        return _notice(429, "rate_limited", {"Retry-After": str(max(1, int(exc.retry_after)))})
    except TransientError as exc:
        logger.warning("onboarding %s unavailable: %s", step, type(exc).__name__)
        return _notice(503, "unavailable", {"Retry-After": "30"})
    except Exception:
        logger.exception("onboarding %s failed", step)
        return _notice(500, "internal")


@bp.route(route="onboarding/signin", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def onboarding_signin(req: func.HttpRequest) -> func.HttpResponse:
    """Start the sign-in that proves the caller administers the tenant: 302 to Entra."""
    services, address = get_services(), client_address(req)
    return _run("sign-in", lambda: signin.start(services, req.params.get("tenant_id") or "", address))


@bp.route(route="onboarding/callback", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def onboarding_callback(req: func.HttpRequest) -> func.HttpResponse:
    """Entra's redirect after the sign-in: 302 to the page with a proof, to admin consent, or a notice."""
    services, address, cookie = get_services(), client_address(req), _cookie(req)
    return _run("callback", lambda: signin.callback(services, dict(req.params), cookie, address))


@bp.route(route="onboarding/consent", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def onboarding_consent(req: func.HttpRequest) -> func.HttpResponse:
    """Entra's redirect after admin consent: 302 to the page with a proof, or a notice."""
    services, address, cookie = get_services(), client_address(req), _cookie(req)
    return _run("consent", lambda: signin.consent(services, dict(req.params), cookie, address))


@bp.timer_trigger(schedule="%PURGE_TIMER%", arg_name="timer", run_on_startup=False)
def sweep_onboarding_rows(timer: func.TimerRequest) -> None:
    """Daily: delete the sign-in sessions, proof handles and rate-limit counters of past days."""
    signin.sweep(get_services())
