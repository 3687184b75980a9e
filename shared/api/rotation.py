"""Request and response models of the two credential routes (POST …/api-key, PUT …/credential).

Kept apart from shared/api/models.py and responses.py so the credential routes carry their own shapes; the
OpenAPI document takes them from here like every other model.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from shared.errors import InvalidInput

MAX_BODY_BYTES = 4096
SECRET_MAX = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CredentialReplacement(BaseModel):
    """PUT /api/customers/{id}/credential: a new client secret of the customer's own service principal."""

    model_config = ConfigDict(extra="forbid")
    client_secret: SecretStr = Field(description="The new secret; signed in with before it is stored")


class ApiKeyRotated(BaseModel):
    """200 from POST /api/customers/{id}/api-key: the new key, shown only here; the old one no longer works."""

    api_key: str
    rotated_at: str


class CredentialReplaced(BaseModel):
    """200 from PUT /api/customers/{id}/credential: the new secret is in use; the old one was deleted."""

    state: str
    replaced_at: str
    auth_mode: Literal["client_secret"] = "client_secret"


_WHY = {"client_secret": "required: a string", "body": 'must be a JSON object {"client_secret": "..."}'}


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def parse_replacement(body: bytes) -> str:
    """The new client secret from the request body; InvalidInput naming `client_secret` (or `body`) otherwise."""
    if len(body) > MAX_BODY_BYTES:
        raise InvalidInput({"body": f"larger than {MAX_BODY_BYTES} bytes"})
    try:
        request = CredentialReplacement.model_validate_json(body or b"{}")
    except ValidationError as exc:
        # Never echo the value back: only which field is wrong, and how.
        raise InvalidInput({_field(err["loc"]): _WHY.get(_field(err["loc"]), "unknown field")
                            for err in exc.errors()}) from None
    secret = request.client_secret.get_secret_value()
    if not secret.strip() or len(secret) > SECRET_MAX or _CONTROL.search(secret):
        raise InvalidInput({"client_secret": f"1-{SECRET_MAX} characters, no control characters"})
    return secret
