"""Pennine's and Tamar's narrative inputs: the analytics computed on the demo estate, the headline and plan as
report-design D2.3, D5.5 and D9 give them, in the shape of report-core's models (Headline, ActionPlan,
FindingOut), which are not on this branch: these frozen stand-ins carry the same field names, so the adapter the
engine will call (narrative_report.inputs_from_report) is the one tested here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from local.estates.model import load_estate
from shared.analysis.facts import NarrativeFacts
from shared.analysis.index import build_index
from shared.analysis.insights import compute_insights
from shared.analysis.insights_views import CostInsights
from shared.analysis.narrative_facts import build_narrative_facts
from shared.analysis.narrative_inputs import NarrativeInputs
from shared.analysis.narrative_report import commitment_term, inputs_from_report
from tests.unit.analysis.demo_inputs import DEMO, scan_inputs
from tests.unit.analysis.optional_data import with_optional
from tests.unit.analysis.test_insights_demo import ALERTS, BUDGETS, DEVTEST, MEASURED, PROD, SANDBOX, TAMAR, TODAY, demo


@dataclass(frozen=True)
class Tier:
    tier: str
    monthly: float
    monthly_low: float
    monthly_high: float


@dataclass(frozen=True)
class Range:
    low_monthly: float
    high_monthly: float
    low_annual: float
    high_annual: float
    low_share: float | None
    high_share: float | None


@dataclass(frozen=True)
class Headline:
    tiers: tuple[Tier, ...]
    range: Range
    counted_monthly: float


@dataclass(frozen=True)
class Row:
    row_type: str
    id: str
    title: str
    finding_ids: tuple[str, ...]
    names: tuple[str, ...]
    subscription_id: str | None
    subscription_name: str | None
    resource_group: str | None
    monthly: float
    monthly_low: float
    monthly_high: float
    counted: bool
    effort: str
    change_risk: str


@dataclass(frozen=True)
class Section:
    section: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Hygiene:
    finding_ids: tuple[str, ...]
    monthly: float


@dataclass(frozen=True)
class Plan:
    sections: tuple[Section, ...]
    hygiene: Hygiene


@dataclass(frozen=True)
class Evidence:
    key: str
    value: object


@dataclass(frozen=True)
class FindingView:
    id: str
    rule: str
    kind: str
    resource_id: str
    resource_type_label: str
    environment: str
    action_text: str
    evidence: tuple[Evidence, ...] = ()
    counted: bool = True


def rid(sub: str, group: str, kind: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourcegroups/{group}/providers/{kind}/{name}"


DDOS = rid(SANDBOX, "rg-sandbox-ddos", "microsoft.network/ddosprotectionplans", "ddos-sandbox-trial")
DDOS_PROD = rid(PROD, "rg-network-prod", "microsoft.network/ddosprotectionplans", "ddos-pennine-prod")
VGW_DR = rid(PROD, "rg-dr-ukwest", "microsoft.network/virtualnetworkgateways", "vgw-dr-ukwest")
SCRATCH = rid(TAMAR, "rg-analytics", "microsoft.compute/disks", "disk-analytics-scratch")
VM_ANALYTICS = rid(TAMAR, "rg-analytics", "microsoft.compute/virtualmachines", "vm-analytics-01")
PIP_OLD = rid(TAMAR, "rg-analytics", "microsoft.network/publicipaddresses", "pip-analytics-old")


def _f(fid: str, rule: str, resource: str, label: str, env: str, action: str = "Delete it", kind: str = "counted",
       **evidence: object) -> FindingView:
    return FindingView(fid, rule, kind, resource, label, env, action,
                       tuple(Evidence(k, v) for k, v in evidence.items()), kind == "counted")


def _row(row_type: str, fid: str, title: str, ids: tuple[str, ...], names: tuple[str, ...], sub: str | None,
         sub_name: str | None, group: str | None, money: tuple[float, float, float], counted: bool, effort: str,
         risk: str) -> Row:
    return Row(row_type, fid, title, ids, names, sub, sub_name, group, *money, counted, effort, risk)


def _headline(tiers: dict[str, tuple[float, float, float]], rng: tuple[float, float, float, float],
              run_rate: float, counted: float) -> Headline:
    low, high, low_year, high_year = rng
    return Headline(tuple(Tier(t, *v) for t, v in tiers.items()),
                    Range(low, high, low_year, high_year, round(low / run_rate, 4), round(high / run_rate, 4)), counted)


def _names(insights: CostInsights) -> dict[str, str]:
    return {s.subscription_id: s.name for s in insights.by_subscription}


def pennine_parts() -> tuple[Headline, Plan, list[FindingView]]:
    """D2.3's tiers and D5.5's plan (the rows the narrative reads), with the findings behind them."""
    subs = _names(demo("Pennine"))
    sandbox, dev, prod = subs[SANDBOX], subs[DEVTEST], subs[PROD]
    headline = _headline({"measured": (2912.94, 2912.94, 2912.94), "conditional": (1380.36,) * 3,
                          "commitment": (85.39,) * 3, "estimated": (309.31, 290.76, 337.14)},
                         (2912.94, 4715.83, 34955.28, 56589.96), 12710.17, 4688.00)
    dev_rg = rid(DEVTEST, "rg-tms-dev", "microsoft.compute/disks", "disk-tms-dev-old-data")
    findings = [
        _f("f-ddos", "NET-12", DDOS, "DDoS protection plan", "sandbox"),
        _f("f-tms", "DSK-1", dev_rg, "managed disk", "dev"), _f("f-tms2", "NET-9", dev_rg + "x", "NAT gateway", "dev"),
        _f("f-web", "NET-5", rid(DEVTEST, "rg-web-dev", "microsoft.network/applicationgateways", "agw-web-dev"),
           "application gateway", "dev", "Delete it if no site will use it"),
        _f("f-web2", "APP-1", rid(DEVTEST, "rg-web-dev", "microsoft.web/serverfarms", "asp-web-dev"),
           "App Service plan", "dev"),
        _f("f-sql", "LIC-2", rid(PROD, "rg-erp-prod", "microsoft.compute/virtualmachines", "vm-erp-sql-01"),
           "SQL Server VM", "prod", "If you have SQL Server licences with Software Assurance, switch on"),
        _f("f-rdsh", "LIC-1", rid(PROD, "rg-rdsh-prod", "microsoft.compute/virtualmachinescalesets", "vmss-rdsh-prod"),
           "scale set", "prod", "If you have Windows Server licences"),
        _f("f-cmt", "CMT-1", f"/subscriptions/{PROD}", "subscription", "prod", "Check the price of the reservation"),
        _f("f-rvddos", "RV-DDOS", DDOS_PROD, "DDoS protection plan", "prod", "Compare with DDoS IP Protection",
           "review", protected_public_ips=3),
        _f("f-dr", "NET-8", VGW_DR, "VPN gateway", "prod", "Delete it if no site or user connects", "review"),
        _f("f-sqled", "RV-SQLED", rid(PROD, "rg-erp-prod", "microsoft.compute/virtualmachines", "vm-erp-sql-01"),
           "SQL Server VM", "prod", "Run the edition query", "review"),
    ]
    licence = ("Hybrid Benefit: up to £1,380 a month if you hold 4 SQL Server Enterprise core licences and 32 Windows "
               "Server core licences (4 instances of up to 8 vCPUs), with Software Assurance")
    plan = Plan((
        Section("do_now", (
            _row("finding", "f-ddos", "Delete the DDoS protection plan ddos-sandbox-trial", ("f-ddos",),
                 ("ddos-sandbox-trial",), SANDBOX, sandbox, "rg-sandbox-ddos", (2237.18,) * 3, True, "minutes", "low"),
            _row("batch", "b-tms", f"Clean up 11 items in rg-tms-dev ({dev})", ("f-tms", "f-tms2"),
                 ("disk-tms-dev-old-data", "nat-dev-unused"), DEVTEST, dev, "rg-tms-dev", (297.02,) * 3, True,
                 "minutes", "low"),
            _row("batch", "b-web", f"Clean up 2 items in rg-web-dev ({dev})", ("f-web", "f-web2"),
                 ("agw-web-dev", "asp-web-dev"), DEVTEST, dev, "rg-web-dev", (240.56,) * 3, True, "minutes", "low"))),
        Section("decide", (
            _row("finding", "f-rvddos", "Production DDoS plan: per-IP protection for its 3 public IPs?", ("f-rvddos",),
                 ("ddos-pennine-prod",), PROD, prod, "rg-network-prod", (0.0, 0.0, 1783.51), False, "hours", "low"),
            _row("batch", "b-lic", licence, ("f-sql", "f-rdsh"), ("vm-erp-sql-01", "vmss-rdsh-prod"), None, None, None,
                 (1380.36,) * 3, True, "weeks", "medium"),
            _row("finding", "f-dr", "VPN gateway vgw-dr-ukwest looks like disaster-recovery standby", ("f-dr",),
                 ("vgw-dr-ukwest",), PROD, prod, "rg-dr-ukwest", (0.0, 0.0, 104.73), False, "hours", "high"),
            _row("finding", "f-cmt", "Reserve 3 x D4s_v5 for 1 year after right-sizing", ("f-cmt",),
                 ("Pennine Freight Production",), PROD, prod, None, (85.39,) * 3, True, "weeks", "medium"))),
        Section("investigate", (
            _row("finding", "f-sqled", "SQL Server Enterprise where Standard may do (vm-erp-sql-01)", ("f-sqled",),
                 ("vm-erp-sql-01",), PROD, prod, "rg-erp-prod", (0.0, 0.0, 623.66), False, "hours", "low"),))),
        Hygiene(("h1", "h2", "h3", "h4"), 0.38))
    return headline, plan, findings


def tamar_parts() -> tuple[Headline, Plan, list[FindingView]]:
    """Tamar: £36.49 measured (DSK-1, NET-1 in hygiene), the dominant VM a Decide review item (D9)."""
    name = _names(demo("Tamar"))[TAMAR]
    headline = _headline({"measured": (36.49,) * 3, "conditional": (0.0,) * 3, "commitment": (0.0,) * 3,
                          "estimated": (0.0,) * 3}, (36.49, 36.49, 437.88, 437.88), 289.94, 36.49)
    findings = [_f("f-scratch", "DSK-1", SCRATCH, "managed disk", "prod"),
                _f("f-pip", "NET-1", PIP_OLD, "public IP address", "prod"),
                _f("f-dom", "RV-DOMINANT", VM_ANALYTICS, "virtual machine", "prod", "Commit or schedule", "review")]
    plan = Plan((
        Section("do_now", (_row("finding", "f-scratch", "Delete the managed disk disk-analytics-scratch",
                                ("f-scratch",), ("disk-analytics-scratch",), TAMAR, name, "rg-analytics",
                                (32.94,) * 3, True, "minutes", "low"),)),
        Section("decide", (_row("finding", "f-dom", "One resource dominates the bill (vm-analytics-01)", ("f-dom",),
                                ("vm-analytics-01",), TAMAR, name, "rg-analytics", (0.0, 32.63, 106.05), False,
                                "hours", "low"),))), Hygiene(("f-pip",), 3.55))
    return headline, plan, findings


@lru_cache(maxsize=1)
def pennine_budgets_unread() -> CostInsights:
    """Pennine's analytics when the Sandbox subscription's budgets could not be read (B1 missing there)."""
    tenant = next(t for t in load_estate(DEMO, TODAY).tenants if t.display_name.startswith("Pennine"))
    config = {s.subscription_id: {"budgets": BUDGETS.get(s.subscription_id, []),
                                  "scheduled_actions": ALERTS.get(s.subscription_id, [])} for s in tenant.subscriptions}
    config[SANDBOX] = {"scheduled_actions": []}
    scanned = with_optional(scan_inputs(tenant, TODAY), config=config,
                            policies={s.subscription_id: [] for s in tenant.subscriptions})
    return compute_insights(scanned, build_index(scanned), measured_monthly=MEASURED)


@lru_cache(maxsize=4)
def inputs(name: str) -> NarrativeInputs:
    """The narrative inputs of one demo tenant through the report adapter ("Pennine-unread": Sandbox's budgets
    not read)."""
    pennine = name.startswith("Pennine")
    headline, plan, findings = pennine_parts() if pennine else tamar_parts()
    company = "Pennine Freight Ltd" if pennine else "Tamar Analytics Ltd"
    term = commitment_term([("P1Y", "counted"), ("P3Y", "upside")]) if pennine else None
    insights = pennine_budgets_unread() if name == "Pennine-unread" else demo(name)
    return inputs_from_report(company, insights, headline, plan, findings, term)


def sheet(name: str) -> NarrativeFacts:
    """A fresh fact sheet of one demo tenant (tests may change it)."""
    built = build_narrative_facts(inputs(name))
    return dataclasses.replace(built, facts=list(built.facts), aliases=list(built.aliases))
