"""First-deploy checks (audit section 7): run once after `azd up` and before the first customer.

    python infra/verify_deploy.py --resource-group rg-caleta-prod --app func-caleta-xxxx

Needs only Python's standard library and an `az` signed in to Caleta's tenant. Each check prints PASS or FAIL,
and every FAIL says what to do; the exit code is 1 if anything failed. The checks:
- model: the deployed model is a regional type (Standard or ProvisionedManaged) of a version uksouth still
  offers for new deployments, or no model is deployed and AI_ENDPOINT is empty (deterministic narrative);
- bearer: a non-JWT `Authorization: Bearer` reaches the app (a JSON 401/404 from Caleta, not a platform 401:
  App Service Authentication must stay off);
- admin: a v1 access token for the admin app (`az account get-access-token --resource api://...`) is
  accepted by GET /api/manage/purges;
- mfa-policy: an enabled Conditional Access policy covers the admin app and requires MFA (Microsoft Graph
  identity/conditionalAccess/policies; reading it needs Policy.Read.All or a Security Reader sign-in).
Tokens are never printed.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

REGIONAL = ("Standard", "ProvisionedManaged")
# KnownModelLifecycleStatus (azure-sdk-for-js arm-cognitiveservices): Deprecating admits new deployments only for
# customers who already have one; Deprecated is retired; Legacy is on its way out.
OPEN_LIFECYCLES = ("GenerallyAvailable", "Stable", "Preview")
ADMIN_ROLE = "Caleta.Admin"
GRAPH_POLICIES = "https://graph.microsoft.com/v1.0/identity/conditionalAccess/policies"
PREFLIGHT = ("az cognitiveservices model list -l uksouth --query \"[?kind=='OpenAI'].{name:model.name, "
             "version:model.version, status:model.lifecycleStatus, skus:join(',', model.skus[].name)}\" -o table")


class Failed(Exception):
    """A check failed; the message says what is wrong and what to do."""


def az(*args: str) -> Any:
    """Run `az ARGS -o json` and return the parsed output; Failed with az's first error line otherwise."""
    exe = shutil.which("az")
    if exe is None:
        raise Failed("the Azure CLI (az) is not on PATH; install it and run `az login`")
    done = subprocess.run([exe, *args, "-o", "json"], capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0:
        first = next((line for line in done.stderr.splitlines() if line.strip()), "no error text")
        raise Failed(f"`az {' '.join(args[:3])}` failed: {first.strip()[:300]}")
    return json.loads(done.stdout or "null")


def http_get(url: str, token: str) -> tuple[int, dict[str, str], bytes]:
    """GET `url` with a bearer token; (status, lower-cased headers, body), HTTP errors included."""
    if not url.startswith(("https://", "http://")):
        raise Failed(f"no usable base URL ({url!r}); pass --base-url https://<public name>")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 (operator URL)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise Failed(f"could not reach {url}: {exc}; check --base-url and the Cloudflare tunnel") from None


def caleta_json(headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    """The body when it is one of Caleta's JSON answers, else None (a platform page or an empty body)."""
    if "application/json" not in headers.get("content-type", ""):
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def claims(token: str) -> dict[str, Any]:
    """The unverified payload of a JWT, for diagnosis only (the app does the verifying)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def check_model(resource_group: str, location: str, settings: dict[str, str]) -> str:
    """A regional deployment of a model version still open to new deployments, or no model at all."""
    endpoint = settings.get("AI_ENDPOINT", "")
    accounts = az("cognitiveservices", "account", "list", "-g", resource_group) or []
    if not accounts:
        if endpoint:
            raise Failed(f"AI_ENDPOINT is {endpoint} but the resource group has no AI account; re-run azd provision")
        return "no model deployed; the product writes its deterministic narrative (AI_ENDPOINT is empty)"
    catalog = az("cognitiveservices", "model", "list", "-l", location) or []
    found = []
    for account in accounts:
        for deployment in az("cognitiveservices", "account", "deployment", "list", "-g", resource_group,
                             "-n", account["name"]) or []:
            sku = deployment.get("sku", {}).get("name", "")
            model = deployment.get("properties", {}).get("model", {})
            label = f"{deployment['name']} ({model.get('name')} {model.get('version')}, {sku})"
            if sku not in REGIONAL:
                raise Failed(f"{label} processes prompts outside {location}; redeploy with Standard or "
                             "ProvisionedManaged (CALETA_AI_DEPLOYMENT_TYPE)")
            _offered(catalog, model, sku, label, location)
            found.append((deployment["name"], label))
    if settings.get("AI_DEPLOYMENT") not in {name for name, _ in found}:
        raise Failed(f"AI_DEPLOYMENT={settings.get('AI_DEPLOYMENT')!r} names no deployment; re-run azd provision")
    return "; ".join(label for _, label in found)


def _offered(catalog: list[dict[str, Any]], model: dict[str, Any], sku: str, label: str, location: str) -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    entries = [e["model"] for e in catalog if e.get("model", {}).get("name") == model.get("name")
               and e["model"].get("version") == model.get("version")]
    if not entries:
        raise Failed(f"{label}: {location} no longer lists this model version; pick one with `{PREFLIGHT}`")
    entry = entries[0]
    status = entry.get("lifecycleStatus", "")
    if status not in OPEN_LIFECYCLES:
        raise Failed(f"{label} is {status}: new customers cannot deploy it; pick another with `{PREFLIGHT}`")
    skus = {s.get("name"): s for s in entry.get("skus", [])}
    retires = str(skus.get(sku, {}).get("deprecationDate") or "9999")[:10]
    if sku not in skus or retires <= today:
        raise Failed(f"{label}: {location} does not offer it as {sku} (any more); pick another with `{PREFLIGHT}`")


def check_bearer(base_url: str) -> str:
    """A non-JWT bearer reaches the app: Caleta answers in JSON, no platform 401."""
    status, headers, body = http_get(f"{base_url}/api/customers/{'0' * 32}", "notajwt")
    payload = caleta_json(headers, body)
    if status in (401, 404) and payload is not None and "error" in payload:
        return f"{status} {payload['error']} from Caleta"
    if status == 401:
        raise Failed("a platform 401 without Caleta's JSON: App Service Authentication is on; turn it off "
                     "(az webapp auth update --enabled false) so customers' API keys reach the app")
    if status == 403:
        raise Failed("403 from the origin: call the public (Cloudflare) name, not *.azurewebsites.net")
    raise Failed(f"unexpected {status} from {base_url}; expected Caleta's JSON 401 or 404")


def check_admin(base_url: str, audience: str) -> str:
    """An admin access token from az is accepted by GET /api/manage/purges."""
    if not audience:
        raise Failed("no admin audience; pass --admin-audience api://<admin app client id>")
    try:
        token = az("account", "get-access-token", "--resource", audience)["accessToken"]
    except Failed as exc:
        raise Failed(f"{exc}. AADSTS65001: pre-authorise Azure CLI on the admin app's user_impersonation scope; "
                     f"AADSTS50076 (MFA): `az logout`, then `az login --scope {audience}/.default`") from None
    status, headers, body = http_get(f"{base_url}/api/manage/purges", token)
    if status == 200 and caleta_json(headers, body) is not None:
        return "GET /api/manage/purges answered 200"
    seen = claims(token)
    hints = []
    if seen.get("ver") != "1.0":
        hints.append("the token is not v1: leave accessTokenAcceptedVersion unset on the admin app")
    if ADMIN_ROLE not in seen.get("roles", []):
        hints.append(f"no {ADMIN_ROLE} in roles: assign the app role to your account or group")
    if "mfa" not in seen.get("amr", []):
        hints.append("no mfa in amr: the Conditional Access policy did not apply; sign in again with MFA")
    if seen.get("aud") != audience:
        hints.append(f"aud is not {audience}: check ADMIN_API_AUDIENCE")
    raise Failed(f"/api/manage/purges answered {status}; " + ("; ".join(hints) or "see the app's logs"))


def check_mfa_policy(app_id: str) -> str:
    """An enabled Conditional Access policy that covers the admin app and requires MFA."""
    try:
        policies = az("rest", "--method", "get", "--url", GRAPH_POLICIES)["value"]
    except Failed as exc:
        raise Failed(f"{exc}; sign in as a Security Reader or Conditional Access Administrator, or check the "
                     "policy in the Entra admin center") from None
    report_only = []
    for policy in policies:
        apps = policy.get("conditions", {}).get("applications", {})
        covers = ({"All", app_id} & set(apps.get("includeApplications", []))
                  and app_id not in apps.get("excludeApplications", []))
        grant = policy.get("grantControls") or {}
        strength = grant.get("authenticationStrength") or {}
        mfa = "mfa" in grant.get("builtInControls", []) or strength.get("requirementsSatisfied") == "mfa"
        if covers and mfa and policy.get("state") == "enabled":
            return f"policy '{policy.get('displayName')}' requires MFA for the admin app"
        if covers and mfa:
            report_only.append(str(policy.get("displayName")))
    if report_only:
        raise Failed(f"policy {report_only[0]!r} requires MFA but is not enabled (report-only or off); turn it on")
    raise Failed(f"no enabled Conditional Access policy requires MFA for app {app_id}; create one "
                 "(docs/deploy.md section 2c; needs Entra ID P1)")


def run(name: str, check: Callable[[], str], out: list[bool]) -> None:
    """Run one check and print its PASS or FAIL line."""
    try:
        sys.stdout.write(f"PASS  {name}: {check()}\n")
        out.append(True)
    except Failed as exc:
        sys.stdout.write(f"FAIL  {name}: {exc}\n")
        out.append(False)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run every check, return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--resource-group", required=True)
    parser.add_argument("--app", required=True, help="the function app name (azd output AZURE_FUNCTION_APP_NAME)")
    parser.add_argument("--base-url", help="public URL of the API; default: the app setting PUBLIC_BASE_URL")
    parser.add_argument("--admin-audience", help="default: the app setting ADMIN_API_AUDIENCE")
    parser.add_argument("--admin-app-id", help="admin app client id; default: taken from an api://<id> audience")
    parser.add_argument("--location", default="uksouth")
    args = parser.parse_args(argv)
    try:
        listed = az("functionapp", "config", "appsettings", "list", "-g", args.resource_group, "-n", args.app)
        settings = {item["name"]: item.get("value") or "" for item in listed}
    except Failed as exc:
        sys.stdout.write(f"FAIL  settings: {exc}\n")
        settings = {}
    base_url = (args.base_url or settings.get("PUBLIC_BASE_URL", "")).rstrip("/")
    audience = args.admin_audience or settings.get("ADMIN_API_AUDIENCE", "")
    app_id = args.admin_app_id or audience.removeprefix("api://")
    results: list[bool] = [bool(settings)]
    run("model", lambda: check_model(args.resource_group, args.location, settings), results)
    run("bearer", lambda: check_bearer(base_url), results)
    run("admin", lambda: check_admin(base_url, audience), results)
    run("mfa-policy", lambda: check_mfa_policy(app_id), results)
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
