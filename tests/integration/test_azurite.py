"""Azurite over HTTPS + OAuth: blob and table round trips with tokens from the simulated Entra ID and MSI."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceModifiedError
from azure.data.tables import TableServiceClient, UpdateMode
from azure.identity import ClientSecretCredential, ManagedIdentityCredential
from azure.storage.blob import BlobServiceClient, ContentSettings

from local.azurite import Azurite
from local.certs import CertPaths
from tests.conftest import DEMO_ESTATE
from tests.tokens import UnsignedToken

pytestmark = pytest.mark.integration


def _tenant_app_with_secret() -> tuple[str, str, str]:
    from local.estates.model import load_estate

    estate = load_estate(DEMO_ESTATE)
    for tenant in estate.tenants:
        for app in tenant.applications:
            if app.secrets and not app.federated and app.enabled:
                secret = max(app.secrets, key=lambda s: s.expires)
                return tenant.tenant_id, app.client_id, secret.value
    raise AssertionError("the demo estate has no application with a secret")


@pytest.fixture(scope="module")
def secret_credential(simulator: Any, certs: CertPaths) -> ClientSecretCredential:
    tenant_id, client_id, secret = _tenant_app_with_secret()
    return ClientSecretCredential(tenant_id, client_id, secret, authority=simulator.base_url,
                                  disable_instance_discovery=True, connection_verify=str(certs.bundle))


@pytest.fixture
def msi_credential(simulator: Any, certs: CertPaths, monkeypatch: pytest.MonkeyPatch) -> ManagedIdentityCredential:
    from local.estates.model import load_estate

    # ManagedIdentityCredential reads the App Service variables, as it does in Azure.
    monkeypatch.setenv("IDENTITY_ENDPOINT", simulator.msi_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", simulator.msi_header)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certs.bundle))
    client_id = load_estate(DEMO_ESTATE).caleta.managed_identity_client_id
    return ManagedIdentityCredential(client_id=client_id, connection_verify=str(certs.bundle))


def _blob_round_trip(azurite: Azurite, certs: CertPaths, credential: Any) -> None:
    service = BlobServiceClient(azurite.blob_endpoint, credential=credential, connection_verify=str(certs.bundle))
    container = service.get_container_client(f"c{uuid.uuid4().hex[:12]}")
    container.create_container()
    payload = {"rows": [1, 2, 3]}
    container.upload_blob("raw/s1/cost.json.gz", gzip.compress(json.dumps(payload).encode()), overwrite=True,
                          content_settings=ContentSettings(content_type="application/json", content_encoding="gzip"))
    raw = container.download_blob("raw/s1/cost.json.gz", decompress=False).readall()
    assert json.loads(gzip.decompress(raw)) == payload
    assert [b.name for b in container.list_blobs(name_starts_with="raw/")] == ["raw/s1/cost.json.gz"]
    container.delete_container()


def test_blob_round_trip_works_when_token_comes_from_entra(azurite: Azurite, certs: CertPaths,
                                                            secret_credential: ClientSecretCredential) -> None:
    _blob_round_trip(azurite, certs, secret_credential)


def test_blob_round_trip_works_when_token_comes_from_managed_identity(
        azurite: Azurite, certs: CertPaths, msi_credential: ManagedIdentityCredential) -> None:
    _blob_round_trip(azurite, certs, msi_credential)


def test_table_update_honours_etag_when_token_comes_from_entra(azurite: Azurite, certs: CertPaths,
                                                                secret_credential: ClientSecretCredential) -> None:
    service = TableServiceClient(azurite.table_endpoint, credential=secret_credential,
                                 connection_verify=str(certs.bundle))
    table = service.create_table_if_not_exists(f"t{uuid.uuid4().hex[:12]}")
    table.upsert_entity({"PartitionKey": "cust", "RowKey": "scan1", "status": "queued"})
    entity = table.get_entity("cust", "scan1")
    entity["status"] = "collecting"

    table.update_entity(entity, mode=UpdateMode.MERGE, etag=entity.metadata["etag"],
                        match_condition=MatchConditions.IfNotModified)
    with pytest.raises(ResourceModifiedError):
        table.update_entity(entity, mode=UpdateMode.MERGE, etag=entity.metadata["etag"],
                            match_condition=MatchConditions.IfNotModified)
    assert table.get_entity("cust", "scan1")["status"] == "collecting"
    service.delete_table(table.table_name)


def test_blob_access_is_refused_when_token_audience_is_wrong(azurite: Azurite, certs: CertPaths) -> None:
    service = BlobServiceClient(azurite.blob_endpoint, credential=UnsignedToken("https://management.azure.com"),
                                connection_verify=str(certs.bundle), retry_total=0)
    with pytest.raises((ClientAuthenticationError, HttpResponseError)) as caught:
        service.get_container_client("denied").create_container()
    assert getattr(caught.value, "status_code", None) == 403
