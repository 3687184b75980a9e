"""The AI endpoint through the real openai client: json_schema answers and each misbehaviour mode."""

from __future__ import annotations

import json
import re
import ssl
import time
from typing import Any

import openai
import pytest
from azure.identity import get_bearer_token_provider

from tests.integration.sim_fixtures import CONTOSO, READER, secret_credential, sim, sim_certs, sim_server

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]

SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["headline", "findings", "confidence"],
    "properties": {
        "headline": {"type": "string", "maxLength": 60},
        "findings": {"type": "array", "minItems": 2, "maxItems": 4, "items": {"$ref": "#/$defs/finding"}},
        "confidence": {"type": "number", "minimum": 0.5},
    },
    "$defs": {"finding": {"type": "object", "additionalProperties": False, "required": ["alias", "text"],
                          "properties": {"alias": {"type": "string", "enum": ["F1", "F2", "R3"]},
                                         "text": {"type": "string"}}}},
}
FORMAT: Any = {"type": "json_schema", "json_schema": {"name": "review", "strict": True, "schema": SCHEMA}}
MESSAGES: Any = [{"role": "system", "content": "You write cost reviews."},
                 {"role": "user", "content": "Facts: F1, F2, R3"}]


def trust(certs) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs.ca))


def chat_client(sim, certs) -> openai.OpenAI:
    return openai.OpenAI(base_url=sim.base_url + "/openai/v1/", api_key=sim.state.options.ai_api_key,
                         http_client=openai.DefaultHttpx2Client(verify=trust(certs)), max_retries=0, timeout=10)


def complete(sim, certs) -> Any:
    return chat_client(sim, certs).chat.completions.create(model="gpt-4o", messages=MESSAGES,
                                                           response_format=FORMAT)


def answer(sim, certs) -> dict[str, Any]:
    return dict(json.loads(complete(sim, certs).choices[0].message.content))


def test_answer_is_valid_instance_of_schema_when_json_schema_is_asked(sim, sim_certs):
    data = answer(sim, sim_certs)
    assert set(data) == {"headline", "findings", "confidence"} and len(data["headline"]) <= 60
    assert 2 <= len(data["findings"]) <= 4 and data["confidence"] == 0.5
    assert all(f["alias"] in ("F1", "F2", "R3") and isinstance(f["text"], str) for f in data["findings"])


def test_free_text_has_no_digits_when_mode_is_ok(sim, sim_certs):
    data = answer(sim, sim_certs)
    assert not re.search(r"\d", data["headline"] + "".join(f["text"] for f in data["findings"]))


def test_answer_is_deterministic_when_request_repeats(sim, sim_certs):
    assert answer(sim, sim_certs) == answer(sim, sim_certs)


def test_usage_counts_tokens_when_answered(sim, sim_certs):
    usage = complete(sim, sim_certs).usage
    assert usage.prompt_tokens > 0 and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_deployment_route_takes_cognitive_services_token_when_azure_client_is_used(sim, sim_certs):
    cred = secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1])
    provider = get_bearer_token_provider(cred, "https://cognitiveservices.azure.com/.default")
    client = openai.AzureOpenAI(azure_endpoint=sim.base_url, api_version="2024-10-21", azure_ad_token_provider=provider,
                                http_client=openai.DefaultHttpx2Client(verify=trust(sim_certs)), max_retries=0)
    reply = client.chat.completions.create(model="gpt4o", messages=MESSAGES)
    entry = sim.request_log[-1]
    assert reply.choices[0].message.content and entry.path == "/openai/deployments/gpt4o/chat/completions"
    assert (entry.tenant_id, entry.client_id) == (CONTOSO, READER[0])


def test_wrong_key_is_401_when_key_is_not_configured_one(sim, sim_certs):
    client = openai.OpenAI(base_url=sim.base_url + "/openai/v1/", api_key="nope", max_retries=0,
                           http_client=openai.DefaultHttpx2Client(verify=trust(sim_certs)))
    with pytest.raises(openai.AuthenticationError):
        client.chat.completions.create(model="m", messages=MESSAGES)


def test_content_is_not_json_when_mode_is_invalid_json(sim, sim_certs):
    sim.set_ai_mode("invalid_json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(complete(sim, sim_certs).choices[0].message.content)


def test_first_free_text_carries_invented_number_when_mode_is_wrong_number(sim, sim_certs):
    sim.set_ai_mode("wrong_number")
    assert "£987,654" in answer(sim, sim_certs)["headline"]


def test_an_alias_is_outside_the_enum_when_mode_is_invented_alias(sim, sim_certs):
    sim.set_ai_mode("invented_alias")
    assert "F999" in [f["alias"] for f in answer(sim, sim_certs)["findings"]]


def test_a_string_carries_a_foreign_url_when_mode_is_injected_url(sim, sim_certs):
    sim.set_ai_mode("injected_url")
    assert "https://evil.example/steal" in json.dumps(answer(sim, sim_certs))


def test_answer_is_delayed_when_mode_is_slow(sim, sim_certs):
    sim.set_ai_mode("slow")
    started = time.monotonic()
    answer(sim, sim_certs)
    assert time.monotonic() - started >= 1.5


def test_rate_limit_error_carries_retry_after_when_mode_is_429(sim, sim_certs):
    sim.set_ai_mode("429")
    with pytest.raises(openai.RateLimitError) as caught:
        complete(sim, sim_certs)
    assert caught.value.response.headers["retry-after"] == "1"
