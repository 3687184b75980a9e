"""The web pages' HTTP surface without servers: security headers, assets, no inline script, escaping."""

from __future__ import annotations

import html
import json
import re

import azure.functions as func
import pytest
from azure.functions.decorators.function_app import FunctionBuilder

from functions import web
from shared.web.pages import ASSETS, PAGE_CSP, STATIC, TEMPLATES, render_page, static_asset, validation_rules

FUNCTIONS = {b.build().get_function_name(): b.build() for b in vars(web).values() if isinstance(b, FunctionBuilder)}
HOSTILE = '"><script>alert(1)</script>\'&'


def call(name: str, req: func.HttpRequest) -> func.HttpResponse:
    return FUNCTIONS[name].get_user_function()(req)  # type: ignore[no-any-return]


def get(url: str, **route: str) -> func.HttpRequest:
    return func.HttpRequest("GET", url, body=b"", route_params=route)


@pytest.mark.parametrize("name", ["web_onboarding_page", "web_account_page"])
def test_page_carries_strict_security_headers_when_served(name: str) -> None:
    response = call(name, get("http://localhost/api/x"))
    csp = response.headers["Content-Security-Policy"]
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "http" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_asset_is_served_with_its_type_and_nosniff_when_listed(name: str) -> None:
    response = call("web_static_asset", get(f"http://localhost/api/static/{name}", name=name))
    assert response.status_code == 200
    assert response.mimetype == ("text/css" if name.endswith(".css") else "text/javascript")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.get_body() == (STATIC / name).read_bytes()


@pytest.mark.parametrize("name", ["../pages.py", "..%2Fpages.py", "app.css.map", "onboarding.html", ""])
def test_asset_is_404_when_not_listed(name: str) -> None:
    response = call("web_static_asset", get(f"http://localhost/api/static/{name}", name=name))
    assert response.status_code == 404


def test_every_static_file_is_listed_when_shipped() -> None:
    assert {p.name for p in STATIC.iterdir()} == set(ASSETS)


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.iterdir()))
def test_template_has_no_inline_script_style_or_external_origin_when_read(template: str) -> None:
    text = (TEMPLATES / template).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline script"
    assert "<style" not in text and " style=" not in text
    assert not re.search(r"\bon[a-z]+\s*=", text), "inline event handler"
    assert not re.search(r"""(src|href|action)=["']?(https?:)?//""", text), "external origin"


@pytest.mark.parametrize("asset", sorted(n for n in ASSETS if n.endswith(".js")))
def test_script_never_writes_markup_when_showing_data(asset: str) -> None:
    # Customer strings reach the page only via textContent/value; these sinks would parse them as HTML.
    text = (STATIC / asset).read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                 "srcdoc"):
        assert sink not in text, f"{asset} uses {sink}"


def test_api_key_never_put_in_a_url_when_scripts_call_the_api() -> None:
    for asset in (n for n in ASSETS if n.endswith(".js")):
        text = (STATIC / asset).read_text()
        assert not re.search(r"[?&](api_?key|key)=", text), asset
        assert "localStorage" not in text, asset


def test_server_values_are_escaped_when_placed_in_the_page() -> None:
    body = render_page("onboarding", app_client_id=HOSTILE, authority_host="https://login.example/" + HOSTILE)
    text = body.decode()
    assert "<script>alert" not in text and "alert(1)</script>" not in text
    attribute = re.search(r'data-app-client-id="([^"]*)"', text)
    assert attribute is not None and html.unescape(attribute.group(1)) == HOSTILE
    authority = re.search(r'data-authority="([^"]*)"', text)
    assert authority is not None and html.unescape(authority.group(1)) == "https://login.example/" + HOSTILE


def test_page_carries_the_servers_rules_when_rendered() -> None:
    body = render_page("onboarding", app_client_id="app", authority_host="https://login.example/").decode()
    rules = re.search(r'data-rules="([^"]*)"', body)
    assert rules is not None and json.loads(html.unescape(rules.group(1))) == validation_rules()
    assert 'data-authority="https://login.example"' in body


def test_unknown_page_and_asset_raise_not_found_when_asked() -> None:
    from shared.errors import NotFound

    with pytest.raises(NotFound):
        render_page("admin", app_client_id=None, authority_host="https://x")
    with pytest.raises(NotFound):
        static_asset("secrets.json")


def test_page_csp_forbids_frames_and_foreign_forms_when_defined() -> None:
    assert "form-action 'self'" in PAGE_CSP and "base-uri 'none'" in PAGE_CSP and "connect-src 'self'" in PAGE_CSP


def test_report_viewer_answers_401_when_the_form_has_no_key() -> None:
    req = func.HttpRequest("POST", "http://localhost/api/account/report",
                           body=b"customer_id=" + b"a" * 32 + b"&scan_id=s&api_key=", headers={})
    response = call("web_view_report", req)
    assert response.status_code == 401


def test_report_viewer_answers_400_when_the_form_is_too_large() -> None:
    req = func.HttpRequest("POST", "http://localhost/api/account/report", body=b"x=" + b"a" * 5000, headers={})
    assert call("web_view_report", req).status_code == 400
