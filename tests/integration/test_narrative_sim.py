"""The narrator against the simulated tenant's AI endpoint: the real openai client, bearer token from MSI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local.certs import CertPaths
from local.estates.model import load_estate
from shared.analysis import analyse_scan
from shared.analysis.llm import build_openai_narrator
from shared.config import reset_settings
from shared.identity import caleta_credential
from tests.conftest import DEMO_ESTATE
from tests.unit.analysis.builders import a_disk, cost_line, scan

pytestmark = pytest.mark.integration


@pytest.fixture
def ai_env(simulator: Any, certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Settings pointing the narrator at the simulator; the AI mode is reset afterwards."""
    caleta = load_estate(DEMO_ESTATE).caleta
    for name, value in {
        "AI_ENDPOINT": f"{simulator.base_url}/openai/v1", "AI_DEPLOYMENT": "gpt-4o", "AI_TIMEOUT_SECONDS": "1.0",
        "IDENTITY_ENDPOINT": simulator.msi_endpoint, "IDENTITY_HEADER": simulator.msi_header,
        "MANAGED_IDENTITY_CLIENT_ID": caleta.managed_identity_client_id,
        "SSL_CERT_FILE": str(certs.bundle), "REQUESTS_CA_BUNDLE": str(certs.bundle),
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    caleta_credential.cache_clear()
    try:
        yield simulator
    finally:
        simulator.set_ai_mode("ok")
        reset_settings()
        caleta_credential.cache_clear()


def narrative_source(mode: str, simulator: Any) -> str:
    simulator.set_ai_mode(mode)
    disk = a_disk("disk-1")
    inputs = scan([disk], cost_rows=cost_line(disk["id"], 2.0))
    return analyse_scan(inputs, build_openai_narrator()).narrative_source


def test_llm_narrative_used_when_simulated_model_answers_in_schema(ai_env: Any) -> None:
    assert narrative_source("ok", ai_env) == "llm"


@pytest.mark.parametrize("mode", ["invalid_json", "wrong_number", "invented_alias", "injected_url", "429", "slow"])
def test_deterministic_narrative_used_when_simulated_model_misbehaves(ai_env: Any, mode: str) -> None:
    assert narrative_source(mode, ai_env) == "deterministic"
