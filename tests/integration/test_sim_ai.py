"""The AI endpoint through the real openai client: json_schema answers, each misbehaviour mode, and what a real
deployment refuses (key auth when disabled, unknown deployments, reasoning-model parameters, invalid schemas)."""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from azure.identity import get_bearer_token_provider

from local.simulator import SimOptions, Simulator
from tests.integration.sim_fixtures import CONTOSO, READER, secret_credential, sim, sim_certs, sim_server
from tests.integration.sim_variants import running

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]
COGNITIVE = "https://cognitiveservices.azure.com/.default"

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
REASONING = SimOptions(ai_deployment="gpt-5-1", ai_model="gpt-5.1-2025-11-13", ai_reasoning=True,
                       ai_reasoning_tokens=300)


def trust(certs) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs.ca))


def chat_client(sim, certs) -> openai.OpenAI:
    """The client as the product builds it: v1 endpoint, bearer token for Cognitive Services."""
    cred = secret_credential(sim, certs, CONTOSO, READER[0], READER[1])
    return openai.OpenAI(base_url=sim.base_url + "/openai/v1/", api_key=get_bearer_token_provider(cred, COGNITIVE),
                         http_client=openai.DefaultHttpx2Client(verify=trust(certs)), max_retries=0, timeout=10)


def key_client(sim, certs, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=sim.base_url + "/openai/v1/", api_key=key, max_retries=0, timeout=10,
                         http_client=openai.DefaultHttpx2Client(verify=trust(certs)))


def complete(sim, certs, **kwargs: Any) -> Any:
    kwargs.setdefault("model", "gpt-4o")
    return chat_client(sim, certs).chat.completions.create(messages=MESSAGES, response_format=FORMAT, **kwargs)


def answer(sim, certs) -> dict[str, Any]:
    return dict(json.loads(complete(sim, certs).choices[0].message.content))


@pytest.fixture(scope="module")
def keyed(sim_certs) -> Iterator[Simulator]:
    """An account with local (key) auth enabled."""
    with running(sim_certs, SimOptions(ai_local_auth=True)) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def reasoning(sim_certs) -> Iterator[Simulator]:
    """A GPT-5-family deployment named gpt-5-1."""
    with running(sim_certs, REASONING) as simulator:
        yield simulator


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


def test_answer_names_the_model_behind_the_deployment_when_answered(sim, sim_certs):
    assert complete(sim, sim_certs).model == "gpt-4o-2024-11-20"


def test_deployment_route_takes_cognitive_services_token_when_azure_client_is_used(sim, sim_certs):
    cred = secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1])
    provider = get_bearer_token_provider(cred, COGNITIVE)
    client = openai.AzureOpenAI(azure_endpoint=sim.base_url, api_version="2024-10-21", azure_ad_token_provider=provider,
                                http_client=openai.DefaultHttpx2Client(verify=trust(sim_certs)), max_retries=0)
    reply = client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    entry = sim.request_log[-1]
    assert reply.choices[0].message.content and entry.path == "/openai/deployments/gpt-4o/chat/completions"
    assert (entry.tenant_id, entry.client_id) == (CONTOSO, READER[0])


def test_key_is_refused_403_when_local_auth_is_disabled(sim, sim_certs):
    with pytest.raises(openai.PermissionDeniedError) as caught:
        key_client(sim, sim_certs, sim.state.options.ai_api_key).chat.completions.create(model="gpt-4o",
                                                                                         messages=MESSAGES)
    assert caught.value.body == {"code": "AuthenticationTypeDisabled",
                                 "message": "Key based authentication is disabled for this resource."}


def test_api_key_header_is_refused_403_when_local_auth_is_disabled(sim, sim_certs):
    client = openai.AzureOpenAI(azure_endpoint=sim.base_url, api_version="2024-10-21", api_key="any-key",
                                http_client=openai.DefaultHttpx2Client(verify=trust(sim_certs)), max_retries=0)
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES)


def test_key_is_accepted_when_local_auth_is_enabled(keyed, sim_certs):
    reply = key_client(keyed, sim_certs, keyed.state.options.ai_api_key).chat.completions.create(
        model="gpt-4o", messages=MESSAGES)
    assert reply.choices[0].message.content


def test_wrong_key_is_401_when_key_is_not_configured_one(keyed, sim_certs):
    with pytest.raises(openai.AuthenticationError):
        key_client(keyed, sim_certs, "nope").chat.completions.create(model="gpt-4o", messages=MESSAGES)


@pytest.mark.parametrize("route", ["v1", "deployments"])
def test_unknown_deployment_is_404_deployment_not_found_when_named(sim, sim_certs, route):
    if route == "v1":
        client: openai.OpenAI = chat_client(sim, sim_certs)
    else:
        provider = get_bearer_token_provider(secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]),
                                             COGNITIVE)
        client = openai.AzureOpenAI(azure_endpoint=sim.base_url, api_version="2024-10-21",
                                    azure_ad_token_provider=provider, max_retries=0,
                                    http_client=openai.DefaultHttpx2Client(verify=trust(sim_certs)))
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert caught.value.code == "DeploymentNotFound"
    assert str(caught.value.message).endswith("The API deployment for this resource does not exist. If you created "
                                              "the deployment within the last 5 minutes, please wait a moment and "
                                              "try again.")


def test_gpt4o_takes_max_tokens_temperature_and_max_completion_tokens_when_sent(sim, sim_certs):
    assert complete(sim, sim_certs, max_tokens=500, temperature=0).choices[0].finish_reason == "stop"
    assert complete(sim, sim_certs, max_completion_tokens=500).choices[0].finish_reason == "stop"


def test_gpt4o_refuses_more_completion_tokens_than_it_can_generate_when_sent(sim, sim_certs):
    with pytest.raises(openai.BadRequestError) as caught:
        complete(sim, sim_certs, max_completion_tokens=20_000)
    assert caught.value.code == "invalid_value" and "supports at most 16384 completion tokens" in str(caught.value)
    assert complete(sim, sim_certs, max_completion_tokens=16_000).choices[0].finish_reason == "stop"


def test_max_completion_tokens_is_unrecognised_when_api_version_predates_it(sim, sim_certs):
    provider = get_bearer_token_provider(secret_credential(sim, sim_certs, CONTOSO, READER[0], READER[1]), COGNITIVE)
    client = openai.AzureOpenAI(azure_endpoint=sim.base_url, api_version="2024-06-01", azure_ad_token_provider=provider,
                                http_client=openai.DefaultHttpx2Client(verify=trust(sim_certs)), max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model="gpt-4o", messages=MESSAGES, max_completion_tokens=100)
    assert "Unrecognized request argument supplied: max_completion_tokens" in str(caught.value)


def test_reasoning_model_refuses_max_tokens_when_sent(reasoning, sim_certs):
    with pytest.raises(openai.BadRequestError) as caught:
        complete(reasoning, sim_certs, model="gpt-5-1", max_tokens=500)
    assert caught.value.body == {
        "code": "unsupported_parameter", "param": "max_tokens", "type": "invalid_request_error",
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
                   "'max_completion_tokens' instead."}


def test_reasoning_model_refuses_temperature_zero_when_sent(reasoning, sim_certs):
    with pytest.raises(openai.BadRequestError) as caught:
        complete(reasoning, sim_certs, model="gpt-5-1", temperature=0)
    assert caught.value.code == "unsupported_value"
    assert "'temperature' does not support 0 with this model. Only the default (1) value is supported." in str(
        caught.value)


def test_reasoning_model_answers_with_reasoning_tokens_when_parameters_are_right(reasoning, sim_certs):
    reply = complete(reasoning, sim_certs, model="gpt-5-1", max_completion_tokens=1200)
    usage = reply.usage
    assert reply.choices[0].finish_reason == "stop" and json.loads(reply.choices[0].message.content)
    assert usage.completion_tokens_details.reasoning_tokens == 300 and usage.completion_tokens > 300
    assert reply.model == "gpt-5.1-2025-11-13"


def test_reasoning_model_returns_length_and_no_content_when_budget_goes_on_reasoning(reasoning, sim_certs):
    reply = complete(reasoning, sim_certs, model="gpt-5-1", max_completion_tokens=200)
    assert (reply.choices[0].finish_reason, reply.choices[0].message.content) == ("length", "")
    assert reply.usage.completion_tokens == 200


def _refusal(sim, certs, schema: dict[str, Any]) -> openai.BadRequestError:
    fmt: Any = {"type": "json_schema", "json_schema": {"name": "review", "strict": True, "schema": schema}}
    with pytest.raises(openai.BadRequestError) as caught:
        chat_client(sim, certs).chat.completions.create(model="gpt-4o", messages=MESSAGES, response_format=fmt)
    return caught.value


def test_strict_schema_with_empty_enum_is_refused_when_sent(sim, sim_certs):
    schema = {"type": "object", "additionalProperties": False, "required": ["facts"],
              "properties": {"facts": {"type": "array", "items": {"type": "string", "enum": []}}}}
    error = _refusal(sim, sim_certs, schema)
    assert (error.code, error.param) == ("invalid_json_schema", "response_format")
    assert "Invalid schema for response_format 'review': In context=('properties', 'facts', 'items'), 'enum'" in (
        str(error.message))


def test_strict_schema_without_additional_properties_false_is_refused_when_sent(sim, sim_certs):
    schema = {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}
    assert "In context=(), 'additionalProperties' is required to be supplied and to be false." in str(
        _refusal(sim, sim_certs, schema).message)


def test_strict_schema_with_an_optional_property_is_refused_when_sent(sim, sim_certs):
    schema = {"type": "object", "additionalProperties": False, "required": ["a"],
              "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    assert "Missing 'b'." in str(_refusal(sim, sim_certs, schema).message)


def test_non_strict_schema_is_not_checked_when_strict_is_off(sim, sim_certs):
    loose = {"type": "object", "properties": {"a": {"type": "string"}}}
    fmt: Any = {"type": "json_schema", "json_schema": {"name": "loose", "strict": False, "schema": loose}}
    reply = chat_client(sim, sim_certs).chat.completions.create(model="gpt-4o", messages=MESSAGES, response_format=fmt)
    assert reply.choices[0].finish_reason == "stop"


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
