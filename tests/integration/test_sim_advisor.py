"""Advisor through the real AdvisorManagementClient: filter, nextLink paging and string extendedProperties."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.advisor import AdvisorManagementClient

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
