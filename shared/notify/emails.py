"""The e-mails Caleta sends: links and headline figures only, never cost rows or resource names.

Every link opens a page that answers a click (a GET with no header): the account page, with the ids it should
show after the `#` - never a key, which the customer holds and enters on the page (the fragment never leaves
the browser) - or a deletion certificate, which needs no key. tests/e2e/test_email_links.py follows each one.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from shared.config import get_settings
from shared.notify.model import Email


def _base() -> str:
    return get_settings().public_base_url.rstrip("/")


def account_link(**ids: str) -> str:
    """The account page, naming `ids` (customer, scan or certificate) after the `#`."""
    return f"{_base()}/api/account#" + "&".join(f"{name}={quote(value, safe='')}" for name, value in ids.items())


def review_ready(to: str, customer_id: str, scan_id: str, findings: int, monthly_savings: float,
                 currency: str, status: str) -> Email:
    """Your review is ready: the headline figures and the report link."""
    link = account_link(customer=customer_id, scan=scan_id)
    partial = "\nSome data could not be collected; the report says which.\n" if status == "partial" else ""
    body = (f"Your Azure cost review is ready.\n\nFindings: {findings}\n"
            f"Estimated savings: {monthly_savings:,.2f} {currency} a month\n{partial}\n"
            f"Read it on your account page (it asks for your API key): {link}\n")
    return Email(to=to, kind="review_ready", subject="Your Caleta cost review is ready", body=body,
                 customer_id=customer_id)


def access_revoked(to: str, customer_id: str, reason: str) -> Email:
    """We stopped: the principal was refused; re-validate once access is restored."""
    link = account_link(customer=customer_id)
    body = ("Caleta can no longer read your Azure subscriptions, so we stopped at once and will not try again.\n"
            f"\nWhat Azure told us: {reason}\n\nYour account: {link}\n\nIf this was not intended, restore the "
            f"access and then ask us to check it again with your API key: POST /api/customers/{customer_id}/validate"
            " (docs: /api/openapi.json).\n")
    return Email(to=to, kind="access_revoked", subject="Caleta's access to your Azure was revoked", body=body,
                 customer_id=customer_id)


def offboarding_confirmed(to: str, request_id: str, deadline: dt.datetime, *, customer_id: str) -> Email:
    """Offboarding started: everything goes by the deadline; the certificate follows (the purge deletes this
    e-mail from the local outbox with everything else about the customer)."""
    link = account_link(certificate=request_id)
    body = ("We have stopped all work for your account and started deleting everything we hold about you.\n"
            f"\nDeadline: {deadline:%Y-%m-%d %H:%M} UTC at the latest.\n"
            f"Your deletion certificate (id {request_id}) will be shown here once it is issued: {link}\n")
    return Email(to=to, kind="offboarding_confirmed", subject="Your Caleta offboarding has started", body=body,
                 customer_id=customer_id)


def certificate_issued(to: str, certificate_id: str, completed_at: dt.datetime) -> Email:
    """Everything is deleted: the certificate link (sent after the purge, so it names no customer id)."""
    page = account_link(certificate=certificate_id)
    document = f"{_base()}/api/deletion-certificates/{certificate_id}"
    body = (f"Every piece of data Caleta held about you was deleted on {completed_at:%Y-%m-%d %H:%M} UTC, and a "
            f"check of every store found nothing left.\n\nYour deletion certificate: {page}\n"
            f"The certificate as JSON, to keep: {document}\n")
    return Email(to=to, kind="certificate_issued", subject="Your Caleta deletion certificate", body=body)


def tenant_onboarded_again(to: str, customer_id: str, when: dt.datetime, auth_mode: str) -> Email:
    """Issue 13: another account was opened for the same Microsoft Entra tenant (a repeated onboarding passed
    the proof); the existing contact hears of it, with nothing about the new account's holder."""
    proof = ("a sign-in by an administrator of your tenant" if auth_mode == "federated"
             else "a working client secret of a service principal in your tenant")
    body = (f"On {when:%Y-%m-%d %H:%M} UTC another Caleta Cost Review account was opened for the same Microsoft "
            f"Entra tenant as yours. It was proven by {proof}.\n\nIf your organisation expected this, there is "
            "nothing to do. If not, check who administers your tenant and which applications hold Reader or Cost "
            "Management Reader on your subscriptions, and tell us at privacy@caleta.io.\n")
    return Email(to=to, kind="tenant_onboarded_again", subject="Another Caleta account was opened for your tenant",
                 body=body, customer_id=customer_id)


def roles_ready(to: str, customer_id: str, scan_id: str | None, readable: int, awaiting: int) -> Email:
    """The roles are visible now: the customer is active and the first scan has started (subscription counts only)."""
    rest = (f"\n{awaiting} other subscription(s) are still not readable; Caleta keeps checking them.\n"
            if awaiting else "")
    if scan_id:
        started = "so your first cost review has started"
        follow = ("Follow it on your account page (it asks for your API key): "
                  f"{account_link(customer=customer_id, scan=scan_id)}")
    else:
        started = "so your first cost review can start"
        follow = ("It starts with the next scheduled scan, or now from your account page (it asks for your API "
                  f"key): {account_link(customer=customer_id)}")
    body = f"Caleta can now read {readable} of your Azure subscription(s), {started}.\n{rest}\n{follow}\n"
    return Email(to=to, kind="roles_ready", subject="Caleta can read your Azure subscriptions: first scan started",
                 body=body, customer_id=customer_id)


def roles_still_missing(to: str, customer_id: str, subscription_ids: list[str], waited_minutes: int,
                        every_minutes: int) -> Email:
    """After the wait, some subscriptions are still unreadable: what to check, and how to ask again."""
    shown = "\n".join(f"  - {s}" for s in subscription_ids[:20])
    more = f"\n  ... and {len(subscription_ids) - 20} more" if len(subscription_ids) > 20 else ""
    body = (f"Caleta checked every {every_minutes} minutes for {waited_minutes} minutes and still cannot read these "
            f"Azure subscription(s):\n{shown}{more}\n\nPlease check, for each one:\n"
            "  - the subscription id is right and the subscription is in the tenant you onboarded;\n"
            "  - the principal Caleta uses has Reader (and Cost Management Reader) on the subscription, or on a "
            "management group above it;\n"
            "  - for an Enterprise Agreement, that cost data is visible to subscription owners ('AO view charges').\n"
            f"\nThen ask Caleta to check again with your API key: POST /api/customers/{customer_id}/validate"
            f" (docs: /api/openapi.json). Your account: {account_link(customer=customer_id)}\n")
    return Email(to=to, kind="roles_still_missing", subject="Caleta still cannot read some of your subscriptions",
                 body=body, customer_id=customer_id)
