"""The narrator adapter: one chat completion with a JSON-schema answer through the `openai` client.

Stateless by design: no Responses API storage, Assistants, Files or Batch (data stays in the UK region).
"""

from __future__ import annotations

import re

import openai

from shared.analysis.claim_schema import SCHEMA_NAME
from shared.analysis.narrative_model import FallbackReason, NarratorError
from shared.config import get_settings
from shared.identity import caleta_credential

__all__ = ["NarratorError", "OpenAINarrator", "build_openai_narrator", "classify"]
_CODE = re.compile(r"[A-Za-z_]{1,40}")  # a service error code ("DeploymentNotFound"); anything else is dropped
AI_SCOPE = "https://cognitiveservices.azure.com/.default"


def classify(exc: openai.OpenAIError) -> NarratorError:
    """The fallback reason of a failed call (the error's class and code only: its text can echo the request)."""
    if isinstance(exc, openai.APITimeoutError):
        return NarratorError(FallbackReason.TIMEOUT, type(exc).__name__)
    if isinstance(exc, openai.RateLimitError):
        return NarratorError(FallbackReason.THROTTLED, "429")
    code = getattr(exc, "code", None)
    # A prompt the content filter blocks: HTTP 400 with code content_filter ("The response was filtered", Azure
    # OpenAI's content filtering docs).
    if isinstance(exc, openai.BadRequestError) and code == "content_filter":
        return NarratorError(FallbackReason.REFUSED, "content_filter")
    status = getattr(exc, "status_code", None)
    named = code if isinstance(code, str) and _CODE.fullmatch(code) else None
    return NarratorError(FallbackReason.MODEL_ERROR,
                         " ".join(str(p) for p in (type(exc).__name__, status, named) if p))


class OpenAINarrator:
    """Chat completions against an OpenAI-compatible endpoint (Foundry /openai/v1/ or the simulator)."""

    def __init__(self, client: openai.OpenAI, model: str) -> None:
        self._client = client
        self._model = model

    def complete(self, system: str, user: str, schema: dict[str, object], max_tokens: int) -> str:
        """Return the model's JSON answer text; raise NarratorError on any failure."""
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": True},
                },
                # Both the GPT-4o and the GPT-5/o-series deployments take max_completion_tokens on the v1 API;
                # reasoning models refuse max_tokens and any temperature but the default (the openai client
                # marks max_tokens deprecated; docs/estate-format.md "AI"), so neither is sent.
                max_completion_tokens=max_tokens,
                store=False,
            )
        except openai.OpenAIError as exc:
            raise classify(exc) from exc
        if not response.choices:
            raise NarratorError(FallbackReason.EMPTY_ANSWER, "no choices")
        choice = response.choices[0]
        if choice.finish_reason == "content_filter" or choice.message.refusal:
            raise NarratorError(FallbackReason.REFUSED, choice.finish_reason or "refusal")
        # "length": the budget ran out, on a reasoning model possibly before any visible token; the text is cut.
        if choice.finish_reason == "length":
            raise NarratorError(FallbackReason.CUT_ANSWER, "length")
        content = choice.message.content
        if not content:
            raise NarratorError(FallbackReason.EMPTY_ANSWER, choice.finish_reason)
        return content


def build_openai_narrator() -> OpenAINarrator:
    """Build the narrator from settings; the bearer token comes from Caleta's managed identity."""
    settings = get_settings()
    if not settings.ai_endpoint.startswith("https://"):
        # Never fall back to the openai client's default (public) endpoint: no endpoint means no narrator.
        raise ValueError("AI_ENDPOINT is not an https URL: no narrator")
    credential = caleta_credential()

    def token() -> str:
        return credential.get_token(AI_SCOPE).token

    client = openai.OpenAI(
        base_url=settings.ai_endpoint,
        api_key=token,
        timeout=settings.ai_timeout_seconds,
        # One attempt: a slow or throttled model must not hold the analysis; the fallback is deterministic.
        max_retries=0,
    )
    return OpenAINarrator(client, settings.ai_deployment)
