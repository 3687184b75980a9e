"""OpenAI-compatible chat completions that honour json_schema deterministically, with misbehaviour modes.

A stand-in for a model (no Azure source applies to what it chooses): it builds an instance of the schema it is
given, picking among `anyOf` branches and `enum` values by a hash of the request, so different estates get
different choices; sibling properties with the same schema get distinct choices while any remain (a model does
not say the same thing twice). Misbehaviour modes plant a figure, an unknown id or a URL in the first string
`enum` slot (or the first free-text string when the schema has no enum).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from local.simulator import ai_requests, strict_schema
from local.simulator.http import Request, Response, json_response
from local.simulator.state import SimState

# Plain, digit-free sentences: the answer must read like prose yet state no number (the renderer fills those in).
_SENTENCES = (
    "The review found clear opportunities to reduce this estate's spend.",
    "Most of the savings come from resources that no longer do useful work.",
    "Licensing and commitment options add further savings once steady usage is confirmed.",
    "Every figure in this review is taken from the customer's own billing data.",
    "Start with the largest findings and confirm each one with the resource's owner.",
    "Spend followed a steady weekly rhythm, with a few days outside the usual range.",
    "Idle network and storage resources are quick wins that carry little risk.",
    "Tagging the untagged spend would make future reviews easier to act on.",
)
WRONG_NUMBER = "£987,654"
INVENTED_ALIAS = "F999"
INJECTED_URL = "https://evil.example/steal"
PLANTED = {"wrong_number": WRONG_NUMBER, "invented_alias": INVENTED_ALIAS, "injected_url": INJECTED_URL}


@dataclass
class _Walker:
    """Builds a schema instance; `seed` makes choices deterministic per request."""

    root: dict[str, Any]
    seed: int
    mode: str
    planted: bool = False

    def pick(self, path: str, n: int) -> int:
        """A deterministic choice in range(n) for this request and schema path."""
        digest = hashlib.sha256(f"{self.seed}:{path}".encode()).digest()
        return int.from_bytes(digest[:4], "big") % n

    def choose(self, path: str, n: int, avoid: set[int] | None) -> int:
        """A deterministic index in range(n), not one in `avoid` while any other remains; recorded in `avoid`."""
        free = [i for i in range(n) if avoid is None or i not in avoid] or list(range(n))
        chosen = free[self.pick(path, len(free))]
        if avoid is not None:
            avoid.add(chosen)
        return chosen

    def resolve(self, schema: dict[str, Any], path: str = "", avoid: set[int] | None = None) -> dict[str, Any]:
        """Follow $ref and pick one non-null anyOf/oneOf branch."""
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node[part]
            return self.resolve(node, path, avoid)
        for key in ("anyOf", "oneOf"):
            options = [o for o in schema.get(key, []) if self.resolve(o).get("type") != "null"]
            if options:
                return self.resolve(options[self.choose(f"{path}/{key}", len(options), avoid)], path)
        return schema

    def _plant(self) -> str | None:
        """The misbehaviour of this mode, once per answer."""
        if self.planted or self.mode not in PLANTED:
            return None
        self.planted = True
        return PLANTED[self.mode]

    def sentence(self, path: str, schema: dict[str, Any]) -> str:
        """A digit-free sentence within the string's length limits."""
        first = self.pick(path, len(_SENTENCES))
        text = _SENTENCES[first]
        if self.pick(f"{path}/more", 2):
            text += " " + _SENTENCES[(first + 1 + self.pick(f"{path}/next", len(_SENTENCES) - 1)) % len(_SENTENCES)]
        planted = self._plant() if self.mode != "invented_alias" else None
        if planted is not None:
            # The planted text leads, so a short maxLength still keeps it whole.
            text = f"{planted} now."
        limit = schema.get("maxLength")
        if isinstance(limit, int):
            text = text[:limit]
        minimum = int(schema.get("minLength", 0))
        return text + "." * max(0, minimum - len(text))

    def value(self, schema: dict[str, Any], path: str = "", avoid: set[int] | None = None) -> Any:
        """A valid instance of `schema` (modes may plant misbehaviour); `avoid`: choices siblings already made."""
        branched = any(k in schema for k in ("anyOf", "oneOf", "$ref"))
        schema = self.resolve(schema, path, avoid)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            choices = schema["enum"]
            planted = self._plant() if all(isinstance(c, str) for c in choices) else None
            if planted is not None:
                return planted
            return choices[self.choose(path, len(choices), None if branched else avoid)]
        kind = schema.get("type", "object" if "properties" in schema else "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind == "object":
            props = schema.get("properties", {})
            used: dict[str, set[int]] = {}  # per sibling schema: the choices already made
            return {name: self.value(props[name], f"{path}/{name}",
                                     used.setdefault(json.dumps(props[name], sort_keys=True), set()))
                    for name in schema.get("required", list(props)) if name in props}
        if kind == "array":
            low, high = int(schema.get("minItems", 0)), schema.get("maxItems")
            count = max(low, min(int(high) if high is not None else 3, 2))
            return [self.value(schema.get("items", {}), f"{path}/{i}") for i in range(count)]
        if kind in ("number", "integer"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
            value = low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
            if "maximum" in schema:
                value = min(value, schema["maximum"])
            return int(value) if kind == "integer" else float(value)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self.sentence(path, schema)


def chat_completions(state: SimState, req: Request, deployment: str | None = None) -> Response:
    """POST /openai/v1/chat/completions or /openai/deployments/{d}/chat/completions."""
    refused = ai_requests.authenticate(state, req)
    if refused is not None:
        return refused
    mode = state.ai_mode
    if mode == "429":
        return ai_requests.error(429, "429", "Requests to the ChatCompletions_Create Operation have exceeded the token "
                                 "rate limit of your current tier. Please retry after 1 second.",
                                 headers={"Retry-After": "1"})
    try:
        body = req.json()
        if not isinstance(body["messages"], list):
            raise TypeError("messages")
    except (ValueError, KeyError, TypeError):
        return ai_requests.error(400, "BadRequest", "'messages' is a required property")
    # The v1 route names the deployment in `model`; the classic route in its path.
    refused = (ai_requests.deployment_refusal(state, deployment or str(body.get("model") or ""))
               or ai_requests.parameter_refusal(state, req, body))
    if refused is not None:
        return refused
    fmt = body.get("response_format") or {}
    spec = fmt.get("json_schema") or {}
    if fmt.get("type") == "json_schema" and spec.get("strict"):
        try:
            strict_schema.validate(str(spec.get("name") or ""), spec.get("schema"))
        except strict_schema.SchemaRefused as exc:
            return ai_requests.error(400, "invalid_json_schema", str(exc), "response_format", "invalid_request_error")
    if mode == "slow":
        time.sleep(state.options.ai_slow_seconds)
    seed = int.from_bytes(hashlib.sha256(req.body).digest()[:4], "big")
    return json_response(200, _answer(state, body, seed, fmt, mode))


def _content(seed: int, fmt: dict[str, Any], mode: str) -> str:
    walker = _Walker({}, seed, mode)
    if fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema") or {}
        walker.root = schema
        content = json.dumps(walker.value(schema))
    elif fmt.get("type") == "json_object":
        content = json.dumps({"summary": walker.sentence("summary", {})})
    else:
        content = walker.sentence("text", {})
    if mode == "invalid_json":
        content = content[: max(1, len(content) // 2)] + ' "unterminated'
    return content


def _answer(state: SimState, body: dict[str, Any], seed: int, fmt: dict[str, Any], mode: str) -> dict[str, Any]:
    """The completion: content within the token limit, reasoning tokens counted against it on reasoning models."""
    content = _content(seed, fmt, mode)
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    # Reasoning tokens "count towards the output limit"; a budget spent on reasoning ends with finish_reason
    # "length" and no visible content (OpenAI reasoning guide, quoted in docs/estate-format.md).
    reasoning = state.options.ai_reasoning_tokens if state.options.ai_reasoning else 0
    visible, finish = len(content) // 4 + 1, "stop"
    if isinstance(limit, int) and reasoning + visible > limit:
        reasoning = min(reasoning, limit)  # generation stops at the limit, mid-reasoning if need be
        room = limit - reasoning
        content, visible, finish = content[: room * 4], room, "length"
    prompt_chars = sum(len(json.dumps(m.get("content", ""))) for m in body["messages"] if isinstance(m, dict))
    prompt_tokens, completion_tokens = prompt_chars // 4 + 1, visible + reasoning
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": state.options.ai_model, "system_fingerprint": None,
        "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                     "message": {"role": "assistant", "content": content, "refusal": None}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens,
                  "completion_tokens_details": {"reasoning_tokens": reasoning, "accepted_prediction_tokens": 0,
                                                "rejected_prediction_tokens": 0, "audio_tokens": 0},
                  "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0}},
    }
