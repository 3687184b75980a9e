"""query_all: every page, fail closed on broken paging, quota headers and 429s honoured; a refused batch skipped;
query_batched under a deadline."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from shared.collectors.arg import query_all, query_batched
from shared.deadline import Deadline
from shared.errors import AccessDenied, IncompleteResults, NotCollectable, Throttled, TransientError


class FakeHttpResponse:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.body = body
        self.headers = headers or {}
        self.reason = "x"

    def json(self) -> Any:
        return self.body

    def text(self) -> str:
        return json.dumps(self.body)


class FakePipelineResponse:
    def __init__(self, http_response: FakeHttpResponse) -> None:
        self.http_response = http_response


class FakeGraph:
    """Answers `resources` from a list of (status, body, headers), recording the bodies it was sent."""

    def __init__(self, answers: list[tuple[int, Any, dict[str, str]]]) -> None:
        self.answers = answers
        self.sent: list[dict[str, Any]] = []
        self.options: list[dict[str, Any]] = []

    def resources(self, query: Any, *, content_type: str, cls: Any, **options: Any) -> Any:
        self.sent.append(json.loads(query.read()))
        self.options.append(options)
        status, body, headers = self.answers.pop(0)
        response = FakeHttpResponse(status, body, headers)
        if status != 200:
            raise HttpResponseError(response=response)  # type: ignore[arg-type]
        return cls(FakePipelineResponse(response), None, {})


def page(rows: list[dict[str, Any]], token: str | None = None, total: int | None = None,
         truncated: str = "false") -> dict[str, Any]:
    body: dict[str, Any] = {"data": rows, "count": len(rows), "resultTruncated": truncated}
    if token:
        body["$skipToken"] = token
    if total is not None:
        body["totalRecords"] = total
    return body


def run(graph: FakeGraph, subs: list[str] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    return query_all(graph, "Resources | project id", subs or ["s1"], **kwargs)  # type: ignore[arg-type]


def test_every_page_is_returned_when_skip_tokens_chain() -> None:
    graph = FakeGraph([(200, page([{"id": "a"}], "t1", 3), {}), (200, page([{"id": "b"}], "t2", 3), {}),
                       (200, page([{"id": "c"}], None, 3), {})])
    assert [r["id"] for r in run(graph)] == ["a", "b", "c"]
    assert [b["options"].get("$skipToken") for b in graph.sent] == [None, "t1", "t2"]


def test_page_size_and_scope_filter_are_sent_when_asked() -> None:
    graph = FakeGraph([(200, page([]), {})])
    run(graph, page_size=50, scope_filter="AtScopeAndAbove")
    assert graph.sent[0]["options"] == {"$top": 50, "resultFormat": "objectArray",
                                        "authorizationScopeFilter": "AtScopeAndAbove"}
    assert graph.sent[0]["subscriptions"] == ["s1"]


def test_table_format_is_turned_into_rows_when_returned() -> None:
    graph = FakeGraph([(200, {"data": {"columns": [{"name": "id"}, {"name": "n"}], "rows": [["a", 1]]}}, {})])
    assert run(graph) == [{"id": "a", "n": 1}]


def test_query_fails_when_result_truncated() -> None:
    with pytest.raises(IncompleteResults):
        run(FakeGraph([(200, page([{"id": "a"}], truncated="true"), {})]))


def test_query_fails_when_skip_token_repeats() -> None:
    graph = FakeGraph([(200, page([{"id": "a"}], "t1"), {}), (200, page([{"id": "b"}], "t1"), {})])
    with pytest.raises(IncompleteResults):
        run(graph)


def test_query_fails_when_rows_are_missing_and_no_skip_token() -> None:
    with pytest.raises(IncompleteResults):
        run(FakeGraph([(200, page([{"id": "a"}], None, 5), {})]))


def test_subscriptions_are_batched_when_more_than_three_hundred() -> None:
    graph = FakeGraph([(200, page([{"id": "a"}]), {}), (200, page([{"id": "b"}]), {})])
    subs = [f"s{i}" for i in range(450)]
    assert [r["id"] for r in run(graph, subs)] == ["a", "b"]
    assert [len(b["subscriptions"]) for b in graph.sent] == [300, 150]


def test_throttled_request_is_retried_after_quota_reset_when_429() -> None:
    waits: list[float] = []
    graph = FakeGraph([(429, {"error": {"code": "RateLimiting"}}, {"x-ms-user-quota-resets-after": "00:00:03"}),
                       (200, page([{"id": "a"}]), {})])
    assert run(graph, sleep=waits.append) == [{"id": "a"}]
    # The quota reset, plus the shared retry loop's jitter (at most 0.25 s) so instances don't retry in step.
    assert len(waits) == 1 and 3.0 <= waits[0] < 3.25


def test_next_page_waits_for_reset_when_quota_is_spent() -> None:
    waits: list[float] = []
    spent = {"x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:02"}
    graph = FakeGraph([(200, page([{"id": "a"}], "t1"), spent), (200, page([{"id": "b"}]), {})])
    run(graph, sleep=waits.append)
    assert waits == [2.0]


def test_throttled_is_raised_when_429_persists() -> None:
    graph = FakeGraph([(429, {}, {"retry-after": "1"})] * 5)
    with pytest.raises(Throttled):
        run(graph, sleep=lambda _s: None)


@pytest.mark.parametrize("status", [401, 403])
def test_access_denied_is_raised_when_arm_refuses(status: int) -> None:
    with pytest.raises(AccessDenied):
        run(FakeGraph([(status, {"error": {"code": "AuthorizationFailed"}}, {})]))


def test_transient_error_is_raised_when_server_fails() -> None:
    with pytest.raises(TransientError):
        run(FakeGraph([(503, {}, {})]))


def test_page_size_is_refused_when_out_of_range() -> None:
    with pytest.raises(ValueError):
        run(FakeGraph([]), page_size=1001)


# The refusal captured from Resource Graph (microsoft/ARI#199, Azure/cosmos-explorer#1877); Microsoft's docs list none.
TOO_LARGE = {"error": {"code": "BadRequest", "message": "Please provide below info when asking for support: ...",
                       "details": [{"code": "ResponsePayloadTooLarge", "message": "Response payload size is 17000000, "
                                    "and has exceeded the limit of 16777216. Please consider querying less data at "
                                    "a time and make paginated call if needed."}]}}


def test_page_size_halves_and_stays_lower_when_a_page_is_too_large():
    # given: the second page is too large at 4 rows, and again at 2
    graph = FakeGraph([(200, page([{"id": "a"}] * 4, token="t1", total=9), {}), (400, TOO_LARGE, {}),
                       (400, TOO_LARGE, {}), (200, page([{"id": "b"}], token="t2", total=9), {}),
                       (200, page([{"id": "c"}] * 4, total=9), {})])
    # when
    rows = run(graph, page_size=4)
    # then: the same page asked again at 2, then 1 row; later pages keep the smaller size
    assert len(rows) == 9
    assert [b["options"]["$top"] for b in graph.sent] == [4, 4, 2, 1, 1]
    assert [b["options"].get("$skipToken") for b in graph.sent] == [None, "t1", "t1", "t1", "t2"]


def test_other_bad_requests_are_not_retried_as_too_large_when_the_code_differs():
    bad = {"error": {"code": "BadRequest", "details": [{"code": "InvalidQuery", "message": "x"}]}}
    graph = FakeGraph([(400, bad, {})])
    with pytest.raises(NotCollectable):
        run(graph, page_size=4)
    assert len(graph.sent) == 1


def test_a_single_row_over_the_limit_is_not_collectable_when_pages_cannot_shrink():
    graph = FakeGraph([(400, TOO_LARGE, {}), (400, TOO_LARGE, {})])
    with pytest.raises(NotCollectable):
        run(graph, page_size=2)
    assert [b["options"]["$top"] for b in graph.sent] == [2, 1]


def test_refused_batch_is_skipped_when_another_batch_answers() -> None:
    # Resource Graph answers 403 for a batch of only unreadable subscriptions (security finding 6)
    graph = FakeGraph([(403, {"error": {"code": "AccessDenied"}}, {}), (200, page([{"id": "b"}]), {})])
    subs = [f"s{i}" for i in range(303)]
    assert run(graph, subs) == [{"id": "b"}]
    graph = FakeGraph([(403, {"error": {"code": "AccessDenied"}}, {}), (200, page([{"id": "b"}]), {})])
    batched = query_batched(graph, "q", subs)  # type: ignore[arg-type]
    assert (batched.rows, batched.refused, batched.unfinished) == ([{"id": "b"}], subs[:300], [])


def test_every_batch_refused_is_access_denied_when_none_answers() -> None:
    graph = FakeGraph([(403, {"error": {"code": "AccessDenied"}}, {})] * 2)
    with pytest.raises(AccessDenied):
        run(graph, [f"s{i}" for i in range(301)])


def test_a_429_longer_than_the_deadline_leaves_the_batch_unfinished_without_waiting() -> None:
    # given: 5 s left, Resource Graph asks for 30
    waits: list[float] = []
    graph = FakeGraph([(429, {}, {"retry-after": "30"}), (200, page([{"id": "b"}]), {})])
    subs = [f"s{i}" for i in range(301)]
    # when
    batched = query_batched(graph, "q", subs, sleep=waits.append,  # type: ignore[arg-type]
                            deadline=Deadline(5.0, lambda: 0.0))
    # then: no wait; azure-core's own Retry-After sleep is off and each call is bounded by the time left
    assert waits == [] and batched.unfinished == subs[:300] and batched.rows == [{"id": "b"}]
    assert graph.options[0] == {"retry_total": 0, "timeout": 5.0, "read_timeout": 5.0}


def test_nothing_is_sent_when_the_deadline_has_passed() -> None:
    graph = FakeGraph([])
    batched = query_batched(graph, "q", ["s1"], deadline=Deadline(0.5, lambda: 0.0))  # type: ignore[arg-type]
    assert (batched.unfinished, graph.sent) == (["s1"], [])


class RecordingTurns:
    """Turns that note every call, and refuse a turn when told to."""

    def __init__(self, refuse: bool = False) -> None:
        self.calls: list[str] = []
        self.refuse = refuse

    def take(self, max_wait: float) -> None:
        self.calls.append("take")
        if self.refuse:
            raise Throttled("booked up", 30.0)

    def answered(self) -> None:
        self.calls.append("answered")

    def throttled(self, seconds: float) -> None:
        self.calls.append(f"throttled {seconds:g}")


def test_every_request_takes_a_turn_and_reports_its_answer_when_turns_are_shared() -> None:
    graph = FakeGraph([(200, page([{"id": "a"}], "t1"), {}), (200, page([{"id": "b"}]), {})])
    turns = RecordingTurns()
    assert run(graph, turns=turns, sleep=lambda _s: None) == [{"id": "a"}, {"id": "b"}]
    assert turns.calls == ["take", "answered", "take", "answered"]


def test_a_429_holds_back_every_task_of_the_principal_when_turns_are_shared() -> None:
    graph = FakeGraph([(429, {"error": {"code": "RateLimiting"}}, {"x-ms-user-quota-resets-after": "00:00:03"}),
                       (200, page([{"id": "a"}]), {})])
    turns = RecordingTurns()
    run(graph, turns=turns, sleep=lambda _s: None)
    assert turns.calls == ["take", "answered", "throttled 3", "take", "answered"]


def test_no_request_leaves_when_the_turn_is_too_far_off() -> None:
    graph = FakeGraph([(200, page([{"id": "a"}]), {})])
    with pytest.raises(Throttled):
        run(graph, turns=RecordingTurns(refuse=True), sleep=lambda _s: None)
    assert graph.sent == []
