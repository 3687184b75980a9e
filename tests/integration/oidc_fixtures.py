"""An estate with directory identities (users, redirect URIs, admin API) and simulators built from variants of it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from local.certs import CertPaths
from local.simulator import Simulator
from tests.integration.oidc_client import OidcClient
from tests.integration.sim_fixtures import CALETA_APP, CALETA_TENANT, CONTOSO, FABRIKAM, FABRIKAM_SUB, SMALL_ESTATE

CALLBACK = "https://caleta.example/api/onboarding/callback"
CONSENT = "https://caleta.example/api/onboarding/consent"
LOCAL_CALLBACK = "http://127.0.0.1/api/onboarding/callback"
CALETA_SECRET = "caleta-app-secret"
ADMIN_API = "cccccccc-0000-0000-0000-0000000000d1"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
FABRIKAM_CALETA_SP = "22222222-0000-0000-0000-0000000000b5"
DELETED = ("11111111-0000-0000-0000-0000000000a6", "deleted-secret")
GLOBAL_ADMIN_ROLE = "62e90394-69f5-4237-9190-012177145e10"
DEFAULT_USER_ROLE = "b79fbf4d-3ef9-4689-8143-76b194e85509"


def _user(oid: str, upn: str, roles: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"object_id": oid, "user_principal_name": upn, "display_name": upn.split("@")[0].title(),
            "directory_roles": roles or [], **extra}


USERS = {
    "contoso_admin": _user("11111111-0000-0000-0000-0000000000e1", "ga@contoso.example", ["Global Administrator"]),
    "contoso_clerk": _user("11111111-0000-0000-0000-0000000000e2", "clerk@contoso.example"),
    "contoso_app_admin": _user("11111111-0000-0000-0000-0000000000e3", "apps@contoso.example",
                               ["Application Administrator", "99999999-0000-0000-0000-0000000000aa"]),
    "fabrikam_clerk": _user("22222222-0000-0000-0000-0000000000e1", "clerk@fabrikam.example"),
    "fabrikam_admin": _user("22222222-0000-0000-0000-0000000000e2", "admin@fabrikam.example",
                            ["Cloud Application Administrator"]),
    "fabrikam_decliner": _user("22222222-0000-0000-0000-0000000000e3", "no@fabrikam.example",
                               ["Global Administrator"], declines_consent=True),
    "operator": _user("cccccccc-0000-0000-0000-0000000000e1", "ops@caleta.example", app_roles=["Caleta.Admin"]),
    "operator_no_mfa": _user("cccccccc-0000-0000-0000-0000000000e2", "weak@caleta.example",
                             app_roles=["Caleta.Admin"], mfa=False),
    "staff": _user("cccccccc-0000-0000-0000-0000000000e3", "staff@caleta.example"),
}


def identity_estate() -> dict[str, Any]:
    """small.json plus identities: Contoso consented, Fabrikam not yet (its principal's roles pre-assigned)."""
    doc: dict[str, Any] = json.loads(SMALL_ESTATE.read_text())
    doc["caleta"] |= {"redirect_uris": [CALLBACK, CONSENT, LOCAL_CALLBACK],
                      "secrets": [{"value": CALETA_SECRET, "expires": "2099-01-01T00:00:00Z"}],
                      "users": [USERS["operator"], USERS["operator_no_mfa"], USERS["staff"]],
                      "admin_api": {"client_id": ADMIN_API}}
    contoso, fabrikam = doc["tenants"]
    contoso["users"] = [USERS["contoso_admin"], USERS["contoso_clerk"], USERS["contoso_app_admin"]]
    contoso["applications"].append({"client_id": DELETED[0], "object_id": "11111111-0000-0000-0000-0000000000b6",
                                    "display_name": "deleted", "deleted": True,
                                    "secrets": [{"value": DELETED[1], "expires": "2099-01-01T00:00:00Z"}]})
    fabrikam["users"] = [USERS["fabrikam_clerk"], USERS["fabrikam_admin"], USERS["fabrikam_decliner"]]
    fabrikam["applications"].append({"client_id": CALETA_APP, "object_id": FABRIKAM_CALETA_SP,
                                     "display_name": "Caleta Cost Review", "federated": True, "consented": False})
    sub = next(s for s in fabrikam["subscriptions"] if s["subscription_id"] == FABRIKAM_SUB)
    sub["role_assignments"].append({"principal_id": FABRIKAM_CALETA_SP, "role": "Reader"})
    return doc


@pytest.fixture(scope="module")
def make_sim(sim_certs: CertPaths, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[Callable[[Callable[[dict[str, Any]], None] | None], Simulator]]:
    """Start (once per variant name) a simulator over the identity estate changed by `edit`."""
    started: list[Simulator] = []

    def start(edit: Callable[[dict[str, Any]], None] | None = None) -> Simulator:
        doc = copy.deepcopy(identity_estate())
        if edit is not None:
            edit(doc)
        path = tmp_path_factory.mktemp("oidc-estate") / "estate.json"
        path.write_text(json.dumps(doc))
        simulator = Simulator(path, sim_certs).start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture(scope="module")
def oidc_sim(make_sim: Callable[..., Simulator]) -> Simulator:
    """The identity estate's simulator, shared by a module (tests reset it through `idp`)."""
    return make_sim()


@pytest.fixture
def idp(oidc_sim: Simulator, sim_certs: CertPaths) -> Iterator[OidcClient]:
    """A browserless client for the identity simulator, reset around each test."""
    oidc_sim.reset()
    yield OidcClient(oidc_sim.base_url, sim_certs.ca)
    oidc_sim.reset()


__all__ = ["CALETA_TENANT", "CONTOSO", "FABRIKAM", "identity_estate", "idp", "make_sim", "oidc_sim"]
