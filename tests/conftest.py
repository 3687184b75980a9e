"""Session-scoped servers for integration tests, each started only when a test asks for it, always stopped."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from local.azurite import Azurite
from local.certs import CertPaths, make_certs

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_ESTATE = REPO_ROOT / "local" / "estates" / "demo.json"
# The purge's second pass waits FUNCTION_TIMEOUT_SECONDS + SERVICEBUS_LOCK_SECONDS (15 minutes as deployed).
# Tests shorten the wait; the races they run hold the work in flight and release it well inside it.
SHORT_PURGE_GRACE = {"FUNCTION_TIMEOUT_SECONDS": "5", "SERVICEBUS_LOCK_SECONDS": "3"}
# Every test client of the session stack is one address (127.0.0.1), and a federated onboarding is three or four
# counted calls (sign-in, callback, consent, POST): the default 60 an hour per address is spent part-way through
# the suite, and later tests would get 429 depending on which ran before. The shared stack's allowance covers
# the suite; the test of the limit itself (test_onboarding_proof.py) reads it and spends it from its own address.
SESSION_STACK_SETTINGS = {**SHORT_PURGE_GRACE, "ONBOARDING_RATE_PER_ADDRESS_PER_HOUR": "300"}


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> CertPaths:
    """A CA and a 127.0.0.1 leaf for every HTTPS server of the session."""
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def azurite(certs: CertPaths, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Azurite over HTTPS + OAuth on free ports."""
    server = Azurite(certs, tmp_path_factory.mktemp("azurite")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def simulator(certs: CertPaths) -> Iterator[Any]:
    """The simulated tenant serving the demo estate."""
    from local.simulator import Simulator  # imported here so tests that do not need it never load it

    sim = Simulator(DEMO_ESTATE, certs)
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture(scope="session")
def broker() -> Iterator[Any]:
    """The AMQP 1.0 broker with the product's queues (shared/messages.QUEUES)."""
    from local.broker import Broker
    from shared.messages import QUEUES

    server = Broker(queues=QUEUES)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The whole local stack on the demo estate, the function app running in a host subprocess."""
    from local.stack import Stack

    with Stack(DEMO_ESTATE, tmp_path_factory.mktemp("stack"), settings_overrides=SESSION_STACK_SETTINGS) as running:
        yield running


@dataclass
class ApiResponse:
    """One HTTP answer: status, headers (lower-case keys) and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class Api:
    """A tiny client for the app's HTTP API (urllib, bounded timeouts, no exceptions on 4xx/5xx)."""

    base_url: str
    api_key: str | None = None
    timeout: float = 30.0
    default_headers: dict[str, str] = field(default_factory=dict)
    # The local CA, for the simulated tenant a federated sign-in round trip visits (tests/e2e/onboarding_support).
    ca_bundle: str = ""

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                api_key: str | None = None) -> ApiResponse:
        """Send `method path` (relative to base_url); a dict/list body is sent as JSON."""
        data = None
        all_headers = dict(self.default_headers)
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers.setdefault("Content-Type", "application/json")
        key = api_key or self.api_key
        if key:
            all_headers["Authorization"] = f"Bearer {key}"
        all_headers.update(headers or {})
        url = self.base_url.rstrip("/") + "/" + path.lstrip("/")
        req = urllib.request.Request(url, data=data, method=method, headers=all_headers)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - loopback http only
                return ApiResponse(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as err:
            return ApiResponse(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())

    def get(self, path: str, **kw: Any) -> ApiResponse:
        """GET path."""
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> ApiResponse:
        """POST path with a JSON body."""
        return self.request("POST", path, body, **kw)


@pytest.fixture(scope="session")
def api(stack: Any) -> Api:
    """A client for the stack's HTTP API (base URL = the host's http_base)."""
    return Api(stack.endpoints["http_base"], ca_bundle=stack.endpoints["ca_bundle"])


@pytest.fixture
def in_process(stack: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process configured like the host (same settings), so use cases and store reads run here."""
    from shared.config import reset_settings
    from shared.identity import caleta_credential
    from shared.services import reset_services
    from shared.storage.clients import reset_clients

    def reset() -> None:
        reset_settings()
        reset_clients()
        reset_services()
        caleta_credential.cache_clear()

    for key, value in stack.app_settings.items():
        monkeypatch.setenv(key, value)
    reset()
    yield
    monkeypatch.undo()
    reset()
