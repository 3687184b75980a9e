"""HTTPS to Entra through azure-core's pipeline: the transport, retries and TLS trust the Azure SDKs use.

azure-core's default transport (requests) verifies TLS against REQUESTS_CA_BUNDLE when it is set and certifi's
roots otherwise - the same trust as every SDK client and MSAL in this app (the local stack points it at its CA).
No logging policy: request bodies (client assertions, codes) and answers (tokens) must never reach a log.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode, urlsplit

from azure.core import PipelineClient
from azure.core.exceptions import AzureError
from azure.core.pipeline.policies import HeadersPolicy, RetryPolicy, UserAgentPolicy
from azure.core.rest import HttpRequest, HttpResponse

from shared.auth.errors import EntraUnavailable

logger = logging.getLogger(__name__)

CONNECTION_TIMEOUT_S = 5
READ_TIMEOUT_S = 15


@lru_cache(maxsize=1)
def _client() -> PipelineClient[HttpRequest, HttpResponse]:
    # GETs (metadata, keys) are retried on 408/429/5xx and connection errors with azure-core's backoff.
    return PipelineClient("https://login.microsoftonline.com", policies=[
        HeadersPolicy({"Accept": "application/json"}), UserAgentPolicy("caleta-cost-review"),
        RetryPolicy(retry_total=3, retry_backoff_factor=0.5)])


def _send(request: HttpRequest, **options: Any) -> HttpResponse:
    if urlsplit(request.url).scheme != "https":
        raise EntraUnavailable("Entra is only reached over https")
    try:
        response = _client().send_request(request, connection_timeout=CONNECTION_TIMEOUT_S,
                                          read_timeout=READ_TIMEOUT_S, **options)
        response.read()
    except AzureError as exc:
        logger.warning("Entra unreachable: %s", type(exc).__name__)
        raise EntraUnavailable(f"Entra unreachable ({type(exc).__name__})") from None
    return response


def _json_object(response: HttpResponse) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise EntraUnavailable(f"Entra answered HTTP {response.status_code} without a JSON object")
    return body


def get_json(url: str) -> dict[str, Any]:
    """GET a metadata or key-set document; EntraUnavailable unless the answer is 200 with a JSON object."""
    response = _send(HttpRequest("GET", url))
    if response.status_code != 200:
        raise EntraUnavailable(f"Entra answered HTTP {response.status_code} for a metadata document")
    return _json_object(response)


def post_form(url: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """POST a form to a token endpoint, never retried (a code is single use); (status, JSON object)."""
    request = HttpRequest("POST", url, content=urlencode(form),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = _send(request, retry_total=0)
    return response.status_code, _json_object(response)
