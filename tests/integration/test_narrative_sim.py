"""The narrator against the simulated tenant's AI endpoint: the real openai client, bearer token from MSI.

Two deployments: the GPT-4o one the Bicep deploys today, and a GPT-5-family (reasoning) one, which refuses the
parameters the narrator used to send (max_tokens, temperature=0)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from local.certs import CertPaths
from local.estates.model import load_estate
from local.simulator import SimOptions, Simulator
from shared.analysis import analyse_scan
from shared.analysis.llm import build_openai_narrator
from shared.config import reset_settings
from shared.identity import caleta_credential
from tests.conftest import DEMO_ESTATE
from tests.integration.sim_variants import running
from tests.unit.analysis.builders import a_disk, cost_line, scan

pytestmark = pytest.mark.integration
REASONING = SimOptions(ai_deployment="gpt-5-1", ai_model="gpt-5.1-2025-11-13", ai_reasoning=True)


def point_narrator_at(simulator: Simulator, deployment: str, certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings pointing the narrator at a simulator's AI endpoint and deployment."""
    caleta = load_estate(DEMO_ESTATE).caleta
    for name, value in {
        "AI_ENDPOINT": f"{simulator.base_url}/openai/v1", "AI_DEPLOYMENT": deployment, "AI_TIMEOUT_SECONDS": "1.0",
        "IDENTITY_ENDPOINT": simulator.msi_endpoint, "IDENTITY_HEADER": simulator.msi_header,
        "MANAGED_IDENTITY_CLIENT_ID": caleta.managed_identity_client_id,
        "SSL_CERT_FILE": str(certs.bundle), "REQUESTS_CA_BUNDLE": str(certs.bundle),
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    caleta_credential.cache_clear()


@pytest.fixture
def ai_env(simulator: Any, certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Settings pointing the narrator at the simulator; the AI mode is reset afterwards."""
    point_narrator_at(simulator, "gpt-4o", certs, monkeypatch)
    try:
        yield simulator
    finally:
        simulator.set_ai_mode("ok")
        reset_settings()
        caleta_credential.cache_clear()


@pytest.fixture(scope="module")
def reasoning_sim(certs: CertPaths) -> Iterator[Simulator]:
    with running(certs, REASONING, DEMO_ESTATE) as simulator:
        yield simulator


@pytest.fixture
def reasoning_env(reasoning_sim: Simulator, certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    point_narrator_at(reasoning_sim, "gpt-5-1", certs, monkeypatch)
    try:
        yield reasoning_sim
    finally:
        reasoning_sim.reset()
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


def test_llm_narrative_used_when_deployment_is_a_reasoning_model(reasoning_env: Simulator) -> None:
    assert narrative_source("ok", reasoning_env) == "llm"
    sent = [e for e in reasoning_env.request_log if e.path == "/openai/v1/chat/completions"]
    assert [e.status for e in sent] == [200]


def test_deterministic_narrative_used_when_reasoning_spends_the_whole_budget(
        certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a reasoning deployment whose reasoning alone outgrows the narrator's answer budget
    with running(certs, SimOptions(ai_deployment="gpt-5-1", ai_reasoning=True, ai_reasoning_tokens=5000),
                 DEMO_ESTATE) as hungry:
        point_narrator_at(hungry, "gpt-5-1", certs, monkeypatch)
        try:
            # when / then: finish_reason "length" with no content is an answer the narrator does not use
            assert narrative_source("ok", hungry) == "deterministic"
            assert [e.status for e in hungry.request_log if e.path.startswith("/openai/")] == [200]
        finally:
            reset_settings()
            caleta_credential.cache_clear()


def test_deterministic_narrative_used_when_deployment_name_is_wrong(ai_env: Any, monkeypatch: pytest.MonkeyPatch
                                                                    ) -> None:
    monkeypatch.setenv("AI_DEPLOYMENT", "gpt-4o-mini")
    reset_settings()
    assert narrative_source("ok", ai_env) == "deterministic"
    assert ai_env.request_log[-1].status == 404


@pytest.mark.parametrize(("old", "status"), [({"max_tokens": 1200}, 400), ({"temperature": 0}, 400),
                                             ({"max_completion_tokens": 1200}, 200)])
def test_reasoning_deployment_refuses_the_old_narrator_parameters_when_sent(
        reasoning_env: Simulator, old: dict[str, Any], status: int) -> None:
    client = openai.OpenAI(base_url=f"{reasoning_env.base_url}/openai/v1/", max_retries=0, timeout=5,
                           api_key=lambda: caleta_credential().get_token("https://cognitiveservices.azure.com/.default")
                           .token)
    try:
        client.chat.completions.create(model="gpt-5-1", messages=[{"role": "user", "content": "hello"}], **old)
    except openai.BadRequestError as exc:
        assert exc.code in ("unsupported_parameter", "unsupported_value")
    assert reasoning_env.request_log[-1].status == status
