"""Route templates of the local Functions host."""

import pytest

from local.host.routes import RouteTemplateError, compile_route, join_prefix

GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def test_route_params_are_extracted_when_path_matches() -> None:
    route = compile_route("api/customers/{id}/scans/{scan_id}")
    assert route.match("/api/customers/c1/scans/s2") == {"id": "c1", "scan_id": "s2"}


def test_no_match_when_segment_count_differs() -> None:
    route = compile_route("api/customers/{id}")
    assert route.match("/api/customers/c1/scans") is None


def test_literal_segments_match_case_insensitively_when_casing_differs() -> None:
    assert compile_route("api/Health").match("/API/health") == {}


def test_guid_constraint_refuses_when_value_is_not_a_guid() -> None:
    route = compile_route("api/items/{id:guid}")
    assert route.match(f"/api/items/{GUID}") == {"id": GUID}
    assert route.match("/api/items/not-a-guid") is None


def test_int_and_range_constraints_apply_when_declared() -> None:
    route = compile_route("page/{n:int:range(1,10)}")
    assert route.match("page/5") == {"n": "5"}
    assert route.match("page/50") is None
    assert route.match("page/x") is None


def test_optional_param_may_be_absent_when_marked_with_question_mark() -> None:
    route = compile_route("items/{id}/parts/{part?}")
    assert route.match("items/1/parts") == {"id": "1"}
    assert route.match("items/1/parts/p") == {"id": "1", "part": "p"}


def test_param_inside_segment_matches_when_mixed_with_literal() -> None:
    route = compile_route("scans/{scan_id}/report.{fmt}")
    assert route.match("scans/s1/report.csv") == {"scan_id": "s1", "fmt": "csv"}


def test_catch_all_takes_the_rest_when_star_prefix_used() -> None:
    assert compile_route("files/{*path}").match("files/a/b/c.txt") == {"path": "a/b/c.txt"}


def test_values_are_url_decoded_when_escaped() -> None:
    assert compile_route("q/{term}").match("q/a%20b") == {"term": "a b"}


def test_literal_routes_sort_before_parameterised_when_both_match() -> None:
    literal = compile_route("api/customers/me")
    param = compile_route("api/customers/{id}")
    assert sorted([param, literal], key=lambda r: r.sort_key)[0] is literal


def test_unknown_constraint_is_refused_when_compiling() -> None:
    with pytest.raises(RouteTemplateError):
        compile_route("x/{id:colour}")


def test_prefix_is_joined_when_present_and_dropped_when_empty() -> None:
    assert join_prefix("api", "/health") == "api/health"
    assert join_prefix("", "health") == "health"
