"""What the browser sees from the sign-in endpoints: Entra's error pages, and redirects back to the app.

An error found before the redirect URI is known to be registered is shown as a page, never redirected
(RFC 6749 4.1.2.1); later errors go back to the app as error, error_description and state
(v2-oauth2-auth-code-flow.md, "Error response"). Redirect URI matching follows reply-url.md.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from urllib.parse import urlencode, urlsplit

from local.simulator.http import Response

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})


def described(code: int, text: str) -> str:
    """An error_description as Entra writes it: the AADSTS code, the text, trace and correlation ids, the time."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return (f"AADSTS{code}: {text}\r\nTrace ID: {uuid.uuid4()}\r\nCorrelation ID: {uuid.uuid4()}\r\n"
            f"Timestamp: {now}")


def error_page(code: int, text: str, *, title: str = "Sign in to your account", status: int = 400) -> Response:
    """Entra's sign-in error page (no redirect): the code and message, escaped (the request is untrusted)."""
    body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><p id=\"error\">{html.escape(described(code, text))}</p>"
            f"<p>Error code: <span id=\"code\">AADSTS{code}</span></p></body></html>")
    return Response(status, body.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8",
                                                   "Cache-Control": "no-store"})


def redirect(uri: str, params: dict[str, str], mode: str = "query") -> Response:
    """Send the browser back to the app: query or fragment with a 302, or form_post as an auto-submitted form."""
    target = with_path(uri)
    if mode == "form_post":
        inputs = "".join(f"<input type=\"hidden\" name=\"{html.escape(k)}\" value=\"{html.escape(v)}\">"
                         for k, v in params.items())
        body = (f"<!DOCTYPE html><html><body onload=\"document.forms[0].submit()\"><form method=\"POST\" "
                f"action=\"{html.escape(target)}\">{inputs}</form></body></html>")
        return Response(200, body.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8",
                                                    "Cache-Control": "no-store"})
    if mode == "fragment":
        location = f"{target}#{urlencode(params)}"
    else:
        location = f"{target}{'&' if urlsplit(target).query else '?'}{urlencode(params)}"
    return Response(302, b"", {"Location": location, "Cache-Control": "no-store"})


def redirect_error(uri: str, mode: str, state: str | None, error: str, code: int, text: str,
                   extra: dict[str, str] | None = None, first: dict[str, str] | None = None) -> Response:
    """An error sent back to the app's redirect URI (`first` goes before the error, `extra` right after it)."""
    params = {**(first or {}), "error": error, **(extra or {}), "error_description": described(code, text)}
    if state is not None:
        params["state"] = state
    return redirect(uri, params, mode)


def with_path(uri: str) -> str:
    """A redirect URI without a path is returned with a trailing slash (reply-url.md)."""
    parts = urlsplit(uri)
    return uri if parts.path else parts._replace(path="/").geturl()


def acceptable(uri: str) -> bool:
    """An absolute https URI, or http on a loopback host (reply-url.md, "Supported schemes")."""
    parts = urlsplit(uri)
    if not parts.hostname or parts.fragment:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)


def matches(requested: str, registered: list[str] | tuple[str, ...]) -> bool:
    """Whether a requested redirect URI equals a registered one.

    Paths and queries are case-sensitive; scheme and host are not. For localhost and 127.0.0.1 the port is ignored
    (reply-url.md, "Localhost exceptions": http://localhost:1234/MyApp matches http://localhost/MyApp).
    """
    if not acceptable(requested):
        return False
    want = urlsplit(requested)
    for uri in registered:
        have = urlsplit(uri)
        if (have.scheme.lower(), have.hostname, have.path or "/", have.query) != (
                want.scheme.lower(), want.hostname, want.path or "/", want.query):
            continue
        if want.hostname in LOOPBACK_HOSTS or have.port == want.port:
            return True
    return False
