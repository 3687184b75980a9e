"""The lifecycle's hooks in the pipeline: scan started is audited, a published report is announced once."""

from __future__ import annotations

from typing import Any

from shared.messages import AnalyseScan
from shared.pipeline.analyse import analyse_scan
from shared.pipeline.scan import request_scan
from tests.unit.pipeline_fakes import CUSTOMER_ID, make_world


def test_scan_start_is_audited_when_a_scan_is_requested() -> None:
    world = make_world()
    events: list[tuple[str, str, dict[str, Any]]] = []
    world.pipeline.audit = lambda cid, event, details: events.append((cid, event, details))
    scan_id = request_scan(world.customers.get(CUSTOMER_ID), "api", pipeline=world.pipeline)
    assert events == [(CUSTOMER_ID, "scan_started", {"scan_id": scan_id, "reason": "api"})]


def test_report_hook_runs_once_when_analysis_is_delivered_twice() -> None:
    world = make_world()
    calls: list[tuple[str, str]] = []
    world.pipeline.on_report = lambda cid, sid, status, bundle: calls.append((sid, status))
    scan_id = request_scan(world.customers.get(CUSTOMER_ID), "api", pipeline=world.pipeline)
    world.pipeline.scans.transition(CUSTOMER_ID, scan_id, {"queued"}, "analysing")
    message = AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id)
    analyse_scan(message, world.pipeline)
    analyse_scan(message, world.pipeline)
    assert calls == [(scan_id, "complete")]


def test_analysis_dropped_without_report_when_customer_is_offboarding() -> None:
    world = make_world(state="offboarding")
    scan_id = "0" * 24
    world.pipeline.scans.create(CUSTOMER_ID, scan_id, ["s"], "api")
    world.pipeline.scans.transition(CUSTOMER_ID, scan_id, {"queued"}, "analysing")
    assert analyse_scan(AnalyseScan(customer_id=CUSTOMER_ID, scan_id=scan_id), world.pipeline) == "dropped"
    assert not world.blobs


def test_sign_in_refusal_with_token_endpoint_400_is_access_denied_when_app_is_disabled() -> None:
    from azure.core.exceptions import ClientAuthenticationError

    from shared.collectors.errors import classify
    from shared.errors import AccessDenied

    class TokenEndpoint400:
        status_code = 400
        headers: dict[str, str] = {}
        reason = "Bad Request"
        request = None

        def text(self) -> str:
            return ""

    exc = ClientAuthenticationError("AADSTS7000112: Application is disabled.", response=TokenEndpoint400())
    assert isinstance(classify(exc, "cost query"), AccessDenied)
