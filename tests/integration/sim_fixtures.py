"""Session-scoped simulator fixtures for the simulator's own integration tests (import the names you use)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from azure.identity import ClientSecretCredential

from local.certs import CertPaths, make_certs
from local.simulator import SimOptions, Simulator

SMALL_ESTATE = Path(__file__).resolve().parents[1] / "fixtures" / "estates" / "small.json"
CONTOSO = "11111111-0000-0000-0000-000000000001"
FABRIKAM = "22222222-0000-0000-0000-000000000001"
READER = ("11111111-0000-0000-0000-0000000000a1", "reader-secret", "11111111-0000-0000-0000-0000000000b1")
TAGGER = ("11111111-0000-0000-0000-0000000000a2", "tagger-secret", "11111111-0000-0000-0000-0000000000b2")
EXPIRED = ("11111111-0000-0000-0000-0000000000a3", "old-secret")
DISABLED = ("11111111-0000-0000-0000-0000000000a4", "disabled-secret")
FABRIKAM_APP = ("22222222-0000-0000-0000-0000000000a1", "fabrikam-secret")
PROD = "11111111-1111-0000-0000-000000000001"
DEV = "11111111-1111-0000-0000-000000000002"
SANDBOX = "11111111-1111-0000-0000-000000000003"
FABRIKAM_SUB = "22222222-2222-0000-0000-000000000001"
CALETA_TENANT = "cccccccc-0000-0000-0000-000000000001"
CALETA_APP = "cccccccc-0000-0000-0000-0000000000a1"
CALETA_MI_CLIENT = "cccccccc-0000-0000-0000-0000000000b1"
CALETA_MI_OBJECT = "cccccccc-0000-0000-0000-0000000000b2"
FEDERATED_OBJECT = "11111111-0000-0000-0000-0000000000b5"


def secret_credential(sim: Simulator, certs: CertPaths, tenant_id: str, client_id: str,
                      secret: str) -> ClientSecretCredential:
    """The real MSAL-based credential pointed at the simulated Entra ID."""
    return ClientSecretCredential(tenant_id, client_id, secret, authority=sim.base_url,
                                  disable_instance_discovery=True, connection_verify=str(certs.ca))


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (tests read what the simulator minted)."""
    return dict(jwt.decode(token, options={"verify_signature": False}))


@pytest.fixture(scope="session")
def sim_certs(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    """A CA and leaf for the simulator."""
    return make_certs(tmp_path_factory.mktemp("sim-certs"))


@pytest.fixture(scope="session")
def sim_server(sim_certs: CertPaths) -> Iterator[Simulator]:
    """One simulator for the session; tests reset it through the `sim` fixture."""
    # Small Advisor pages and cost pages so paging is exercised with a small estate.
    options = SimOptions(cost_page_size=50, advisor_page_size=1, ai_slow_seconds=1.5)
    simulator = Simulator(SMALL_ESTATE, sim_certs, options=options).start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def sim(sim_server: Simulator) -> Iterator[Simulator]:
    """The session simulator, reset before and after each test."""
    sim_server.reset()
    yield sim_server
    sim_server.reset()
