"""The lifecycle in the pipeline: scan started is audited, a published report is announced once."""

from __future__ import annotations

from azure.core.exceptions import ClientAuthenticationError

from shared.collectors.errors import classify
from shared.errors import AccessDenied
from shared.messages import AnalyseScan
from shared.pipeline.analyse import analyse_scan
from shared.pipeline.scan import request_scan
from tests.unit.fakes import CUSTOMER_ID, make_world


def test_scan_start_is_audited_when_a_scan_is_requested() -> None:
    world = make_world()
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "api")
    events = [(e["event"], e["details"]) for e in world.services.audit.events(CUSTOMER_ID)]
    assert events == [("scan_started", {"scan_id": scan_id, "reason": "api"})]


def test_report_is_announced_once_when_analysis_is_delivered_twice() -> None:
    world = make_world()
    scan_id = request_scan(world.services, world.customers.get(CUSTOMER_ID), "api")
    world.scans.transition(CUSTOMER_ID, scan_id, {"queued"}, "collecting")
    world.scans.transition(CUSTOMER_ID, scan_id, {"collecting"}, "analysing")
    message = AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id)
    analyse_scan(message, world.services)
    analyse_scan(message, world.services)
    ended = [e["details"] for e in world.services.audit.events(CUSTOMER_ID) if e["event"] == "scan_ended"]
    assert [(d["scan_id"], d["status"]) for d in ended] == [(scan_id, "complete")]
    assert [e.kind for e in world.outbox.sent] == ["review_ready"]


def test_analysis_dropped_without_report_when_customer_is_offboarding() -> None:
    world = make_world(state="offboarding")
    scan_id = "0" * 24
    world.scans.create(CUSTOMER_ID, scan_id, ["s"], "api")
    world.scans.transition(CUSTOMER_ID, scan_id, {"queued"}, "collecting")
    world.scans.transition(CUSTOMER_ID, scan_id, {"collecting"}, "analysing")
    assert analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.services) == "dropped"
    assert not world.blobs


def test_sign_in_refusal_with_token_endpoint_400_is_access_denied_when_app_is_disabled() -> None:
    class TokenEndpoint400:
        status_code = 400
        headers: dict[str, str] = {}
        reason = "Bad Request"
        request = None

        def text(self) -> str:
            return ""

    exc = ClientAuthenticationError("AADSTS7000112: Application is disabled.", response=TokenEndpoint400())
    assert isinstance(classify(exc, "cost query"), AccessDenied)
