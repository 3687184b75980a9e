"""The narrator against the simulated tenant's AI endpoint: the real openai client, bearer token from MSI.

Two deployments: the GPT-4o one the Bicep deploys today, and a GPT-5-family (reasoning) one, which refuses the
parameters the narrator used to send (max_tokens, temperature=0). The simulated model picks among the claims the
strict schema offers (D11.4), so Pennine's and Tamar's summaries are model-chosen; every misbehaviour falls back
with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from local.certs import CertPaths
from local.estates.model import load_estate
from local.simulator import SimOptions, Simulator
from shared.analysis import analyse_scan
from shared.analysis.claims import group_of
from shared.analysis.llm import build_openai_narrator
from shared.analysis.narrative import write_narrative
from shared.analysis.report_reader import read_report
from shared.config import reset_settings
from shared.identity import caleta_credential
from tests.conftest import DEMO_ESTATE
from tests.integration.sim_variants import running
from tests.unit.analysis.builders import a_disk, cost_line, scan
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs
from tests.unit.analysis.narrative_demo import sheet

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


def narrative_outcome(mode: str, simulator: Any) -> tuple[str, str | None]:
    """(source, fallback reason) of a one-disk estate's review with the simulated model in `mode`."""
    simulator.set_ai_mode(mode)
    disk = a_disk("disk-1")
    inputs = scan([disk], cost_rows=cost_line(disk["id"], 2.0))
    bundle = analyse_scan(inputs, build_openai_narrator())
    return bundle.narrative_source, bundle.narrative_fallback_reason


def test_llm_narrative_used_when_simulated_model_answers_in_schema(ai_env: Any) -> None:
    assert narrative_outcome("ok", ai_env) == ("llm", None)


@pytest.mark.parametrize("tenant", ["Pennine", "Tamar"])
def test_demo_summaries_are_model_chosen_with_every_slot_filled_when_the_model_answers(ai_env: Any,
                                                                                     tenant: str) -> None:
    # the fact sheets the engine builds from the demo's report (tiers, plan, review items), through the real
    # client and the simulated model
    narrative = write_narrative(sheet(tenant), build_openai_narrator(), 8000)
    slots = [s.slot for s in narrative.slots]
    assert (narrative.source, narrative.fallback_reason) == ("llm", None)
    assert {group_of(s) for s in slots} == {"opening", "trend", "one_off", "certainty", "action", "context"}
    assert all(s.text for s in narrative.slots if group_of(s.slot) in ("opening", "trend", "certainty", "action"))


@pytest.mark.parametrize("tenant", ["Pennine Freight Ltd", "Tamar Analytics Ltd"])
def test_demo_reviews_publish_the_model_chosen_narrative_when_analysed(ai_env: Any, tenant: str) -> None:
    inputs = scan_inputs(next(t for t in load_demo().tenants if t.display_name == tenant))
    bundle = analyse_scan(inputs, build_openai_narrator())
    assert (bundle.narrative_source, bundle.narrative_fallback_reason) == ("llm", None)
    narrative = read_report(bundle.report_json).narrative
    assert (narrative.source, len(narrative.slots), narrative.footnote) == (
        "llm", 9, "Written from checked templates; a language model chose which statements to include and never "
        "wrote a figure.")
    assert all(s.text for s in narrative.slots if s.claim != "none")


@pytest.mark.parametrize(("mode", "reason"), [("invalid_json", "rejected"), ("wrong_number", "rejected"),
                                              ("invented_alias", "rejected"), ("injected_url", "rejected"),
                                              ("429", "throttled"), ("slow", "timeout")])
def test_deterministic_narrative_used_when_simulated_model_misbehaves(ai_env: Any, mode: str, reason: str) -> None:
    assert narrative_outcome(mode, ai_env) == ("deterministic", reason)


def test_llm_narrative_used_when_deployment_is_a_reasoning_model(reasoning_env: Simulator) -> None:
    assert narrative_outcome("ok", reasoning_env) == ("llm", None)
    sent = [e for e in reasoning_env.request_log if e.path == "/openai/v1/chat/completions"]
    assert [e.status for e in sent] == [200]


def test_deterministic_narrative_used_when_reasoning_spends_the_whole_budget(
        certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: a reasoning deployment whose reasoning alone outgrows the narrator's answer budget (16,000)
    with running(certs, SimOptions(ai_deployment="gpt-5-1", ai_reasoning=True, ai_reasoning_tokens=20_000),
                 DEMO_ESTATE) as hungry:
        point_narrator_at(hungry, "gpt-5-1", certs, monkeypatch)
        try:
            # when / then: finish_reason "length" with no content is an answer the narrator does not use
            assert narrative_outcome("ok", hungry) == ("deterministic", "cut_answer")
            assert [e.status for e in hungry.request_log if e.path.startswith("/openai/")] == [200]
        finally:
            reset_settings()
            caleta_credential.cache_clear()


def test_deterministic_narrative_used_when_deployment_name_is_wrong(ai_env: Any, monkeypatch: pytest.MonkeyPatch
                                                                    ) -> None:
    monkeypatch.setenv("AI_DEPLOYMENT", "gpt-4o-mini")
    reset_settings()
    assert narrative_outcome("ok", ai_env) == ("deterministic", "model_error")
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
