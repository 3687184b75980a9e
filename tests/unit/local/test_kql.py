"""The simulator's KQL subset: operators, functions, paths, projection, ordering and errors."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from local.simulator.kql import KqlError, parse, run_query

ROWS: list[dict[str, Any]] = [
    {"id": "/s/1", "name": "vm-web-01", "type": "microsoft.compute/virtualmachines", "location": "uksouth",
     "tags": {"env": "prod", "cost-centre": "web"}, "properties": {"hardwareProfile": {"vmSize": "Standard_D4s_v3"}},
     "zones": ["1"], "sku": None},
    {"id": "/s/2", "name": "Disk-Orphan", "type": "microsoft.compute/disks", "location": "ukwest", "tags": {},
     "properties": {"diskState": "Unattached", "diskSizeGB": 128}, "zones": None, "sku": {"name": "Premium_LRS"}},
    {"id": "/s/3", "name": "pip-idle", "type": "microsoft.network/publicipaddresses", "location": "uksouth",
     "tags": {"env": "dev"}, "properties": {"ipConfiguration": None}, "zones": None, "sku": {"name": "Standard"}},
]


def ids(query: str) -> list[str]:
    return [r["id"] for r in run_query(parse(query), ROWS)]


def test_equality_is_case_sensitive_when_double_equals():
    assert ids("Resources | where type == 'Microsoft.Compute/disks'") == []


def test_tilde_equality_ignores_case_when_used():
    assert ids("Resources | where type =~ 'Microsoft.Compute/disks'") == ["/s/2"]


def test_not_equal_operators_exclude_when_matching():
    assert ids("Resources | where location != 'uksouth' and name !~ 'DISK-X'") == ["/s/2"]


def test_in_matches_exactly_when_case_differs():
    assert ids("Resources | where name in ('VM-WEB-01', 'pip-idle')") == ["/s/3"]


def test_in_tilde_ignores_case_when_used():
    assert ids("Resources | where name in~ ('VM-WEB-01', 'pip-idle')") == ["/s/1", "/s/3"]


def test_not_in_excludes_when_listed():
    assert ids("Resources | where name !in ('pip-idle')") == ["/s/1", "/s/2"]


def test_has_matches_whole_terms_when_searching():
    assert ids("Resources | where name has 'web'") == ["/s/1"]
    assert ids("Resources | where name has 'we'") == []


def test_contains_startswith_endswith_ignore_case_when_used():
    assert ids("Resources | where name contains 'ORPHAN'") == ["/s/2"]
    assert ids("Resources | where name startswith 'PIP'") == ["/s/3"]
    assert ids("Resources | where name endswith '01'") == ["/s/1"]


def test_negated_string_operator_inverts_when_prefixed():
    assert ids("Resources | where name !contains 'I'") == ["/s/1"]


def test_dotted_path_reads_dynamic_column_when_nested():
    assert ids("Resources | where properties.hardwareProfile.vmSize =~ 'standard_d4s_v3'") == ["/s/1"]


def test_bracket_path_reads_tag_when_key_has_dash():
    assert ids("Resources | where tags['cost-centre'] == 'web'") == ["/s/1"]


def test_isempty_and_isnotempty_test_missing_values_when_used():
    assert ids("Resources | where isempty(tags.env)") == ["/s/2"]
    assert ids("Resources | where isnotempty(sku)") == ["/s/2", "/s/3"]


def test_isnull_and_isnotnull_test_null_when_used():
    assert ids("Resources | where isnull(zones)") == ["/s/2", "/s/3"]
    assert ids("Resources | where isnotnull(zones)") == ["/s/1"]


def test_boolean_logic_respects_parentheses_when_mixed():
    query = "Resources | where (location == 'ukwest' or tags.env == 'dev') and not(name startswith 'pip')"
    assert ids(query) == ["/s/2"]


def test_tostring_and_tolower_convert_when_applied():
    assert ids("Resources | where tolower(tostring(sku.name)) == 'premium_lrs'") == ["/s/2"]


def test_numeric_comparison_works_when_value_is_number():
    assert ids("Resources | where toint(properties.diskSizeGB) >= 100") == ["/s/2"]


def test_project_renames_and_names_paths_when_projecting():
    rows = run_query(parse("Resources | where id == '/s/2' | project id, size = properties.diskSizeGB, "
                           "properties.diskState"), ROWS)
    assert rows == [{"id": "/s/2", "size": 128, "properties_diskState": "Unattached"}]


def test_extend_keeps_columns_when_adding():
    rows = run_query(parse("Resources | extend state = tostring(properties.diskState) | where state != ''"), ROWS)
    assert rows[0]["name"] == "Disk-Orphan" and rows[0]["state"] == "Unattached"


def test_order_by_defaults_to_descending_when_no_direction():
    assert ids("Resources | order by name") == ["/s/1", "/s/3", "/s/2"]


def test_order_by_asc_sorts_ascending_when_asked():
    assert ids("Resources | sort by location asc, name asc") == ["/s/3", "/s/1", "/s/2"]


def test_take_limits_rows_and_marks_query_limited_when_used():
    query = parse("Resources | order by id asc | take 2")
    assert [r["id"] for r in run_query(query, ROWS)] == ["/s/1", "/s/2"] and query.limited


def test_table_name_is_lower_cased_when_parsed():
    assert parse("AuthorizationResources | limit 1").table == "authorizationresources"


def test_parse_fails_when_operator_is_unsupported():
    with pytest.raises(KqlError, match="unsupported operator"):
        parse("Resources | mv-expand zones")


def test_summarize_counts_per_key_when_grouped():
    rows = run_query(parse("Resources | summarize count() by location | order by location asc"), ROWS)
    assert rows == [{"location": "uksouth", "count_": 2}, {"location": "ukwest", "count_": 1}]


def test_summarize_names_and_sums_when_aliased():
    rows = run_query(parse("Resources | summarize gb = sum(toint(properties.diskSizeGB)), n = count()"), ROWS)
    assert rows == [{"gb": 128, "n": 3}]


def test_count_returns_one_row_when_used():
    assert run_query(parse("Resources | where location == 'uksouth' | count"), ROWS) == [{"Count": 2}]


def test_distinct_keeps_unique_values_when_used():
    assert run_query(parse("Resources | distinct location"), ROWS) == [{"location": "uksouth"},
                                                                       {"location": "ukwest"}]


def test_project_away_drops_columns_when_used():
    rows = run_query(parse("Resources | project id, name, location | project-away name, location"), ROWS)
    assert rows[0] == {"id": "/s/1"}


def test_parse_fails_when_function_is_unknown():
    with pytest.raises(KqlError, match="unsupported function"):
        parse("Resources | where bogus(name)")


def test_parse_fails_when_string_is_unterminated():
    with pytest.raises(KqlError):
        parse("Resources | where name == 'oops")


@pytest.mark.parametrize("query", ['Resources | where name == "\\a"', "Resources | take x",
                                   "Resources | where name in (", "Resources | limit 1.5"])
def test_parse_fails_with_kql_error_when_query_is_malformed(query):
    with pytest.raises(KqlError):
        parse(query)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "'", '"', "(", ")", "[", "]", "|", ".", ",", "==", "!", "~", "<", "-",
                                  " ", "0", "9", "\\", "in", "has", "and", "not", "tostring", "name", "@"]),
                max_size=30).map("".join))
def test_parse_fails_only_with_kql_error_when_text_is_arbitrary(text):
    with contextlib.suppress(KqlError):
        run_query(parse("Resources | where " + text), ROWS)
