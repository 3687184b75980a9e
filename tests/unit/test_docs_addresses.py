"""Every address the docs give for the onboarding form is the one the app serves it at (audit M4)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import azure.functions as func

from tests.conftest import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
# A URL in backticks; a host may be a placeholder such as <public host>.
_URL = re.compile(r"`(https?://(?:<[^>`]+>|[^`\s/<])+(?:/[^`\s]*)?)`")


def served_form_path() -> str:
    """The path of the GET route whose page holds the onboarding form (route prefix from host.json)."""
    from function_app import app

    saved = app.functions_bindings
    app.functions_bindings = None  # get_functions() may run once per app: index afresh, then put it back
    try:
        functions = list(app.get_functions())
    finally:
        app.functions_bindings = saved
    prefix = json.loads((REPO_ROOT / "host.json").read_text())["extensions"]["http"]["routePrefix"]
    serving = []
    for function in functions:
        trigger = function.get_trigger()
        route = getattr(trigger, "route", None)
        if trigger is None or trigger.get_binding_name() != "httpTrigger" or not route or "{" in route:
            continue
        if "GET" not in [str(getattr(m, "value", m)) for m in getattr(trigger, "methods", None) or []]:
            continue
        request = func.HttpRequest(method="GET", url=f"http://localhost/{prefix}/{route}", body=b"")
        response = function.get_user_function()(request)
        if b'id="onboarding-form"' in response.get_body():
            serving.append(f"/{prefix}/{route}")
    assert len(serving) == 1, serving
    return serving[0]


def form_addresses(path: Path) -> list[tuple[int, str]]:
    """(line number, URL) for every URL on a line that speaks, or follows a line that speaks, of onboarding."""
    found = []
    lines = path.read_text().splitlines()
    for number, line in enumerate(lines, 1):
        context = " ".join(lines[max(0, number - 2):number]).lower()
        if "onboarding" in context or "the form" in context:
            found += [(number, url) for url in _URL.findall(line)]
    return found


def test_every_documented_form_address_is_the_served_one_when_docs_are_read() -> None:
    served = served_form_path()
    assert served == "/api/onboarding"
    wrong, checked = [], 0
    for doc in DOCS:
        for number, url in form_addresses(doc):
            path = re.sub(r"^https?://(?:<[^>]+>|[^/])+", "", url).split("?")[0] or "/"
            if path.startswith(served + "/") or ("onboarding" not in path and path != "/"):
                continue  # the sign-in and consent callbacks, or another route on an onboarding line
            checked += 1
            if path != served:
                wrong.append(f"{doc.name}:{number}: {url}")
    assert wrong == []
    assert checked >= 2  # docs/deploy.md section 7b gives it twice


def test_no_doc_sends_customers_to_the_site_root_when_read() -> None:
    root = re.compile(r"`https://(?:api\.caleta\.io|<public host>)/?`")
    lines = [f"{doc.name}: {line.strip()}" for doc in DOCS for line in doc.read_text().splitlines()
             if root.search(line) and ("form" in line or "onboard" in line)]
    assert lines == []
