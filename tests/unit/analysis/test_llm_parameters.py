"""The narrator's request and how it reads an answer: parameters every current deployment takes, and a cut-off,
refused or empty answer (finish_reason "length", e.g. a reasoning model's budget spent on reasoning) treated as no
answer, with its reason."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import openai
import pytest

from shared.analysis.llm import NarratorError, OpenAINarrator
from shared.analysis.narrative import MAX_ANSWER_TOKENS
from shared.analysis.narrative_model import FallbackReason

SCHEMA: dict[str, object] = {"type": "object", "additionalProperties": False, "required": ["a"],
                             "properties": {"a": {"type": "string"}}}


def narrator(reply: dict[str, Any], seen: list[dict[str, Any]]) -> OpenAINarrator:
    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.content))
        return httpx2.Response(200, json=reply)

    client = openai.OpenAI(base_url="https://ai.test/openai/v1", api_key=lambda: "token", max_retries=0, timeout=2.0,
                           http_client=httpx2.Client(transport=httpx2.MockTransport(handler)))
    return OpenAINarrator(client, "gpt-5-1")


def completion(content: str, finish: str, refusal: str | None = None) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion", "created": 0, "model": "gpt-5.1",
            "choices": [{"index": 0, "finish_reason": finish,
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14,
                      "completion_tokens_details": {"reasoning_tokens": 7}}}


def test_request_carries_max_completion_tokens_and_no_temperature_when_sent() -> None:
    seen: list[dict[str, Any]] = []
    assert narrator(completion('{"a": "b"}', "stop"), seen).complete("s", "u", SCHEMA, 1200) == '{"a": "b"}'
    assert seen[0]["max_completion_tokens"] == 1200
    assert "max_tokens" not in seen[0] and "temperature" not in seen[0]


@pytest.mark.parametrize(("content", "finish", "refusal", "reason"), [
    ("", "length", None, FallbackReason.CUT_ANSWER), ('{"a": "b', "length", None, FallbackReason.CUT_ANSWER),
    ("", "content_filter", None, FallbackReason.REFUSED), ("", "stop", "I can't", FallbackReason.REFUSED),
    ("", "stop", None, FallbackReason.EMPTY_ANSWER)])
def test_incomplete_answer_raises_with_its_reason_when_cut_off_refused_or_empty(
        content: str, finish: str, refusal: str | None, reason: FallbackReason) -> None:
    with pytest.raises(NarratorError) as caught:
        narrator(completion(content, finish, refusal), []).complete("s", "u", SCHEMA, 1200)
    assert caught.value.reason is reason


def test_answer_budget_is_within_gpt4o_output_limit_and_leaves_reasoning_room_when_sized() -> None:
    # GPT-4o refuses more than 16,384 completion tokens; the answer itself is a few hundred: the rest is for
    # a reasoning deployment's reasoning (docs/estate-format.md "AI").
    assert 8_000 <= MAX_ANSWER_TOKENS <= 16_384
