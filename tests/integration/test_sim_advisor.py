"""Advisor through the real AdvisorManagementClient: filter, nextLink paging and string extendedProperties."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest
from azure.mgmt.advisor import AdvisorManagementClient

from local.simulator import SimOptions
from tests.integration.sim_fixtures import (
    CONTOSO,
    PROD,
    READER,
    TAGGER,
    secret_credential,
    sim,
    sim_certs,
    sim_server,
)
from tests.integration.sim_variants import running

pytestmark = pytest.mark.integration
__all__ = ["sim", "sim_certs", "sim_server"]


def client(sim, certs, app=READER) -> AdvisorManagementClient:
    cred = secret_credential(sim, certs, CONTOSO, app[0], app[1])
    return AdvisorManagementClient(cred, PROD, base_url=sim.base_url, connection_verify=str(certs.ca),
                                   retry_total=0)


def test_paging_follows_next_link_to_the_end_when_pages_hold_one(sim, sim_certs):
    recs = list(client(sim, sim_certs).recommendations.list(filter="Category eq 'Cost'"))
    pages = [e for e in sim.request_log if e.path.endswith("/recommendations")]
    assert (len(recs), len(pages)) == (3, 3)


def test_filter_on_category_keeps_only_cost_when_given(sim, sim_certs):
    recs = list(client(sim, sim_certs).recommendations.list(filter="Category eq 'Cost'"))
    assert {r.category for r in recs} == {"Cost"}


def test_all_categories_are_listed_when_no_filter(sim, sim_certs):
    assert len(list(client(sim, sim_certs).recommendations.list())) == 4


def test_extended_properties_are_strings_when_listed(sim, sim_certs):
    recs = list(client(sim, sim_certs).recommendations.list(filter="Category eq 'Cost'"))
    values = [v for r in recs for v in (r.extended_properties or {}).values()]
    assert values and all(isinstance(v, str) for v in values)


def test_suppression_ids_are_kept_when_present(sim, sim_certs):
    recs = list(client(sim, sim_certs).recommendations.list(filter="Category eq 'Cost'"))
    assert [r.suppression_ids for r in recs if r.suppression_ids] == [["bbbbbbbb-0000-0000-0000-000000000001"]]


def test_listing_is_refused_403_when_principal_cannot_read(sim, sim_certs):
    with pytest.raises(HttpResponseError) as caught:
        list(client(sim, sim_certs, TAGGER).recommendations.list())
    assert caught.value.status_code == 403


def test_listing_is_one_page_when_page_size_is_azures_default(sim_certs):
    # Advisor answered 50 recommendations per page (Azure/azure-cli#33770); the small estate has 4.
    with running(sim_certs, SimOptions()) as variant:
        recs = list(client(variant, sim_certs).recommendations.list())
        pages = [e for e in variant.request_log if e.path.endswith("/recommendations")]
    assert (len(recs), len(pages)) == (4, 1)


def test_unregistered_provider_gets_409_and_the_sdk_registration_attempt_is_refused(sim, sim_certs, monkeypatch):
    # given: the subscription registered only the providers Azure registers by default
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "registered_providers", [])
    # when
    with pytest.raises(HttpResponseError) as caught:
        list(client(sim, sim_certs).recommendations.list())
    # then: ARM's 409, azure-mgmt-core's POST .../register (a write, refused), and the 409 surfaces
    assert caught.value.error is not None
    assert (caught.value.status_code, caught.value.error.code) == (409, "MissingSubscriptionRegistration")
    assert "is not registered to use namespace 'Microsoft.Advisor'" in str(caught.value.error.message)
    tail = [(e.method, e.path.rsplit("/", 2)[-2:], e.status) for e in sim.request_log[-2:]]
    assert tail == [("GET", ["Microsoft.Advisor", "recommendations"], 409),
                    ("POST", ["Microsoft.Advisor", "register"], 403)]


def test_registered_provider_is_served_when_listed(sim, sim_certs, monkeypatch):
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "registered_providers", ["Microsoft.Advisor"])
    assert len(list(client(sim, sim_certs).recommendations.list())) == 4


def test_provider_read_reports_registration_state_when_got(sim, sim_certs, monkeypatch):
    monkeypatch.setattr(sim.state.estate.subscription(PROD), "registered_providers", ["Microsoft.Compute"])
    pipeline = client(sim, sim_certs)
    states = {ns: pipeline._send_request(  # the SDK's own pipeline, bearer included
        HttpRequest("GET", f"/subscriptions/{PROD}/providers/{ns}?api-version=2016-02-01")).json()["registrationState"]
        for ns in ("Microsoft.Advisor", "Microsoft.Compute", "Microsoft.CostManagement")}
    assert states == {"Microsoft.Advisor": "NotRegistered", "Microsoft.Compute": "Registered",
                      "Microsoft.CostManagement": "Registered"}
