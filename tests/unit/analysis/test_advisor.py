"""Advisor recommendations as the REST API returns them (issue 15 section 2b): no resourceMetadata, nulls,
and the customer's Advisor configurations. Inputs are Microsoft's published examples (advisor_examples/)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from shared.analysis.advisor import advisor_finding, load_recs, parse_rec
from shared.analysis.dedup import dedupe
from shared.analysis.rules.disks import unattached_disks
from tests.unit.analysis.builders import SUB, a_disk, an_advisor_rec, context, cost_line, rid, scan

EXAMPLES = Path(__file__).with_name("advisor_examples")
DISK_TYPE_ID = "48eda464-1485-4dcf-a674-d0905df5054a"
RIGHT_SIZE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"


def published(name: str) -> dict[str, Any]:
    """The first item of a published list example."""
    body = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["responses"]["200"]["body"]
    item: dict[str, Any] = body["value"][0]
    return item


def as_cost(rec: dict[str, Any], resource_id: str | None = None, **extended: Any) -> dict[str, Any]:
    """The published recommendation as a Cost one (the example is HighAvailability), optionally under a resource."""
    out = copy.deepcopy(rec)
    out["properties"]["category"] = "Cost"
    if resource_id is not None:
        out["id"] = out["id"].replace("/resourceUri", resource_id, 1)
    if extended:
        out["properties"]["extendedProperties"] = extended
    return out


def test_published_recommendation_without_resource_metadata_is_attributed_to_its_resource() -> None:
    rec = published("ListRecommendations-2017-04-19.json")
    assert "resourceMetadata" not in rec["properties"] and "/providers/Microsoft.Advisor/" in rec["id"]
    parsed = parse_rec(as_cost(rec))
    assert parsed is not None and (parsed.resource_id, parsed.rec_id) == ("/resourceUri", rec["id"])


def test_advisor_disk_rec_without_metadata_merges_with_own_rule_instead_of_counting_twice() -> None:
    disk = a_disk("d1")
    rec = as_cost(published("ListRecommendations-2017-04-19.json"), disk["id"], annualSavingsAmount="720",
                  savingsCurrency="GBP")
    rec["properties"]["impactedField"] = "microsoft.compute/disks"
    rec["properties"]["recommendationTypeId"] = DISK_TYPE_ID
    ctx = context(scan([disk], cost_rows=cost_line(disk["id"], 2.0)))
    recs, _ = load_recs([rec])
    out = dedupe([*unattached_disks(ctx), advisor_finding(ctx, recs[0])])
    assert [(f.rule, f.resource_id, f.monthly_savings, f.counted) for f in out] == [("DSK-1", disk["id"], 60.0, True)]


def test_resize_command_targets_the_vm_when_rec_has_no_resource_metadata() -> None:
    vm = rid("Microsoft.Compute/virtualMachines", "vm1")
    rec = as_cost(published("ListRecommendations-2017-04-19.json"), vm, annualSavingsAmount="600",
                  savingsCurrency="GBP", currentSku="Standard_D4s_v5", targetSku="Standard_D2s_v5")
    rec["properties"]["recommendationTypeId"] = RIGHT_SIZE
    finding = advisor_finding(context(scan([])), load_recs([rec])[0][0])
    assert finding.resource_id == vm
    assert [c.standalone() for c in finding.commands] == [f"az vm resize --size 'Standard_D2s_v5' --ids '{vm}'"]
    assert "recommendations" not in finding.action


def test_null_extended_properties_are_absent_not_the_text_none() -> None:
    vm = rid("Microsoft.Compute/virtualMachines", "vm1")
    rec = an_advisor_rec(vm, type_id=RIGHT_SIZE, impacted="Microsoft.Compute/virtualMachines", monthly=10.0)
    rec["properties"]["extendedProperties"] |= {"savingsCurrency": None, "targetSku": None, "MaxCpuP95": None}
    parsed = load_recs([rec])[0][0]
    finding = advisor_finding(context(scan([])), parsed)
    assert "None" not in parsed.extended.values() and parsed.currency == "USD"
    assert "None" not in finding.action and "targetSku" not in finding.evidence
    assert (finding.currency, finding.counted) == ("USD", False)  # another currency than the bill's: shown apart


def test_null_extended_properties_object_is_no_properties() -> None:
    rec = as_cost(published("ListRecommendations-2017-04-19.json"), f"/subscriptions/{SUB}")
    rec["properties"]["extendedProperties"] = None
    parsed = parse_rec(rec)
    assert parsed is not None and (parsed.extended, parsed.monthly_savings) == ({}, None)


def _configured(**properties: Any) -> list[dict[str, Any]]:
    config = published("ListConfigurations-2020-01-01.json")
    config["id"] = f"/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.Advisor/configurations/default"
    config["properties"] |= properties
    return [config]


def test_right_size_rec_dropped_when_cpu_is_above_the_group_low_cpu_threshold() -> None:
    vm = rid("Microsoft.Compute/virtualMachines", "vm1")
    rec = an_advisor_rec(vm, type_id=RIGHT_SIZE, impacted="Microsoft.Compute/virtualMachines", monthly=10.0,
                         extended={"MaxCpuP95": "11.6"})
    assert load_recs([rec], _configured())[0] == []  # the published example's threshold is 5
    assert len(load_recs([rec], _configured(lowCpuThreshold="15"))[0]) == 1


def test_rec_dropped_when_its_resource_group_is_excluded_from_advisor() -> None:
    disk = rid("Microsoft.Compute/disks", "d1")
    rec = an_advisor_rec(disk, type_id=DISK_TYPE_ID, impacted="microsoft.compute/disks", monthly=10.0)
    other = an_advisor_rec(rid("Microsoft.Compute/disks", "d2", rg="rg-b"), type_id=DISK_TYPE_ID,
                           impacted="microsoft.compute/disks", monthly=10.0, key="r2")
    recs, dropped = load_recs([rec, other], _configured(exclude=True))
    assert ([r.resource_id for r in recs], dropped) == ([other["properties"]["resourceMetadata"]["resourceId"]], 1)
