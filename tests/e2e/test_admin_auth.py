"""Issue 14 B2/S1 on the local stack, in the configuration Azure runs: no App Service Authentication in front.

A customer's `Authorization: Bearer <api key>` reaches the app and the app answers it; an admin route checks a real
Entra token the simulated tenant issued to the Azure CLI, exactly as `az account get-access-token --resource
<ADMIN_API_AUDIENCE>` gets one in Azure. The Bicep side - no authsettingsV2, no WEBSITE_AUTH_* setting - is
tests/infra/test_platform_config.py::test_easy_auth_is_off_when_deployed; the grep below keeps this module from
passing against a tree that would put Easy Auth back.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from typing import Any

import pytest

from local.admin_token import get_access_token
from local.demo import onboarding_body
from local.estates.model import Estate, load_estate
from tests.conftest import DEMO_ESTATE, REPO_ROOT, Api

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]

ARM = "https://management.azure.com"
TAMAR = "aa30a467-eb60-5a00-92e6-aa20c25e51da"
TAMAR_ADMIN = "cloud.admin@tamaranalytics.onmicrosoft.com"


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


def cli_token(stack: Any, tenant: str, resource: str, user: str) -> str:
    """What `az account get-access-token --tenant <tenant> --resource <resource>` gives `user`."""
    return get_access_token(stack.simulator.base_url, tenant, resource, user, stack.certs.bundle)


def caletas_json(answer: Any) -> dict[str, Any]:
    """The body of an answer the app made (functions/_http.py's JSON), never a platform page."""
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    assert answer.headers["x-content-type-options"] == "nosniff"
    body: dict[str, Any] = answer.json()
    return body


def test_no_app_service_authentication_in_front_of_the_app_when_run_as_in_azure(stack: Any) -> None:
    assert not [name for name in stack.app_settings if name.startswith("WEBSITE_AUTH")]
    bicep = "\n".join(p.read_text() for p in (REPO_ROOT / "infra").rglob("*.bicep"))
    assert not re.search(r"sites/config@[^']*'\s*=\s*\{[^}]*name:\s*'authsettings", bicep, re.IGNORECASE | re.DOTALL)
    assert "authsettingsv2" not in bicep.lower()


def test_customers_api_key_reaches_the_app_when_sent_as_a_bearer(api: Api, estate: Estate) -> None:
    pennine = next(t for t in estate.tenants if t.display_name.startswith("Pennine"))
    onboarded = api.post("/api/onboarding", onboarding_body(pennine, estate))
    assert onboarded.status == 202, onboarded.body[:300]
    customer = onboarded.json()
    record = api.get(f"/api/customers/{customer['customer_id']}", api_key=customer["api_key"])
    assert record.status == 200 and caletas_json(record)["customer_id"] == customer["customer_id"]
    # A non-JWT bearer that is not the key: refused by the app itself, in its JSON (no platform 401 page).
    wrong = api.get(f"/api/customers/{customer['customer_id']}", api_key="notajwt")
    assert wrong.status == 401 and caletas_json(wrong)["error"] == "unauthorized"


def test_admin_route_answers_200_when_the_operator_token_is_valid(api: Api, stack: Any) -> None:
    answer = api.get("/api/manage/purges", headers={"Authorization": f"Bearer {stack.admin_token()}"})
    assert answer.status == 200 and "overdue" in caletas_json(answer)


def test_admin_route_answers_401_when_the_token_is_for_another_audience(api: Api, stack: Any,
                                                                        estate: Estate) -> None:
    token = cli_token(stack, estate.caleta.tenant_id, ARM, "ops@caleta.example")
    answer = api.get("/api/manage/purges", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401 and caletas_json(answer)["error"] == "unauthorized"


def test_admin_route_answers_401_when_the_token_is_from_another_tenant(api: Api, stack: Any) -> None:
    token = cli_token(stack, TAMAR, ARM, TAMAR_ADMIN)
    answer = api.get("/api/manage/purges", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401 and caletas_json(answer)["error"] == "unauthorized"


def test_admin_route_answers_404_when_the_user_lacks_the_admin_role(api: Api, stack: Any) -> None:
    token = stack.admin_token("analyst@caleta.example")
    answer = api.get("/api/manage/customers", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 404 and caletas_json(answer)["error"] == "not_found"


def test_admin_route_answers_401_when_the_sign_in_skipped_mfa(api: Api, stack: Any) -> None:
    token = stack.admin_token("standby@caleta.example")
    claims = json.loads(_segment(token))
    assert "Caleta.Admin" in claims["roles"] and "mfa" not in claims["amr"]  # the role is there, MFA is not
    answer = api.get("/api/manage/customers", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401 and caletas_json(answer)["error"] == "unauthorized"


def test_admin_token_from_the_cli_command_is_accepted(api: Api, stack: Any) -> None:
    printed = subprocess.run([sys.executable, "-m", "local", "admin-token", "--state-dir", str(stack.state_dir)],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True)
    token = json.loads(printed.stdout)["accessToken"]
    assert api.get("/api/manage/dead-letters", headers={"Authorization": f"Bearer {token}"}).status == 200


def _segment(token: str) -> str:
    payload = token.split(".")[1]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
