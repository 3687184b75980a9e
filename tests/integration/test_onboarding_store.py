"""Onboarding end to end in process: the simulated tenant, customer rows in Azurite, the encrypted file store."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.azurite import Azurite
from local.certs import CertPaths
from local.demo import onboarding_body
from local.estates.model import Estate, load_estate
from shared.arm import ARM_SCOPE
from shared.config import get_settings, reset_settings
from shared.errors import InvalidInput, NotFound
from shared.identity import caleta_credential
from shared.messages import ScanRequested
from shared.pipeline.onboard import onboard
from shared.pipeline.revalidate import revalidate_customer
from shared.services import Services, build_services
from shared.storage.clients import open_table, reset_clients
from shared.storage.customers import CUSTOMERS_TABLE
from tests.conftest import DEMO_ESTATE
from tests.unit.fakes import RecordingBus

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(simulator: Any, azurite: Azurite, certs: CertPaths, tmp_path_factory: pytest.TempPathFactory,
          ) -> Iterator[tuple[Estate, Path]]:
    """Function App settings for the simulator, Azurite and a fresh encrypted secret directory."""
    loaded = load_estate(DEMO_ESTATE)
    secret_dir = tmp_path_factory.mktemp("secrets")
    settings = {"AZURE_AUTHORITY_HOST": simulator.base_url, "ARM_ENDPOINT": simulator.base_url,
                "REQUESTS_CA_BUNDLE": str(certs.bundle), "IDENTITY_ENDPOINT": simulator.msi_endpoint,
                "IDENTITY_HEADER": simulator.msi_header,
                "MANAGED_IDENTITY_CLIENT_ID": loaded.caleta.managed_identity_client_id,
                "CALETA_APP_CLIENT_ID": loaded.caleta.app_client_id,
                "STORAGE_BLOB_ENDPOINT": azurite.blob_endpoint, "STORAGE_TABLE_ENDPOINT": azurite.table_endpoint,
                "SECRET_STORE_URL": secret_dir.as_uri(),
                "SECRET_STORE_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in settings.items():
            mp.setenv(name, value)
        reset_settings()
        caleta_credential.cache_clear()
        reset_clients()
        yield loaded, secret_dir
    reset_settings()
    caleta_credential.cache_clear()
    reset_clients()


def services(bus: RecordingBus | None = None) -> Services:
    """The real adapters (Azurite, the simulated tenant, the encrypted file store); the bus records instead."""
    real = build_services(get_settings())
    real.publish = bus or RecordingBus()
    return real


def customer_rows() -> list[Any]:
    return list(open_table(CUSTOMERS_TABLE).list_entities())


def pennine(estate: Estate) -> dict[str, Any]:
    return onboarding_body(next(t for t in estate.tenants if t.display_name.startswith("Pennine")), estate)


def test_customer_secret_and_scan_are_recorded_when_onboarded(world: tuple[Estate, Path]) -> None:
    # given
    estate, secret_dir = world
    body, bus = pennine(estate), RecordingBus()
    secret = body["auth"]["client_secret"]
    real = services(bus)
    # when
    answer = onboard(json.dumps(body).encode(), real)
    # then
    customer = real.customers.get(answer.customer_id)
    assert len(customer.subscription_ids) == 3
    assert bus.sent == [ScanRequested(customer_id=customer.customer_id, scan_id=str(answer.first_scan_id))]
    assert real.scans.get(customer.customer_id, str(answer.first_scan_id)).requested_by == "onboarding"
    assert real.secrets.get(customer.customer_id) == secret
    assert secret not in json.dumps(customer_rows(), default=str)
    assert all(secret.encode() not in p.read_bytes() for p in secret_dir.iterdir())
    assert real.customers.authenticate_key(customer.customer_id, answer.api_key) == customer


def test_stored_secret_signs_in_when_pipeline_asks_for_the_customer_credential(world: tuple[Estate, Path]) -> None:
    estate, _ = world
    real = services()
    answer = onboard(json.dumps(pennine(estate)).encode(), real)
    credential = real.credentials.for_customer(real.customers.get(answer.customer_id))
    assert credential.get_token(ARM_SCOPE).token.count(".") == 2


def test_customer_awaits_roles_with_its_secret_and_no_scan_when_no_subscription_is_readable_yet(
        world: tuple[Estate, Path]) -> None:
    # given: Pennine's principal asked about a subscription it holds no role on (docs/onboarding-design.md section
    # 4: roles may take minutes to show, so this is not a refusal)
    estate, secret_dir = world
    body, bus = pennine(estate), RecordingBus()
    unreadable = next(t for t in estate.tenants if t.display_name.startswith("Tamar")).subscriptions[0].subscription_id
    body["subscription_ids"] = [unreadable]
    real = services(bus)
    # when
    answer = onboard(json.dumps(body).encode(), real)
    # then: a key and no scan; the customer awaits roles on what it asked for; the secret is kept (encrypted) for
    # the re-checks to sign in with, and is nowhere in the customer's row
    assert (answer.state, answer.first_scan_id) == ("awaiting_roles", None)
    assert [(s.subscription_id, s.status) for s in answer.validation.subscriptions] == [(unreadable, "awaiting_roles")]
    customer = real.customers.authenticate_key(answer.customer_id, answer.api_key)
    assert customer.state == "awaiting_roles" and customer.subscription_ids == (unreadable,)
    assert bus.sent == [] and real.scans.for_customer(customer.customer_id) == []
    assert real.secrets.get(customer.customer_id) == body["auth"]["client_secret"]
    assert body["auth"]["client_secret"] not in json.dumps(customer_rows(), default=str)
    assert all(body["auth"]["client_secret"].encode() not in p.read_bytes() for p in secret_dir.iterdir())


def test_nothing_is_stored_when_the_secret_is_refused(world: tuple[Estate, Path]) -> None:
    estate, secret_dir = world
    body = pennine(estate)
    body["auth"]["client_secret"] = "wrong-secret-value"
    before = (len(customer_rows()), sorted(secret_dir.iterdir()))
    with pytest.raises(InvalidInput) as refused:
        onboard(json.dumps(body).encode(), services())
    assert "auth.client_secret" in refused.value.fields
    assert (len(customer_rows()), sorted(secret_dir.iterdir())) == before


def test_other_customers_key_is_refused_as_not_found_when_used(world: tuple[Estate, Path]) -> None:
    estate, _ = world
    real = services()
    first = onboard(json.dumps(pennine(estate)).encode(), real)
    second = onboard(json.dumps(pennine(estate)).encode(), real)
    with pytest.raises(NotFound):
        real.customers.authenticate_key(second.customer_id, first.api_key)


def test_revalidation_drops_a_subscription_when_its_role_is_removed(world: tuple[Estate, Path],
                                                                    simulator: Any) -> None:
    # given
    estate, _ = world
    body = pennine(estate)
    pennine_tenant = next(t for t in estate.tenants if t.display_name.startswith("Pennine"))
    app = next(a for a in pennine_tenant.applications if a.client_id == body["auth"]["client_id"])
    real = services()
    answer = onboard(json.dumps(body).encode(), real)
    dropped = body["subscription_ids"][1]
    simulator.reset()
    try:
        assert simulator.remove_role(pennine_tenant.tenant_id, app.object_id, "Reader",
                                     f"/subscriptions/{dropped}") == 1
        # when
        revalidate_customer(real, real.customers.get(answer.customer_id))
    finally:
        simulator.reset()
    # then
    customer = real.customers.get(answer.customer_id)
    assert dropped not in customer.subscription_ids and len(customer.subscription_ids) == 2
    assert {s["subscription_id"]: s["missing"] for s in customer.validation["subscriptions"]}[dropped] == ["Reader"]
