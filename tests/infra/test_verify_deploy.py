"""infra/verify_deploy.py against a fake `az` on PATH and a local HTTP server standing in for the deployed app.

Azure cannot be reached from here, so both edges are fakes: the `az` executable answers canned JSON per command
line (the shapes of `az ... -o json`: ARM list results, `get-access-token`, Graph conditionalAccess/policies),
and the server answers like Caleta (JSON errors) or like the platform (an empty 401). Every check must pass on
a good deployment and fail, with its advice, on each broken one.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import ROOT

APP_ID = "11111111-2222-3333-4444-555555555555"
AUDIENCE = f"api://{APP_ID}"
ACCOUNT = "ai-caleta-abc"
_FAKE_AZ = """#!{python}
import json, os, sys
args = sys.argv[1:]
if args[-2:] == ["-o", "json"]:
    args = args[:-2]
key = " ".join(args)
with open(os.environ["FAKE_AZ_LOG"], "a") as log:
    log.write(key + "\\n")
answer = json.load(open(os.environ["FAKE_AZ_ANSWERS"])).get(key)
if answer is None:
    sys.stderr.write("ERROR: the fake az has no answer for: " + key + "\\n")
    sys.exit(2)
if "error" in answer:
    sys.stderr.write(answer["error"] + "\\n")
    sys.exit(1)
sys.stdout.write(json.dumps(answer["json"]))
"""
Route = Callable[[str], tuple[int, str, bytes]]


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned token shaped like Entra's (the fake app compares it whole; the script only peeks)."""
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2ln"


TOKEN = jwt({"ver": "1.0", "aud": AUDIENCE, "roles": ["Caleta.Admin"], "amr": ["pwd", "mfa"]})


def caleta(status: int, payload: dict[str, Any]) -> tuple[int, str, bytes]:
    """An answer shaped like functions/_http.py's JSON."""
    return status, "application/json", json.dumps(payload).encode()


def admin_route(accepted: str) -> Route:
    """GET /api/manage/purges: 200 for the accepted token, Caleta's JSON 401 otherwise."""
    return lambda auth: caleta(200, {"overdue": []}) if auth == f"Bearer {accepted}" else caleta(
        401, {"error": "unauthorized"})


@dataclass
class World:
    """The fake az answers, the fake app's routes, and how to run the script against them."""

    bin_dir: Path
    answers: dict[str, Any]
    routes: dict[str, Route] = field(default_factory=dict)
    base_url: str = ""

    def run(self) -> tuple[int, str]:
        """Run infra/verify_deploy.py; (exit code, stdout + stderr)."""
        answers = self.bin_dir / "answers.json"
        answers.write_text(json.dumps(self.answers))
        env = {**os.environ, "PATH": f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}",
               "FAKE_AZ_ANSWERS": str(answers), "FAKE_AZ_LOG": str(self.bin_dir / "calls.log")}
        done = subprocess.run([sys.executable, str(ROOT / "infra" / "verify_deploy.py"), "--resource-group", "rg",
                               "--app", "func"], env=env, capture_output=True, text=True, timeout=120, check=False)
        return done.returncode, done.stdout + done.stderr


def _good_answers(base_url: str) -> dict[str, Any]:
    settings = {"PUBLIC_BASE_URL": base_url, "ADMIN_API_AUDIENCE": AUDIENCE, "AI_DEPLOYMENT": "narrative",
                "AI_ENDPOINT": f"https://{ACCOUNT}.openai.azure.com/openai/v1/"}
    model = {"format": "OpenAI", "name": "gpt-5-mini", "version": "2025-08-07"}
    policy = {"displayName": "Caleta admin API: MFA", "state": "enabled",
              "conditions": {"applications": {"includeApplications": [APP_ID], "excludeApplications": []},
                             "users": {"includeUsers": ["All"]}},
              "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
    return {
        "functionapp config appsettings list -g rg -n func": {
            "json": [{"name": k, "value": v, "slotSetting": False} for k, v in settings.items()]},
        "cognitiveservices account list -g rg": {"json": [{"name": ACCOUNT, "kind": "AIServices"}]},
        "cognitiveservices model list -l uksouth": {"json": [
            {"kind": "OpenAI", "model": {**model, "lifecycleStatus": "GenerallyAvailable", "skus": [
                {"name": "GlobalStandard"},
                {"name": "ProvisionedManaged", "deprecationDate": "2027-02-06T00:00:00Z"}]}},
            {"kind": "OpenAI", "model": {"name": "gpt-4o", "version": "2024-11-20", "lifecycleStatus": "Deprecated",
                                         "skus": [{"name": "Standard"}]}}]},
        f"cognitiveservices account deployment list -g rg -n {ACCOUNT}": {"json": [
            {"name": "narrative", "sku": {"name": "ProvisionedManaged", "capacity": 25},
             "properties": {"model": model}}]},
        f"account get-access-token --resource {AUDIENCE}": {"json": {"accessToken": TOKEN, "tokenType": "Bearer"}},
        "rest --method get --url https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies": {
            "json": {"value": [policy]}},
    }


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A deployment on which every check passes; tests break one thing at a time."""
    routes: dict[str, Route] = {}

    class App(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path, lambda _auth: caleta(404, {"error": "not_found"}))
            status, content_type, body = route(self.headers.get("Authorization", ""))
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake = tmp_path / "az"
    fake.write_text(_FAKE_AZ.format(python=sys.executable))
    fake.chmod(0o755)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    routes[f"/api/customers/{'0' * 32}"] = lambda _auth: caleta(401, {"error": "unauthorized"})
    routes["/api/manage/purges"] = admin_route(TOKEN)
    try:
        yield World(tmp_path, _good_answers(base_url), routes, base_url)
    finally:
        server.shutdown()
        server.server_close()


def test_every_check_passes_when_the_deployment_is_right(world: World) -> None:
    code, out = world.run()
    assert code == 0, out
    assert [line.split(":")[0] for line in out.splitlines()] == [
        "PASS  model", "PASS  bearer", "PASS  admin", "PASS  mfa-policy"]
    assert TOKEN not in out


def test_no_model_passes_when_nothing_is_deployed_in_foundry(world: World) -> None:
    world.answers["cognitiveservices account list -g rg"] = {"json": []}
    settings = world.answers["functionapp config appsettings list -g rg -n func"]["json"]
    for item in settings:
        if item["name"] in ("AI_ENDPOINT", "AI_DEPLOYMENT"):
            item["value"] = ""
    code, out = world.run()
    assert code == 0, out
    assert "PASS  model: no model deployed" in out


def _set(path: list[Any], value: Any) -> Callable[[World], None]:
    def change(world: World) -> None:
        target: Any = world.answers
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


_DEPLOYMENT = [f"cognitiveservices account deployment list -g rg -n {ACCOUNT}", "json", 0]
_MODELS = ["cognitiveservices model list -l uksouth", "json", 0, "model"]
_POLICY = ["rest --method get --url https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies", "json",
           "value", 0]
_BROKEN: dict[str, tuple[Callable[[World], None], str, str]] = {
    "deprecated model": (_set([*_DEPLOYMENT, "properties", "model"], {"name": "gpt-4o", "version": "2024-11-20"}),
                         "model", "is Deprecated"),
    "global deployment": (_set([*_DEPLOYMENT, "sku", "name"], "GlobalStandard"), "model", "outside uksouth"),
    "type not offered": (_set([*_DEPLOYMENT, "sku", "name"], "Standard"), "model", "does not offer it as Standard"),
    "type retired": (_set([*_MODELS, "skus", 1, "deprecationDate"], "2020-01-01T00:00:00Z"), "model",
                     "does not offer"),
    "endpoint without account": (_set(["cognitiveservices account list -g rg", "json"], []), "model",
                                 "no AI account"),
    "easy auth on": (lambda w: w.routes.update({f"/api/customers/{'0' * 32}": lambda _a: (401, "", b"")}),
                     "bearer", "App Service Authentication is on"),
    "origin refuses": (lambda w: w.routes.update({f"/api/customers/{'0' * 32}": lambda _a: (403, "text/html", b"x")}),
                       "bearer", "Cloudflare"),
    "no mfa at sign-in": (_set([f"account get-access-token --resource {AUDIENCE}"],
                               {"error": "ERROR: AADSTS50076: you must use multi-factor authentication"}),
                          "admin", f"az login --scope {AUDIENCE}/.default"),
    "token refused": (lambda w: w.routes.update({"/api/manage/purges": admin_route("another-token")}), "admin",
                      "answered 401"),
    "no policy": (_set([*_POLICY[:-1]], []), "mfa-policy", "no enabled Conditional Access policy"),
    "report only": (_set([*_POLICY, "state"], "enabledForReportingButNotEnforced"), "mfa-policy", "not enabled"),
    "policy without mfa": (_set([*_POLICY, "grantControls", "builtInControls"], ["compliantDevice"]), "mfa-policy",
                           "no enabled Conditional Access policy"),
    "app excluded": (_set([*_POLICY, "conditions", "applications"], {"includeApplications": ["All"],
                                                                     "excludeApplications": [APP_ID]}),
                     "mfa-policy", "no enabled Conditional Access policy"),
    "graph refused": (_set([_POLICY[0]], {"error": "ERROR: Forbidden(Authorization_RequestDenied)"}),
                      "mfa-policy", "Security Reader"),
}


@pytest.mark.parametrize("case", sorted(_BROKEN))
def test_check_fails_with_advice_when_the_deployment_is_broken(world: World, case: str) -> None:
    change, check, advice = _BROKEN[case]
    change(world)
    code, out = world.run()
    failed = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert code == 1, out
    assert len(failed) == 1 and failed[0].startswith(f"FAIL  {check}:"), out
    assert advice in failed[0]
    assert TOKEN not in out


def test_token_claims_explain_a_refusal_when_the_token_lacks_mfa(world: World) -> None:
    weak = jwt({"ver": "2.0", "aud": APP_ID, "roles": [], "amr": ["pwd"]})
    world.answers[f"account get-access-token --resource {AUDIENCE}"] = {"json": {"accessToken": weak}}
    code, out = world.run()
    assert code == 1
    for hint in ("not v1", "no Caleta.Admin", "no mfa in amr", f"aud is not {AUDIENCE}"):
        assert hint in out
    assert weak not in out
