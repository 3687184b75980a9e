"""`python -m local consent`: the browser's part of federated onboarding, played against a running local stack.

It follows every redirect by hand, as a browser would, keeping Caleta's sign-in cookie: Caleta's signin route
-> the simulated tenant's authorize endpoint (signing in the estate user named by `login_hint`) -> Caleta's
callback -> the admin-consent page and Caleta's consent route when Caleta's app is not in the tenant yet ->
the onboarding page, whose fragment carries the one-time proof. What the onboarding POST then carries is the
answer: `{"tenant_id": ..., "auth": {"mode": "federated", "proof": ...}}`.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

MAX_HOPS = 8
COOKIE = "caleta_signin"


class ConsentError(RuntimeError):
    """The round trip did not end where a browser would (the message says which hop answered what)."""


@dataclass
class RoundTrip:
    """Where the round trip ended: a proof, the non-admin page, or a refusal; and the URLs it went through."""

    tenant_id: str
    user: str | None
    proof: str | None = None
    outcome: str = "refused"
    consented: bool = False
    hops: list[str] = field(default_factory=list)

    def request_part(self) -> dict[str, Any]:
        """What the onboarding POST carries from this round trip."""
        return {"tenant_id": self.tenant_id, "auth": {"mode": "federated", "proof": self.proof or ""}}

    def as_json(self) -> dict[str, Any]:
        """The command's output."""
        return {**self.request_part(), "outcome": self.outcome, "user": self.user, "consented": self.consented}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: Any, msg: Any, headers: Any, newurl: Any) -> None:
        return None


class Browser:
    """GETs without following redirects; trusts the local CA for the simulator; keeps Caleta's cookie."""

    def __init__(self, ca_bundle: Path, timeout: float = 30.0) -> None:
        context = ssl.create_default_context(cafile=str(ca_bundle))
        self._opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))
        self.timeout = timeout
        self.cookie: str | None = None

    def get(self, url: str) -> tuple[int, str]:
        """(status, Location or "") of one GET, sending and keeping the sign-in cookie."""
        headers = {"Cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback http or the local CA
        try:
            with self._opener.open(request, timeout=self.timeout) as resp:
                status, answer_headers = resp.status, resp.headers
        except urllib.error.HTTPError as exc:
            status, answer_headers = exc.code, exc.headers
        for raw in answer_headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie(raw)
            if COOKIE in jar:
                self.cookie = jar[COOKIE].value or None
        return status, str(answer_headers.get("Location") or "")


def with_login_hint(url: str, user: str | None) -> str:
    """An Entra URL with `login_hint` added (the simulator signs that user in; no hint: its first admin)."""
    return f"{url}&{urlencode({'login_hint': user})}" if user else url


def prove(http_base: str, ca_bundle: Path, tenant_id: str, user: str | None = None) -> RoundTrip:
    """Run the sign-in round trip for `tenant_id` as `user`; where it ended."""
    browser, trip = Browser(ca_bundle), RoundTrip(tenant_id=tenant_id.lower(), user=user)
    url = f"{http_base.rstrip('/')}/api/onboarding/signin?{urlencode({'tenant_id': tenant_id})}"
    caleta = urlsplit(url).netloc
    for _ in range(MAX_HOPS):
        ours = urlsplit(url).netloc == caleta
        status, location = browser.get(url if ours else with_login_hint(url, user))
        trip.hops.append(f"{status} {urlsplit(url).path}")
        if status != 302 or not location:
            trip.outcome = "refused" if status < 500 else "unavailable"
            return trip
        if "/adminconsent" in urlsplit(location).path:
            trip.consented = True
        fragment = parse_qs(urlsplit(location).fragment)
        if urlsplit(location).path.endswith("/api/onboarding") and urlsplit(location).netloc == caleta:
            proofs = fragment.get("proof") or []
            trip.proof = proofs[0] if proofs else None
            trip.outcome = "proof" if trip.proof else (fragment.get("outcome") or ["refused"])[0]
            return trip
        url = location
    raise ConsentError(f"no end after {MAX_HOPS} redirects: {trip.hops}")


def run(state_dir: Path, tenant_id: str, user: str | None) -> int:
    """The command: prove against the stack whose endpoints.json is in `state_dir`; print the JSON."""
    endpoints = json.loads((state_dir / "endpoints.json").read_text())
    trip = prove(endpoints["http_base"], Path(endpoints["ca_bundle"]), tenant_id, user)
    print(json.dumps(trip.as_json(), indent=2), flush=True)
    return 0 if trip.proof else 1
