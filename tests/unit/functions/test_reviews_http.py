"""The review history routes over fakes: list, delete (200, then 404), another customer's (404), a running
scan (409), no key (401); and both in the OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func
from azure.functions.decorators.function_app import FunctionBuilder

from functions import customers, web
from shared.services import use_services
from tests.unit.fakes import API_KEY, CUSTOMER_ID, a_customer, make_world
from tests.unit.pipeline.test_reviews import reviewed

FUNCTIONS = {b.build().get_function_name(): b.build() for m in (customers, web)
             for b in vars(m).values() if isinstance(b, FunctionBuilder)}
OTHER = "f" * 32


def call(name: str, method: str, customer_id: str = CUSTOMER_ID, scan_id: str = "",
         key: str | None = API_KEY) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    req = func.HttpRequest(method=method, url="http://localhost/api/x", headers=headers, body=b"",
                           route_params={"customer_id": customer_id, "scan_id": scan_id})
    response: func.HttpResponse = FUNCTIONS[name].get_user_function()(req)
    return response.status_code, json.loads(response.get_body())


def test_reviews_are_listed_and_one_is_deleted_when_the_customer_asks() -> None:
    world = make_world()
    with use_services(world.services):
        first, second = reviewed(world), reviewed(world)
        status, body = call("list_customer_reviews", "GET")
        assert status == 200 and body["retention_months"] == 13
        assert [r["scan_id"] for r in body["reviews"]] == [second, first]
        assert call("delete_customer_scan", "DELETE", scan_id=first)[0] == 200
        assert call("delete_customer_scan", "DELETE", scan_id=first)[0] == 404
        assert [r["scan_id"] for r in call("list_customer_reviews", "GET")[1]["reviews"]] == [second]


def test_delete_answers_404_for_another_customers_and_409_for_a_running_scan_when_asked() -> None:
    world = make_world()
    world.add_customer(a_customer(OTHER), api_key="o" * 43)
    with use_services(world.services):
        mine = reviewed(world)
        assert call("delete_customer_scan", "DELETE", customer_id=OTHER, scan_id=mine, key="o" * 43)[0] == 404
        assert call("delete_customer_scan", "DELETE", customer_id=OTHER, scan_id=mine)[0] == 404  # wrong key
        assert call("start_scan", "POST")[0] == 202
        running = world.scans.reviews(CUSTOMER_ID)[0][0].scan_id
        status, body = call("delete_customer_scan", "DELETE", scan_id=running)
        assert (status, body["error"]) == (409, "conflict")


def test_review_routes_answer_401_when_no_api_key() -> None:
    assert call("list_customer_reviews", "GET", key=None)[0] == 401
    assert call("delete_customer_scan", "DELETE", scan_id="abc", key=None)[0] == 401


def test_openapi_describes_the_review_routes_when_served() -> None:
    from shared.api.openapi import openapi_document

    paths = openapi_document()["paths"]
    assert paths["/api/customers/{customer_id}/reviews"]["get"]["operationId"] == "list_customer_reviews"
    delete = paths["/api/customers/{customer_id}/scans/{scan_id}"]["delete"]
    assert delete["operationId"] == "delete_customer_scan" and "409" in delete["responses"]
    assert {"ReviewList", "ReviewDeleted", "Review"} <= set(openapi_document()["components"]["schemas"])
