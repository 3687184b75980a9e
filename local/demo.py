"""`python -m local demo`: onboard every customer of an estate through the HTTP API, wait for scans, fetch reports.

Federated customers prove their tenant first, as a browser would: the sign-in round trip (local/consent.py) as
the tenant's first administrator, whose one-time proof the onboarding request then carries.
Then Wessex Larder is reviewed a second time, after its estate changed and the calendar moved on
(local/demo_second_review.py), so its second report has "Since your last review" (issue 15).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.consent import prove
from local.demo_second_review import SECOND, SimControl, change_wessex, changes_line, is_wessex
from local.estates.model import Estate, Tenant

logger = logging.getLogger(__name__)

FINAL_STATES = ("complete", "partial", "failed")
REPORT_FILES = ("report.json", "report.html", "report.csv")


class DemoError(RuntimeError):
    """A demo step failed (the message says which, and what the API answered)."""


@dataclass
class CustomerResult:
    """What the demo got for one customer tenant."""

    company: str
    slug: str
    status: str = "not started"
    subscriptions: int = 0
    findings: int | None = None
    savings: float | None = None
    currency: str = ""
    reports: list[Path] = field(default_factory=list)
    error: str | None = None
    note: str | None = None


def slugify(name: str) -> str:
    """A filesystem-safe folder name for a company."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "customer"


def is_federated(tenant: Tenant, estate: Estate) -> bool:
    """Whether the tenant onboards with Caleta's app (it holds Caleta's app) rather than its own secret."""
    caleta_app = estate.caleta.app_client_id.lower()
    return any(app.client_id.lower() == caleta_app for app in tenant.applications)


# Directory roles that prove a tenant administrator (shared/auth/roles.py), as the estate names them.
ADMIN_ROLES = frozenset({"Global Administrator", "Privileged Role Administrator", "Cloud Application Administrator",
                         "Application Administrator"})


def first_admin(tenant: Tenant) -> str | None:
    """The UPN of the tenant's first administrator (None: the simulator's implicit one)."""
    return next((u.user_principal_name for u in tenant.users if ADMIN_ROLES & set(u.directory_roles)), None)


def onboarding_body(tenant: Tenant, estate: Estate, proof: str | None = None) -> dict[str, Any]:
    """The onboarding form's JSON for a tenant: federated (with `proof`, the sign-in's handle) when it holds
    Caleta's app, else its own secret."""
    if is_federated(tenant, estate):
        auth: dict[str, Any] = {"mode": "federated", "proof": proof or ""}
    else:
        own = [a for a in tenant.applications if not a.federated and a.secrets]
        if not own:
            raise DemoError(f"tenant {tenant.display_name!r} has no application with a secret to onboard with")
        secret = max(own[0].secrets, key=lambda s: s.expires)  # the newest secret is the one a customer hands over
        auth = {"mode": "client_secret", "client_id": own[0].client_id, "client_secret": secret.value}
    domain = tenant.default_domain or f"{slugify(tenant.display_name)}.example"
    return {
        "company": tenant.display_name,
        "contact_email": f"finance@{domain}",
        "tenant_id": tenant.tenant_id,
        "auth": auth,
        "subscription_ids": [s.subscription_id for s in tenant.subscriptions],
        "schedule": "weekly",
    }


def onboarding_request(http_base: str, ca_bundle: Path, tenant: Tenant, estate: Estate,
                       user: str | None = None) -> dict[str, Any]:
    """The onboarding body as a customer's browser would send it: federated tenants sign in first (as `user`,
    else their first administrator) and carry the proof; DemoError when no proof came back."""
    if not is_federated(tenant, estate):
        return onboarding_body(tenant, estate)
    trip = prove(http_base, ca_bundle, tenant.tenant_id, user or first_admin(tenant))
    if not trip.proof:
        raise DemoError(f"{tenant.display_name}: the sign-in round trip ended {trip.outcome} ({trip.hops})")
    return onboarding_body(tenant, estate, trip.proof)


class Client:
    """JSON over HTTP against the function app, bounded timeouts; 4xx/5xx come back as (status, body)."""

    def __init__(self, base_url: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, api_key: str | None = None) -> tuple[int, bytes]:
        """Send one request; return the status and raw body."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310 - loopback http
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()


def _json(status: int, body: bytes, step: str, expected: tuple[int, ...]) -> Any:
    if status not in expected:
        detail = body.decode("utf-8", "replace")[:400]
        raise DemoError(f"{step}: HTTP {status} (expected {'/'.join(map(str, expected))}): {detail}")
    return json.loads(body) if body else {}


@dataclass
class Onboarded:
    """A customer the API accepted, with its first scan."""

    result: CustomerResult
    customer_id: str = ""
    api_key: str = ""
    scan_id: str = ""
    subscriptions_asked: int = 0


def onboard(client: Client, tenant: Tenant, estate: Estate, ca_bundle: Path) -> Onboarded:
    """Prove the tenant (federated) and POST the onboarding form (errors land in the result, not raised)."""
    result = CustomerResult(company=tenant.display_name, slug=slugify(tenant.display_name))
    entry = Onboarded(result)
    try:
        body = onboarding_request(client.base_url, ca_bundle, tenant, estate)
        entry.subscriptions_asked = len(body["subscription_ids"])
        answer = _json(*client.call("POST", "/api/onboarding", body), f"{result.company}: onboarding", (202,))
        entry.customer_id, entry.api_key = answer["customer_id"], answer["api_key"]
        entry.scan_id = answer.get("first_scan_id") or ""
        if not entry.scan_id:
            raise DemoError(f"{result.company}: onboarding accepted but no scan started")
        result.status = "onboarded"
    except (DemoError, KeyError, ValueError, OSError) as exc:
        result.error = str(exc) if isinstance(exc, DemoError) else f"{type(exc).__name__}: {exc}"
    return entry


def finish(client: Client, entry: Onboarded, out_dir: Path, timeout: float) -> CustomerResult:
    """Wait for an onboarded customer's scan and download its reports into out_dir/<slug>/."""
    result = entry.result
    if result.error:
        return result
    try:
        scan_path = f"/api/customers/{entry.customer_id}/scans/{entry.scan_id}"
        scan = _wait_for_scan(client, scan_path, entry.api_key, timeout, result.company)
        result.status = str(scan.get("status"))
        result.subscriptions = _subscriptions_scanned(scan, entry.subscriptions_asked)
        if result.status == "failed":
            result.error = f"scan failed: {scan.get('reason') or scan.get('error') or 'no reason given'}"
            return result
        folder = out_dir / result.slug
        folder.mkdir(parents=True, exist_ok=True)
        for name in REPORT_FILES:
            status, data = client.call("GET", f"{scan_path}/{name}", api_key=entry.api_key)
            if status != 200:
                raise DemoError(f"{result.company}: {name}: HTTP {status}")
            (folder / name).write_bytes(data)
            result.reports.append(folder / name)
        _read_headlines(result, json.loads((folder / "report.json").read_bytes()))
    except (DemoError, KeyError, ValueError, OSError) as exc:
        result.error = str(exc) if isinstance(exc, DemoError) else f"{type(exc).__name__}: {exc}"
    return result


def review_again(client: Client, sim: SimControl, entry: Onboarded, first: CustomerResult, out_dir: Path,
                 timeout: float) -> CustomerResult:
    """Change the customer's estate, move the calendar on, review again; reports into out_dir/<slug>/second-review/."""
    result = CustomerResult(company=f"{first.company} (second review)", slug=f"{first.slug}/{SECOND}")
    if first.error or first.status not in ("complete", "partial"):
        result.error = "not reviewed again: the first review did not finish"
        return result
    try:
        today = change_wessex(sim)
        print(f"{first.company}: estate changed, calendar moved on to {today['today']}; reviewing again", flush=True)
        base = f"/api/customers/{entry.customer_id}"
        answer = _json(*client.call("POST", f"{base}/scans", {}, api_key=entry.api_key),
                       f"{first.company}: review again", (202,))
        result = finish(client, Onboarded(result, entry.customer_id, entry.api_key, answer["scan_id"],
                                          entry.subscriptions_asked), out_dir, timeout)
        if not result.error:
            reviews = _json(*client.call("GET", f"{base}/reviews", api_key=entry.api_key),
                            f"{first.company}: review history", (200,))
            result.note = changes_line(reviews)
    except (DemoError, RuntimeError, KeyError, ValueError, OSError) as exc:
        result.error = str(exc) if isinstance(exc, DemoError | RuntimeError) else f"{type(exc).__name__}: {exc}"
    return result


def _wait_for_scan(client: Client, path: str, api_key: str, timeout: float, company: str) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last = "unknown"
    while time.monotonic() < deadline:
        scan = _json(*client.call("GET", path, api_key=api_key), f"{company}: scan status", (200,))
        last = str(scan.get("status"))
        if last in FINAL_STATES:
            return dict(scan)
        time.sleep(1.0)
    raise DemoError(f"{company}: scan still {last!r} after {timeout:.0f}s")


def _subscriptions_scanned(scan: dict[str, Any], asked: int) -> int:
    subs = scan.get("subscriptions")
    if isinstance(subs, list):
        return len(subs)
    if isinstance(subs, int):
        return subs
    return asked


def _read_headlines(result: CustomerResult, report: dict[str, Any]) -> None:
    """Findings, savings and currency from report.json: its `totals` (or `summary`) section, else top level."""
    sections: list[dict[str, Any]] = [report[k] for k in ("totals", "summary") if isinstance(report.get(k), dict)]
    for source in [*sections, report]:
        findings = source.get("findings")
        if result.findings is None and isinstance(findings, int) and not isinstance(findings, bool):
            result.findings = findings
        elif result.findings is None and isinstance(findings, list):
            result.findings = len(findings)
        for key in ("monthly_savings", "total_monthly_savings"):
            savings = source.get(key)
            if result.savings is None and isinstance(savings, int | float) and not isinstance(savings, bool):
                result.savings = float(savings)
        if not result.currency and isinstance(source.get("currency"), str):
            result.currency = source["currency"]
    if isinstance(report.get("subscriptions"), list):
        result.subscriptions = len(report["subscriptions"])


def print_summary(results: list[CustomerResult]) -> None:
    """One block per customer: subscriptions, findings, monthly savings, report paths (or the error)."""
    print("\nCaleta Cost Review demo")
    for r in results:
        print(f"- {r.company}: {r.status}")
        if r.error:
            print(f"    error: {r.error}")
            continue
        savings = f"{r.savings:,.2f} {r.currency}".strip() if r.savings is not None else "n/a"
        findings = r.findings if r.findings is not None else "n/a"
        print(f"    subscriptions scanned: {r.subscriptions}   findings: {findings}   total monthly savings: {savings}")
        if r.note:
            print(f"    {r.note}")
        for path in r.reports:
            print(f"    {path}")


def run_demo(estate_path: Path, out_dir: Path, state_dir: Path, timeout: float = 900.0) -> int:
    """Start the stack, run every customer, print the summary, stop the stack; 0 only if every scan succeeded."""
    from local.estates.model import load_estate
    from local.stack import Stack, StackError

    estate = load_estate(estate_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(estate_path, state_dir)
    try:
        with stack:
            client = Client(stack.endpoints["http_base"])
            print(f"stack up: API at {stack.endpoints['http_base']}, host log {stack.host_log}", flush=True)
            # Onboard everyone first so the scans run side by side, as separate customers would.
            ca_bundle = Path(stack.endpoints["ca_bundle"])
            entries = [onboard(client, tenant, estate, ca_bundle) for tenant in estate.tenants]
            deadline = time.monotonic() + timeout
            results = [finish(client, e, out_dir.resolve(), max(1.0, deadline - time.monotonic()))
                       for e in entries]
            sim = SimControl(stack.simulator.base_url, stack.endpoints["ca_bundle"])
            again = [review_again(client, sim, e, r, out_dir.resolve(), max(1.0, deadline - time.monotonic()))
                     for e, r in zip(entries, results, strict=True) if is_wessex(r.company)]
            results += again
    except StackError as exc:
        print(f"the local stack did not start: {exc}")
        results = []
    finally:
        if stack.host_log.exists():
            # The state dir may be temporary; keep the host's log next to the reports for a post-mortem.
            shutil.copyfile(stack.host_log, out_dir / "host.log")
            print(f"host log: {out_dir / 'host.log'}")
    print_summary(results)
    failed = [r for r in results if r.error or r.status not in ("complete", "partial")]
    return 1 if failed or not results else 0
