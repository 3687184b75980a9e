"""Equal strings of decoded raw data held once (shared/analysis/shared_strings.py): same values, one object each."""

from __future__ import annotations

import json
from typing import Any

from shared.analysis.shared_strings import share_strings

DOCUMENT = ('{"resources": [{"id": "/subscriptions/s/rg/vm-1", "location": "uksouth", "tags": {"env": "dev"},'
            ' "properties": {"nics": [{"id": "/subscriptions/s/rg/nic-1"}], "zones": ["1", "2"], "size": 4}},'
            ' {"id": "/subscriptions/s/rg/nic-1", "location": "uksouth", "tags": {"env": "dev"}, "sku": null}]}')


def test_values_stay_equal_and_equal_strings_become_one_when_shared_across_documents() -> None:
    # given: two documents decoded on their own (json.loads allocates every value afresh)
    first, second = json.loads(DOCUMENT), json.loads(DOCUMENT)
    strings: dict[str, str] = {}
    # when
    share_strings(first, strings)
    share_strings(second, strings)
    # then: nothing changed but identity, across rows, nesting levels and documents
    assert first == second == json.loads(DOCUMENT)
    vm, nic = first["resources"]
    assert vm["location"] is nic["location"] is second["resources"][0]["location"]
    assert vm["properties"]["nics"][0]["id"] is nic["id"]
    assert vm["tags"]["env"] is second["resources"][1]["tags"]["env"]


def test_scalars_are_left_alone_when_shared() -> None:
    strings: dict[str, str] = {}
    for value in ("text", 4, None):
        share_strings(value, strings)
    assert strings == {}


def test_deep_nesting_is_shared_when_beyond_the_recursion_limit() -> None:
    document: Any = "leaf"
    for _ in range(5000):
        document = [document]
    strings: dict[str, str] = {}
    share_strings(document, strings)
    assert strings == {"leaf": "leaf"}
