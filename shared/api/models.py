"""Request models of the HTTP API. Requests refuse unknown fields; shapes are checked first.

`parse_onboarding(body)` checks the size before parsing and raises InvalidInput naming each bad field
(dotted paths such as `auth.client_secret` or `subscription_ids[3]`). Secret values never appear in errors.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Annotated, Any, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from shared.errors import InvalidInput
from shared.ids import GUID_PATTERN, is_guid

MAX_BODY_BYTES = 64 * 1024
MAX_SUBSCRIPTIONS = 1000

# The page's approximation of the server's e-mail check (the server uses email-validator): a plain ASCII
# dot-atom local part, one @, a dotted domain of letters, digits and hyphens.
EMAIL_PATTERN = re.compile(r"^(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                           r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                           r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
EMAIL_MESSAGE = "must be an e-mail address like name@example.com"
# Unicode categories refused in text fields (finding 9): C0/C1 controls (Cc), format characters such as bidi
# overrides and zero-width ones (Cf), and the line and paragraph separators (Zl, Zp).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
TEXT_MESSAGE = "must not contain control, invisible formatting or line-separator characters"
PROOF_MAX = 128
# Documented in the OpenAPI schema; enforced by the validators (which give the plainer message).
_GUID_SCHEMA: dict[str, Any] = {"pattern": GUID_PATTERN}


def _guid(value: str) -> str:
    if not is_guid(value):
        raise ValueError("must be a GUID like 00000000-0000-0000-0000-000000000000")
    return value.lower()


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FederatedAuth(_Request):
    """Caleta's multi-tenant app, consented in the customer's tenant: no secret exists. `proof` is the one-time
    handle of a verified administrator's sign-in (GET /api/onboarding/signin, docs/api.md)."""

    mode: Literal["federated"]
    proof: str = Field(min_length=1, max_length=PROOF_MAX, description="The one-time handle the sign-in round "
                                                                       "trip returned (#proof=... on the page)")


class ClientSecretAuth(_Request):
    """The customer's own service principal and its client secret (stored only in the secret store)."""

    mode: Literal["client_secret"]
    client_id: str = Field(description="Application (client) id of the service principal",
                           json_schema_extra=_GUID_SCHEMA)
    client_secret: SecretStr = Field(min_length=1, max_length=1024, description="The secret's value (shown once "
                                                                                "in the portal)")

    @field_validator("client_id")
    @classmethod
    def _client_id_is_guid(cls, value: str) -> str:
        return _guid(value)


Auth = Annotated[FederatedAuth | ClientSecretAuth, Field(discriminator="mode")]


class OnboardingRequest(_Request):
    """POST /api/onboarding."""

    company: str = Field(min_length=1, max_length=200)
    contact_email: str = Field(max_length=254, description="Where review and lifecycle e-mails go")
    tenant_id: str = Field(description="The customer's Entra tenant id (GUID)", json_schema_extra=_GUID_SCHEMA)
    auth: Auth
    subscription_ids: list[Annotated[str, AfterValidator(_guid), Field(json_schema_extra=_GUID_SCHEMA)]] = Field(
        min_length=1, max_length=MAX_SUBSCRIPTIONS, json_schema_extra={"uniqueItems": True})
    schedule: Literal["weekly", "monthly", "none"] = "weekly"

    @field_validator("company")
    @classmethod
    def _company_is_text(cls, value: str) -> str:
        if any(unicodedata.category(c) in REFUSED_CATEGORIES for c in value):
            raise ValueError(TEXT_MESSAGE)
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return plain_email(value)

    @field_validator("tenant_id")
    @classmethod
    def _tenant(cls, value: str) -> str:
        return _guid(value)


def plain_email(value: str) -> str:
    """`value` as a plain ASCII address (email-validator, strict: syntax only, no DNS, no SMTPUTF8, no quoted local
    part or IP literal), its domain normalised; ValueError otherwise."""
    if not value.isascii():
        raise ValueError(EMAIL_MESSAGE)
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False, strict=True,
                                 allow_quoted_local=False, allow_domain_literal=False)
    except EmailNotValidError:
        raise ValueError(EMAIL_MESSAGE) from None
    return str(checked.normalized)


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    # A discriminated union puts the chosen tag in the path (auth.client_secret.client_id): drop it.
    if len(parts) >= 3 and parts[0] == "auth" and parts[1] in ("federated", "client_secret"):
        del parts[1]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "must be one of: federated, client_secret"
    if kind == "json_invalid":
        return "not valid JSON"
    if kind in ("too_short", "too_long") and error["loc"] == ("subscription_ids",):
        return f"between 1 and {MAX_SUBSCRIPTIONS} subscription ids"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


def parse_onboarding(body: bytes) -> OnboardingRequest:
    """The onboarding request, or InvalidInput naming each bad field (size checked before parsing)."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput({"body": f"larger than {MAX_BODY_BYTES} bytes"})
    if not body.strip():
        raise InvalidInput({"body": "a JSON object is required"})
    try:
        request = OnboardingRequest.model_validate_json(body)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors(include_input=False, include_url=False):
            name = _field_name(tuple(error["loc"]))
            if error["type"] == "model_type" and name == "body":
                fields["body"] = "a JSON object is required"
            elif error["type"] in ("union_tag_invalid", "union_tag_not_found"):
                fields[f"{name}.mode"] = _message(error)
            else:
                fields.setdefault(name, _message(error))
        # Name repeated subscriptions too, so one answer lists every field to fix.
        for i in _duplicates(_raw_subscriptions(body)):
            fields.setdefault(f"subscription_ids[{i}]", "duplicate subscription id")
        raise InvalidInput(fields) from None
    duplicates = _duplicates(request.subscription_ids)
    if duplicates:
        raise InvalidInput({f"subscription_ids[{i}]": "duplicate subscription id" for i in duplicates})
    return request


def _raw_subscriptions(body: bytes) -> list[str]:
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError):
        return []
    subs = raw.get("subscription_ids") if isinstance(raw, dict) else None
    return [s.strip().lower() if isinstance(s, str) else f"#{i}" for i, s in enumerate(subs)] if isinstance(
        subs, list) else []


def _duplicates(values: list[str]) -> list[int]:
    seen: set[str] = set()
    out = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(i)
        seen.add(value)
    return out

