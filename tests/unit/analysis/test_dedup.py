"""Merging and counting: one finding per resource and family; no pound counted twice."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.analysis.advisor import advisor_finding, load_recs
from shared.analysis.dedup import dedupe
from shared.analysis.findings import Finding
from shared.analysis.report_analytics import totals_of
from shared.analysis.rules.commitments import commitment_findings
from shared.analysis.rules.disks import unattached_disks
from tests.unit.analysis.builders import SUB, a_disk, an_advisor_rec, context, cost_line, rid, scan

DISK_TYPE_ID = "48eda464-1485-4dcf-a674-d0905df5054a"
RIGHT_SIZE = "e10b1381-5f0a-47ff-8c7b-37bd13d7c974"
SCOPE = f"/subscriptions/{SUB}"


def a_finding(rule: str, resource: str, family: str, saving: float, priced: tuple[str, ...] = (),
              basis: str = "actual_cost", counted: bool = True) -> Finding:
    return Finding(rule=rule, family=family, category="waste", title=rule, resource_id=resource,
                   subscription_id=SUB, monthly_savings=saving, currency="GBP", basis=basis,  # type: ignore[arg-type]
                   confidence="high", formula="f", action="a", cost_to_date=0.0,
                   priced=priced or (resource.lower(),), resources=(resource,), sources=(f"rule:{rule}",),
                   counted=counted)


def test_advisor_and_own_rule_merge_keeping_actual_cost_when_same_disk() -> None:
    disk = a_disk("d1")
    rec = an_advisor_rec(disk["id"], type_id=DISK_TYPE_ID, impacted="microsoft.compute/disks", monthly=64.52)
    ctx = context(scan([disk], cost_rows=cost_line(disk["id"], 2.0), recs=[rec]))
    recs, _ = load_recs([rec])
    merged = dedupe([*unattached_disks(ctx), advisor_finding(ctx, recs[0])])
    assert [(f.rule, f.basis, f.monthly_savings) for f in merged] == [("DSK-1", "actual_cost", 60.0)]
    assert any(s.startswith("advisor:") for s in merged[0].sources)


def test_suppressed_recommendation_ignored_when_suppression_ids_set() -> None:
    rec = an_advisor_rec(rid("Microsoft.Compute/virtualMachines", "vm1"), type_id=RIGHT_SIZE,
                         impacted="microsoft.compute/virtualmachines", monthly=50.0, suppressed=True)
    recs, suppressed = load_recs([rec])
    assert (recs, suppressed) == ([], 1)


def test_advisor_saving_not_counted_when_quoted_in_another_currency() -> None:
    vm = rid("Microsoft.Compute/virtualMachines", "vm1")
    rec = an_advisor_rec(vm, type_id=RIGHT_SIZE, impacted="microsoft.compute/virtualmachines", monthly=78.47,
                         currency="USD")
    finding = advisor_finding(context(scan([])), load_recs([rec])[0][0])
    assert (finding.rule, finding.counted, finding.basis) == ("VM-4", False, "advisor")


def _offer(key: str, term: str, monthly: float, plan: bool = False, lookback: str = "60") -> dict[str, object]:
    extended = {"term": term, "region": "uksouth", "lookbackPeriod": lookback}
    extended |= {"benefitType": "SavingsPlan"} if plan else {"reservedResourceType": "virtualmachines",
                                                              "displaySKU": "Standard_D4s_v5"}
    return an_advisor_rec(SCOPE, type_id="t", impacted="microsoft.subscriptions/subscriptions", monthly=monthly,
                          key=key, extended=extended)


def test_best_term_counts_once_when_one_and_three_year_reservations_offered() -> None:
    recs, _ = load_recs([_offer("a", "P1Y", 142.31), _offer("b", "P3Y", 267.18)])
    found = commitment_findings(context(scan([])), recs)
    assert [(f.rule, f.monthly_savings, f.counted, len(f.alternatives)) for f in found] == [
        ("CMT-1", 267.18, True, 1)]


def test_one_year_term_counts_when_the_lookback_is_under_sixty_days() -> None:
    # report-design D7.2 step 6: a 30-day lookback is too short to count a 3-year term; it is listed as upside.
    recs, _ = load_recs([_offer("a", "P1Y", 142.31, lookback="30"), _offer("b", "P3Y", 267.18, lookback="30")])
    found = commitment_findings(context(scan([])), recs)
    assert [(f.rule, f.monthly_savings, f.counted, [a.monthly_savings for a in f.alternatives]) for f in found] == [
        ("CMT-1", 142.31, True, [267.18])]


def test_savings_plan_listed_not_counted_when_reservations_save_more() -> None:
    recs, _ = load_recs([_offer("a", "P1Y", 142.31), _offer("b", "P3Y", 267.18), _offer("c", "P3Y", 231.9, True)])
    found = {f.rule: f for f in commitment_findings(context(scan([])), recs)}
    assert (found["CMT-1"].counted, found["CMT-2"].counted) == (True, False)


def test_savings_plan_counted_instead_when_it_saves_more_than_reservations() -> None:
    recs, _ = load_recs([_offer("a", "P3Y", 100.0), _offer("c", "P3Y", 231.9, True)])
    found = {f.rule: f for f in commitment_findings(context(scan([])), recs)}
    assert (found["CMT-1"].counted, found["CMT-2"].counted) == (False, True)


def test_smaller_saving_not_counted_when_it_prices_a_resource_already_claimed() -> None:
    vm, disk = rid("Microsoft.Compute/virtualMachines", "vm1"), rid("Microsoft.Compute/disks", "d1")
    delete_vm = a_finding("VM-2", vm, "vm-usage", 40.0, priced=(vm.lower(), disk.lower()))
    downgrade = a_finding("VM-3", disk, "disk-tier", 8.0)
    out = {f.rule: f.counted for f in dedupe([delete_vm, downgrade])}
    assert out == {"VM-2": True, "VM-3": False}


def test_alternatives_listed_when_two_rules_share_resource_and_family() -> None:
    snap = rid("Microsoft.Compute/snapshots", "s1")
    out = dedupe([a_finding("DSK-3", snap, "snapshot", 20.0), a_finding("DSK-4", snap, "snapshot", 12.0)])
    assert [(f.rule, [a.rule for a in f.alternatives]) for f in out] == [("DSK-3", ["DSK-4"])]


_RESOURCES = [rid("Microsoft.Compute/disks", f"d{i}") for i in range(4)]
_finding_strategy = st.builds(
    a_finding,
    rule=st.sampled_from(["DSK-1", "DSK-3", "DSK-4", "VM-2", "VM-3", "ADV"]),
    resource=st.sampled_from(_RESOURCES),
    family=st.sampled_from(["remove", "snapshot", "vm-usage", "disk-tier"]),
    saving=st.floats(min_value=0, max_value=10_000, allow_nan=False).map(lambda v: round(v, 2)),
    priced=st.lists(st.sampled_from([r.lower() for r in _RESOURCES] + [f"{_RESOURCES[0].lower()}|Virtual Machines"]),
                    min_size=1, max_size=3, unique=True).map(tuple),
    basis=st.sampled_from(["actual_cost", "advisor", "estimate"]),
    counted=st.booleans(),
)


def _overlap(a: str, b: str) -> bool:
    return a == b or a.split("|", 1)[0] == b or b.split("|", 1)[0] == a


@settings(max_examples=200, deadline=None)
@given(st.lists(_finding_strategy, max_size=12))
def test_totals_never_double_count_when_findings_overlap(findings: list[Finding]) -> None:
    out = dedupe(findings)
    counted = [f for f in out if f.counted and f.monthly_savings > 0]
    keys = [f.key for f in out]
    assert len(keys) == len(set(keys))  # one finding per resource and family
    for i, first in enumerate(counted):  # no resource's cost priced by two counted findings
        for second in counted[i + 1:]:
            assert not any(_overlap(a, b) for a in first.priced for b in second.priced)
    assert sum(f.monthly_savings for f in counted) <= sum(f.monthly_savings for f in findings) + 1e-6
    assert totals_of(out, "GBP").monthly_savings == round(sum(f.monthly_savings for f in counted), 2)


def test_unknown_advisor_recommendation_kept_with_advisor_basis_when_no_rule_matches() -> None:
    cosmos = rid("Microsoft.DocumentDB/databaseAccounts", "db1")
    rec = an_advisor_rec(cosmos, type_id="8b993855-1b3f-4392-8860-6ed4f5afd8a7",
                         impacted="microsoft.documentdb/databaseaccounts", monthly=12.5)
    finding = advisor_finding(context(scan([])), load_recs([rec])[0][0])
    assert (finding.rule, finding.basis, finding.monthly_savings, finding.counted) == ("ADV", "advisor", 12.5, True)
