"""Builds the customer's pages from templates and serves their static assets.

Pages are static HTML plus a few server values (escaped into data attributes); every customer string is
put into the page by the scripts with `textContent`, never as markup. The validation rules come from the
API's own request model, so the page cannot drift from the server.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

from shared.api.models import EMAIL_PATTERN, MAX_SUBSCRIPTIONS
from shared.errors import NotFound
from shared.ids import GUID_PATTERN

_HERE = Path(__file__).resolve().parent
TEMPLATES = _HERE / "templates"
STATIC = _HERE / "static"

# Scripts and styles only from our own origin; fetch only to our own API; forms post only to ourselves.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Only these files are served; anything else is 404 (no path is ever joined from the request).
ASSETS: dict[str, str] = {
    "app.css": "text/css; charset=utf-8",
    "common.js": "text/javascript; charset=utf-8",
    "validate.js": "text/javascript; charset=utf-8",
    "commands.js": "text/javascript; charset=utf-8",
    "onboarding.js": "text/javascript; charset=utf-8",
    "account.js": "text/javascript; charset=utf-8",
    "lifecycle.js": "text/javascript; charset=utf-8",
    "history.js": "text/javascript; charset=utf-8",
    "credentials.js": "text/javascript; charset=utf-8",
}
PAGES = ("onboarding", "account")
# The sign-in routes' pages when they cannot redirect (no script; every refusal reads the same to a stranger).
NOTICES: dict[str, tuple[str, str]] = {
    "failed": ("The sign-in could not be completed",
               "Nothing was recorded. Start again from the onboarding page: each sign-in can be used once, within "
               "ten minutes, in the browser that started it."),
    "app_disabled": ("Caleta\u2019s app is disabled in your tenant",
                     "An administrator disabled Caleta Cost Review under Enterprise applications in Microsoft "
                     "Entra. Enable it, then start again."),
    "invalid_tenant": ("Enter your tenant id first",
                       "The tenant id is your Microsoft Entra directory id, a GUID such as "
                       "00000000-0000-0000-0000-000000000000."),
    "rate_limited": ("Too many attempts", "Please wait a while, then start again."),
    "unavailable": ("Sign-in is unavailable right now",
                    "Caleta cannot complete sign-ins at the moment and has been alerted. Please try again in a few "
                    "minutes."),
    "internal": ("Something went wrong on our side", "Please try again in a few minutes."),
}


def validation_rules() -> dict[str, object]:
    """The onboarding field rules, taken from the server's request model (the page mirrors them)."""
    return {
        "guid": GUID_PATTERN,
        "email": EMAIL_PATTERN.pattern,
        "email_max": 254,
        "company_max": 200,
        "secret_max": 1024,
        "subscriptions_max": MAX_SUBSCRIPTIONS,
        "schedules": ["weekly", "monthly", "none"],
    }


def render_page(name: str, *, app_client_id: str | None, authority_host: str) -> bytes:
    """The page `name` ("onboarding" or "account") with the server values escaped into the body tag."""
    if name not in PAGES:
        raise NotFound("no such page")
    template = _template(name)
    values = {
        "APP_CLIENT_ID": app_client_id or "",
        "AUTHORITY": authority_host.rstrip("/"),
        "RULES": json.dumps(validation_rules(), separators=(",", ":")),
    }
    out = template
    for key, value in values.items():
        out = out.replace("{{" + key + "}}", html.escape(value, quote=True))
    return out.encode("utf-8")


def render_notice(kind: str) -> bytes:
    """The notice page of `kind` (one of NOTICES; anything else reads as "internal")."""
    title, message = NOTICES.get(kind, NOTICES["internal"])
    out = _template("notice").replace("{{TITLE}}", html.escape(title)).replace("{{MESSAGE}}", html.escape(message))
    return out.encode("utf-8")


def static_asset(name: str) -> tuple[bytes, str]:
    """An allow-listed static file and its content type; NotFound otherwise."""
    content_type = ASSETS.get(name)
    if content_type is None:
        raise NotFound("no such asset")
    return _asset_bytes(name), content_type


@lru_cache(maxsize=8)
def _template(name: str) -> str:
    return (TEMPLATES / f"{name}.html").read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def _asset_bytes(name: str) -> bytes:
    return (STATIC / name).read_bytes()
