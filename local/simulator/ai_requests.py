"""What the AI endpoint refuses before answering: credentials, the deployment name, and parameters the model
does not take. Sources per refusal below; divergences in docs/estate-format.md ("AI")."""

from __future__ import annotations

import json
from typing import Any

from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState
from local.simulator.tokens import COGNITIVE_AUDIENCE, TokenError

# Reasoning models: "Not Supported: temperature, top_p, presence_penalty, frequency_penalty, logprobs,
# top_logprobs, logit_bias, max_tokens" and they "will only work with the max_completion_tokens parameter"
# (MicrosoftDocs/azure-ai-docs, openai/how-to/reasoning.md).
REASONING_REFUSES = ("max_tokens", "top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs",
                     "logit_bias")
# max_tokens "was deprecated and replaced with the new max_completion_tokens" in 2024-09-01-preview (same repo,
# whats-new); older api-versions answer "Unrecognized request argument supplied: max_completion_tokens".
MAX_COMPLETION_TOKENS_SINCE = "2024-09-01-preview"
# The most a model may generate: GPT-4o "16,384 max output tokens" (OpenAI's GPT-4o model page), refused above with
# "max_tokens is too large: N. This model supports at most 16384 completion tokens, whereas you provided N."
# (code invalid_value, seen in public reports for Azure GPT-4o: charmbracelet/catwalk#41); GPT-5.1: 128,000.
MAX_OUTPUT_TOKENS, REASONING_MAX_OUTPUT_TOKENS = 16_384, 128_000


def error(status: int, code: str | None, message: str, param: str | None = None,
          kind: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """An Azure OpenAI error body ({"error": {code, message[, param, type]}})."""
    body: dict[str, Any] = {"code": code, "message": message}
    if kind is not None:
        body.update({"type": kind, "param": param})
    return json_response(status, {"error": body}, headers)


def _key_auth(state: SimState, presented: str) -> Response | None:
    if not state.options.ai_local_auth:
        # The account has disableLocalAuth (infra/modules/ai.bicep): HTTP 403 AuthenticationTypeDisabled,
        # "Key based authentication is disabled for this resource." (seen in many public reports).
        return error(403, "AuthenticationTypeDisabled", "Key based authentication is disabled for this resource.")
    if presented != state.options.ai_api_key:
        return error(401, "401", "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
                                 "provide a valid key for an active subscription and use a correct regional API "
                                 "endpoint for your resource.")
    return None


def authenticate(state: SimState, req: Request) -> Response | None:
    """None when the caller may proceed: a token for cognitiveservices, or a key where keys are allowed."""
    if "api-key" in req.headers:
        return _key_auth(state, req.headers["api-key"])
    bearer = req.headers.get("authorization", "")[7:].strip()
    if not bearer:
        return error(401, "401", "Access denied due to missing subscription key or token.")
    if bearer.count(".") != 2:  # not a JWT: the openai client sends a key as a bearer
        return _key_auth(state, bearer)
    try:
        req.claims = state.mint.verify(bearer, (COGNITIVE_AUDIENCE,))  # so the request log names the caller
    except TokenError:
        return error(401, "401", "Access denied due to invalid token.")
    return None


def deployment_refusal(state: SimState, name: str) -> Response | None:
    """404 DeploymentNotFound for any name but the deployment's (body as Azure sends it, seen in many reports)."""
    if name == state.options.ai_deployment:
        return None
    return error(404, "DeploymentNotFound", "The API deployment for this resource does not exist. If you created "
                                            "the deployment within the last 5 minutes, please wait a moment and try "
                                            "again.")


def parameter_refusal(state: SimState, req: Request, body: dict[str, Any]) -> Response | None:
    """400 for a parameter the deployment's model does not take (messages as OpenAI and Azure send them)."""
    version = req.q("api-version")
    if version and "max_completion_tokens" in body and version < MAX_COMPLETION_TOKENS_SINCE:
        return error(400, None, "Unrecognized request argument supplied: max_completion_tokens", None,
                     "invalid_request_error")
    cap = REASONING_MAX_OUTPUT_TOKENS if state.options.ai_reasoning else MAX_OUTPUT_TOKENS
    for name in ("max_completion_tokens", "max_tokens"):
        asked = body.get(name)
        if isinstance(asked, int) and asked > cap:
            return error(400, "invalid_value", f"max_tokens is too large: {asked}. This model supports at most {cap} "
                                               f"completion tokens, whereas you provided {asked}.", name,
                         "invalid_request_error")
    if not state.options.ai_reasoning:
        return None
    for name in REASONING_REFUSES:
        if body.get(name) is not None:
            hint = " Use 'max_completion_tokens' instead." if name == "max_tokens" else ""
            return error(400, "unsupported_parameter",
                         f"Unsupported parameter: '{name}' is not supported with this model.{hint}", name,
                         "invalid_request_error")
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        return error(400, "unsupported_value",
                     f"Unsupported value: 'temperature' does not support {json.dumps(temperature)} with this model. "
                     "Only the default (1) value is supported.", "temperature", "invalid_request_error")
    return None
