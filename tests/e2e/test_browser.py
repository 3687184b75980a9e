"""The onboarding form and the customer's pages in headless Chromium (Debian's) on the whole local stack.

One customer goes through the product in order: sign up, see the validation and the key, follow the first
review, open the report, download it, review again, export, rotate the key, replace the secret, offboard.
Screenshots of every step at desktop (1280) and phone (390) widths go to out/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    BrowserContext,
    Dialog,
    Page,
    expect,
    sync_playwright,
)

from local.demo import onboarding_body
from local.estates.model import Estate, load_estate
from shared.messages import SOURCES
from tests.conftest import DEMO_ESTATE, Api
from tests.e2e.browser_support import CONTRAST_JS, SHOTS, fill_form, launch, shoot, tenant, watch
from tests.e2e.onboarding_support import signed_body

pytestmark = pytest.mark.e2e

SCAN_TIMEOUT_MS = 240_000


@pytest.fixture(scope="module")
def estate() -> Estate:
    return load_estate(DEMO_ESTATE)


@pytest.fixture(scope="module")
def base_url(stack: Any) -> str:
    return str(stack.endpoints["http_base"]).rstrip("/") + "/api/"


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory, stack: Any) -> Iterator[BrowserContext]:
    """A fresh Chromium profile (its own user-data dir) for the module, trusting the stack's TLS leaf (the
    simulated Entra sign-in); always closed."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser_context = launch(playwright, tmp_path_factory.mktemp("chromium-profile"), stack.certs.cert)
        browser_context.set_default_timeout(30_000)
        try:
            yield browser_context
        finally:
            browser_context.close()


@pytest.fixture(scope="module")
def problems() -> list[str]:
    """Console errors, script errors and dialogs seen in the customer's tab."""
    return []


@pytest.fixture(scope="module")
def page(context: BrowserContext, problems: list[str]) -> Iterator[Page]:
    """The customer's tab; any CSP violation or script error it reports fails the module's last test."""
    tab = context.pages[0] if context.pages else context.new_page()
    watch(tab, problems)
    yield tab


@pytest.fixture(scope="module")
def onboarded(page: Page, base_url: str, estate: Estate) -> dict[str, Any]:
    """Pennine Freight signs up through the form; the answer as the page showed it."""
    body = onboarding_body(tenant(estate, "Pennine"), estate)
    page.goto(base_url + "onboarding")
    expect(page.locator("h1")).to_have_text("Get a review of your Azure spend")
    # No command until the subscriptions are known: a note says what to fill in first (audit S6).
    expect(page.locator("#federated-commands")).to_be_hidden()
    expect(page.locator("#federated-commands-missing")).to_contain_text("Enter your subscription ids above first")
    subs = body["subscription_ids"]
    fill_form(page, body, f"{subs[0]}, {subs[1]};\n/subscriptions/{subs[2]}  {subs[0].upper()}")
    expect(page.locator("#secret-commands")).to_contain_text(f"/subscriptions/{subs[2]}")
    expect(page.locator("#secret-commands")).to_contain_text('--assignee-object-id "$SP_ID"')
    expect(page.locator("#secret-commands-missing")).to_be_hidden()
    assert "<" not in page.locator("#secret-commands").inner_text()
    expect(page.locator("#subscription_ids-count")).to_have_text("3 subscription ids found")
    shoot(page, "01-onboarding-form")
    page.click("#submit")
    expect(page.locator("#result")).to_be_visible(timeout=120_000)
    api_key = page.input_value("#api-key")
    customer_id = page.locator("#customer-id").inner_text()
    shoot(page, "02-onboarding-result")
    return {"body": body, "api_key": api_key, "customer_id": customer_id}


def test_validation_is_shown_per_subscription_when_form_submitted(page: Page, onboarded: dict[str, Any]) -> None:
    rows = page.locator("#validation-table tbody tr")
    expect(rows).to_have_count(3)
    for sub in onboarded["body"]["subscription_ids"]:
        row = rows.filter(has_text=sub)
        expect(row).to_contain_text("Ready")
        expect(row).to_contain_text("Cost Management Reader")
    expect(page.locator("#result-summary")).to_contain_text("3 of 3 subscriptions can be reviewed")


def test_api_key_is_shown_once_with_warning_and_copy_when_accepted(page: Page, context: BrowserContext,
                                                                   onboarded: dict[str, Any]) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_\-]{40,}", onboarded["api_key"])
    expect(page.locator("#key-warning")).to_contain_text("shown only once")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.click("#copy-key")
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == onboarded["api_key"]
    assert onboarded["api_key"] not in page.url
    expect(page.locator("#onboarding-form")).to_be_hidden()


def test_first_review_completes_when_followed_on_the_account_page(page: Page, onboarded: dict[str, Any]) -> None:
    page.click("#go-account")
    expect(page.locator("#company")).to_have_text(onboarded["body"]["company"])
    expect(page.locator("#state")).to_have_text("Active")
    shoot(page, "03-review-in-progress")
    expect(page.locator("#scan-status")).to_have_attribute("data-status", "complete", timeout=SCAN_TIMEOUT_MS)
    tasks = len(onboarded["body"]["subscription_ids"]) * len(SOURCES)  # one task per subscription and source
    expect(page.locator("#scan-progress-text")).to_contain_text(f"{tasks} of {tasks} collection tasks finished")
    expect(page.locator("#report-actions")).to_be_visible()
    assert onboarded["api_key"] not in page.url
    shoot(page, "04-review-complete")


def test_report_opens_in_its_own_tab_when_asked(page: Page, context: BrowserContext,
                                                onboarded: dict[str, Any]) -> None:
    with context.expect_page() as opened:
        page.click("#open-report")
    report = opened.value
    report.wait_for_load_state()
    assert onboarded["api_key"] not in report.url
    expect(report.locator("body")).to_contain_text(onboarded["body"]["company"])
    shoot(report, "05-report")
    report.close()
    assert page.input_value("#report-api_key") == ""


@pytest.mark.parametrize(("button", "name"), [("#download-json", "report.json"), ("#download-csv", "findings.csv")])
def test_report_downloads_when_button_pressed(page: Page, button: str, name: str, tmp_path: Path) -> None:
    with page.expect_download() as download:
        page.click(button)
    path = tmp_path / name
    download.value.save_as(path)
    data = path.read_bytes()
    if name.endswith(".json"):
        assert isinstance(json.loads(data), dict)
    else:
        assert data.count(b"\n") >= 2 and b"," in data.splitlines()[0]


def test_review_now_starts_a_new_scan_when_pressed(page: Page) -> None:
    first = page.locator("#scan-id").inner_text()
    page.click("#scan-now")
    expect(page.locator("#scan-message")).to_have_text("Review started.")
    expect(page.locator("#scan-id")).not_to_have_text(first)
    shoot(page, "06-review-now")
    expect(page.locator("#scan-status")).to_have_attribute("data-status", "complete", timeout=SCAN_TIMEOUT_MS)


def test_review_history_lists_both_reviews_with_a_chart_when_the_second_is_done(page: Page) -> None:
    rows = page.locator("#history-table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#history-retention")).to_contain_text("kept for 13 months")
    expect(page.locator("#history-chart svg circle.spend")).to_have_count(2)
    expect(page.locator("#history-chart svg circle.found")).to_have_count(2)
    expect(page.locator("#history-chart svg circle.realised")).to_have_count(1)  # the first review has none
    expect(page.locator("#history-chart svg path.spend")).to_have_count(1)
    newest = rows.nth(0).locator("td")
    expect(newest.nth(1)).to_have_text(re.compile(r"^£[\d,]+$"))
    expect(newest.nth(4)).to_have_text("0")  # nothing changed in the estate: nothing new, nothing resolved
    expect(newest.nth(5)).to_have_text("0")
    expect(rows.nth(1).locator("td").nth(4)).to_have_text("—")  # a first review has nothing to compare with
    shoot(page, "06b-review-history")


def test_deleting_a_review_asks_first_then_removes_it_when_confirmed(page: Page) -> None:
    rows = page.locator("#history-table tbody tr")
    newest, older = rows.nth(0).get_attribute("data-scan"), rows.nth(1).get_attribute("data-scan")
    rows.nth(1).locator("button.delete-review").click()
    expect(page.locator("#history-warning")).to_contain_text("cannot be undone")
    expect(page.locator("#history-confirm-button")).to_be_focused()
    shoot(page, "06c-review-delete-confirm")
    page.click("#history-cancel")
    expect(page.locator("#history-confirm")).to_be_hidden()
    expect(rows).to_have_count(2)
    rows.nth(1).locator("button.delete-review").click()
    page.click("#history-confirm-button")
    expect(page.locator("#history-message")).to_have_text("Review deleted.")
    expect(rows).to_have_count(1)
    assert rows.nth(0).get_attribute("data-scan") == newest != older
    expect(page.locator("#scan-id")).to_have_text(str(newest))
    shoot(page, "06d-review-deleted")


def test_account_opens_again_with_the_key_when_tab_is_new(context: BrowserContext, base_url: str,
                                                          onboarded: dict[str, Any]) -> None:
    fresh = context.new_page()
    try:
        fresh.goto(base_url + "account")
        expect(fresh.locator("#signin")).to_be_visible()
        fresh.fill("#signin-customer_id", onboarded["customer_id"])
        fresh.fill("#signin-api_key", "x" * 43)
        fresh.click("#signin button[type=submit]")
        expect(fresh.locator("#signin-api_key-error")).to_contain_text("key does not match")
        shoot(fresh, "07-sign-in-refused")
        fresh.fill("#signin-api_key", onboarded["api_key"])
        fresh.click("#signin button[type=submit]")
        expect(fresh.locator("#company")).to_have_text(onboarded["body"]["company"])
        assert onboarded["api_key"] not in fresh.url
    finally:
        fresh.close()


def test_export_downloads_a_zip_of_the_customers_data_when_requested(page: Page, onboarded: dict[str, Any],
                                                                     tmp_path: Path) -> None:
    page.click("#export-request")
    expect(page.locator("#export-message")).to_have_text("Your export is ready.")
    shoot(page, "08-export-ready")
    with page.expect_download() as download:
        page.click("#export-download")
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        everything = b"".join(archive.read(n) for n in names)
    assert names and onboarded["customer_id"].encode() in everything
    assert onboarded["api_key"].encode() not in everything
    assert onboarded["body"]["auth"]["client_secret"].encode() not in everything


def test_api_key_rotation_asks_first_then_shows_the_new_key_once_when_confirmed(
        page: Page, api: Api, onboarded: dict[str, Any]) -> None:
    old_key, record = onboarded["api_key"], f"/api/customers/{onboarded['customer_id']}"
    expect(page.locator("#key-rotated-at")).to_have_text("never")
    page.click("#rotate-start")
    expect(page.locator("#rotate-warning")).to_contain_text("stops working at once")
    page.click("#rotate-cancel")
    expect(page.locator("#rotate-confirm")).to_be_hidden()
    assert api.get(record, api_key=old_key).status == 200  # cancelled: nothing changed
    page.click("#rotate-start")
    shoot(page, "08a-rotate-key-confirm")
    page.click("#rotate-confirm-button")
    expect(page.locator("#new-key-box")).to_be_visible()
    new_key = page.input_value("#new-api-key")
    assert new_key != old_key and re.fullmatch(r"[A-Za-z0-9_\-]{40,}", new_key)
    expect(page.locator("#key-rotated-at")).not_to_have_text("never")
    shoot(page, "08b-rotate-key-done")
    assert api.get(record, api_key=old_key).status == 404
    assert api.get(record, api_key=new_key).status == 200
    assert new_key not in page.url
    onboarded["api_key"] = new_key
    page.reload()  # the tab goes on with the new key
    expect(page.locator("#company")).to_have_text(onboarded["body"]["company"])
    expect(page.locator("#new-key-box")).to_be_hidden()


def test_client_secret_refused_by_entra_is_not_stored_when_replaced(context: BrowserContext, base_url: str,
                                                                    stack: Any, onboarded: dict[str, Any]) -> None:
    tab = context.new_page()  # a tab of its own: the refusal's 400 is expected there
    try:
        tab.goto(base_url + "account")
        tab.fill("#signin-customer_id", onboarded["customer_id"])
        tab.fill("#signin-api_key", onboarded["api_key"])
        tab.click("#signin button[type=submit]")
        expect(tab.locator("#secret-replaced-at")).to_have_text("never")
        tab.fill("#new-client_secret", "not-the-new-secret")
        tab.click("#secret-start")
        expect(tab.locator("#secret-warning")).to_contain_text("deleted from our vault")
        tab.click("#secret-confirm-button")
        expect(tab.locator("#new-client_secret-error")).to_contain_text("7000215")
        expect(tab.locator("#secret-message")).to_contain_text("nothing changed")
        shoot(tab, "08c-secret-refused")
        held = sorted(p.name for p in (Path(stack.state_dir) / "secrets").glob(f"customer-{onboarded['customer_id']}*"))
        assert held == [f"customer-{onboarded['customer_id']}.secret"]
    finally:
        tab.close()


def test_client_secret_is_replaced_and_used_when_entra_accepts_it(page: Page, stack: Any,
                                                                  onboarded: dict[str, Any]) -> None:
    page.fill("#new-client_secret", onboarded["body"]["auth"]["client_secret"])
    page.click("#secret-start")
    page.click("#secret-cancel")
    expect(page.locator("#secret-confirm")).to_be_hidden()
    page.click("#secret-start")
    page.click("#secret-confirm-button")
    expect(page.locator("#secret-message")).to_contain_text("is in use")
    expect(page.locator("#secret-replaced-at")).not_to_have_text("never")
    expect(page.locator("#new-client_secret")).to_have_value("")
    shoot(page, "08d-secret-replaced")
    cid = onboarded["customer_id"]
    held = sorted(p.name for p in (Path(stack.state_dir) / "secrets").glob(f"customer-{cid}*"))
    assert held == [f"customer-{cid}-2.secret"]  # a new name; the old one deleted
    first = page.locator("#scan-id").inner_text()
    page.click("#scan-now")  # the next review signs in with the new secret
    expect(page.locator("#scan-id")).not_to_have_text(first)
    expect(page.locator("#scan-status")).to_have_attribute("data-status", "complete", timeout=SCAN_TIMEOUT_MS)


def test_offboarding_asks_for_confirmation_when_started(page: Page) -> None:
    page.click("#offboard-start")
    expect(page.locator("#offboard-warning")).to_contain_text("cannot be undone")
    page.click("#offboard-confirm-button")
    expect(page.locator("#offboard-message")).to_contain_text("Tick the box")
    expect(page.locator("#offboard-done")).to_be_hidden()
    shoot(page, "09-offboard-confirm")
    page.click("#offboard-cancel")
    expect(page.locator("#offboard-confirm")).to_be_hidden()


def test_offboarding_shows_deadline_then_certificate_when_confirmed(page: Page, tmp_path: Path) -> None:
    requested = dt.datetime.now(dt.UTC)
    page.click("#offboard-start")
    page.check("#offboard-sure")
    page.click("#offboard-confirm-button")
    deadline = page.locator("#offboard-deadline")
    expect(deadline).to_be_visible()
    shown = dt.datetime.fromisoformat(str(deadline.get_attribute("datetime")))
    assert dt.timedelta(days=6, hours=23) < shown - requested <= dt.timedelta(days=7, minutes=5)
    expect(page.locator("#state")).to_have_text("Offboarding")
    expect(page.locator("#scan-now")).to_be_disabled()
    shoot(page, "10-offboard-deadline")
    expect(page.locator("#certificate")).to_be_visible(timeout=180_000)
    expect(page.locator('dd[data-field="Verification"]')).to_have_text("nothing found")
    expect(page.locator('dd[data-field="Within the deadline"]')).to_have_text("yes")
    expect(page.locator('dd[data-field="Deleted copies Azure keeps"]')).to_contain_text("1 day(s)")
    expect(page.locator('dd[data-field="Client secret"]')).to_contain_text("purged")
    shoot(page, "11-deletion-certificate")
    with page.expect_download() as download:
        page.click("#certificate-download")
    path = tmp_path / "certificate.json"
    download.value.save_as(path)
    assert json.loads(path.read_bytes())["verification"]["result"] == "nothing found"
    assert page.evaluate("sessionStorage.length") == 0


def test_malformed_tenant_id_is_shown_at_its_field_when_submitted(context: BrowserContext, base_url: str,
                                                                  estate: Estate) -> None:
    tab = context.new_page()
    try:
        body = onboarding_body(tenant(estate, "Pennine"), estate)
        tab.goto(base_url + "onboarding")
        fill_form(tab, {**body, "tenant_id": "75f52ee7-223c-5660-b825-NOT-A-GUID"})
        tab.click("#submit")
        expect(tab.locator("#tenant_id-error")).to_contain_text("must be a GUID")
        expect(tab.locator("#tenant_id")).to_have_attribute("aria-invalid", "true")
        expect(tab.locator("#tenant_id")).to_be_focused()
        expect(tab.locator("#client_secret-error")).to_be_hidden()
        shoot(tab, "12-error-tenant-id")
    finally:
        tab.close()


def test_wrong_secret_is_shown_at_the_secret_field_when_entra_refuses(context: BrowserContext, base_url: str,
                                                                      estate: Estate) -> None:
    tab = context.new_page()
    try:
        body = onboarding_body(tenant(estate, "Pennine"), estate)
        body["auth"]["client_secret"] = "wrong-secret-value"
        tab.goto(base_url + "onboarding")
        fill_form(tab, body)
        tab.click("#submit")
        expect(tab.locator("#client_secret-error")).to_be_visible(timeout=60_000)
        expect(tab.locator("#client_secret")).to_have_attribute("aria-invalid", "true")
        expect(tab.locator("#tenant_id-error")).to_be_hidden()
        expect(tab.locator("#result")).to_be_hidden()
        shoot(tab, "13-error-wrong-secret")
    finally:
        tab.close()


def test_unreadable_subscriptions_are_explained_and_the_customer_awaits_roles_when_none_is_readable_yet(
        context: BrowserContext, base_url: str, estate: Estate) -> None:
    # docs/onboarding-design.md section 4: no readable subscription is not a refusal (roles may take minutes to
    # appear); the customer gets its key and awaits roles, and the page says what to fix meanwhile.
    tab = context.new_page()
    try:
        body = onboarding_body(tenant(estate, "Pennine"), estate)
        others = tenant(estate, "Tamar").subscriptions
        tab.goto(base_url + "onboarding")
        fill_form(tab, {**body, "subscription_ids": [s.subscription_id for s in others]})
        tab.click("#submit")
        expect(tab.locator("#result")).to_be_visible(timeout=60_000)
        expect(tab.locator("#result-summary")).to_contain_text("None of the subscriptions can be read yet")
        expect(tab.locator("#result-summary")).to_contain_text("roles may take a few minutes to appear")
        expect(tab.locator("#validation-table tbody tr")).to_have_count(len(others))
        expect(tab.locator("#validation-table tbody")).to_contain_text("Not readable")
        expect(tab.locator("#key-panel")).to_be_visible()
        expect(tab.locator("#onboarding-form")).to_be_hidden()
        shoot(tab, "14-awaiting-roles")
    finally:
        tab.close()


def test_hostile_company_name_is_shown_as_text_when_rendered(context: BrowserContext, base_url: str,
                                                             estate: Estate) -> None:
    tab = context.new_page()
    alerts: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        alerts.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    try:
        hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> & Co'
        body = {**onboarding_body(tenant(estate, "Tamar"), estate), "company": hostile}
        tab.goto(base_url + "onboarding")
        fill_form(tab, body)
        sign_in_with_microsoft(tab)
        tab.click("#submit")
        expect(tab.locator("#key-panel")).to_be_visible(timeout=120_000)
        tab.click("#go-account")
        expect(tab.locator("#company")).to_have_text(hostile)
        assert tab.locator("#company img, #company script").count() == 0
        assert alerts == []
    finally:
        tab.close()


def sign_in_with_microsoft(tab: Page) -> None:
    """Step 1 of federated mode: the round trip through the simulated Entra, back with the proof."""
    tab.click("#signin-link")
    expect(tab.locator("#proof-status")).to_contain_text("Signed in: you administer this tenant", timeout=30_000)


def test_federated_customer_signs_in_with_microsoft_then_submits_the_form_when_an_administrator(
        context: BrowserContext, base_url: str, estate: Estate, problems: list[str]) -> None:
    # given: Wessex Larder's form filled in, Caleta's app chosen
    tab = context.new_page()
    watch(tab, problems)
    try:
        body = onboarding_body(tenant(estate, "Wessex"), estate)
        tab.goto(base_url + "onboarding")
        fill_form(tab, body)
        tab.click("#submit")  # without the sign-in the page asks for it first
        expect(tab.locator("#proof-error")).to_contain_text("sign in with Microsoft first")
        shoot(tab, "15-federated-before-sign-in")
        # when: the administrator signs in (Caleta -> Entra -> Caleta) and comes back
        sign_in_with_microsoft(tab)
        # then: the form is as it was, the proof is out of the address bar, and the submit onboards
        assert "#" not in tab.url and "proof" not in tab.url
        expect(tab.locator("#company")).to_have_value(body["company"])
        expect(tab.locator("#subscription_ids")).to_have_value("\n".join(body["subscription_ids"]))
        shoot(tab, "16-federated-signed-in")
        tab.click("#submit")
        expect(tab.locator("#key-panel")).to_be_visible(timeout=120_000)
        expect(tab.locator("#result-summary")).to_contain_text("Your first review has started")
        shoot(tab, "17-federated-onboarded")
    finally:
        tab.close()


def test_non_administrator_is_given_the_link_for_their_administrator_when_back_from_sign_in(
        context: BrowserContext, base_url: str, estate: Estate) -> None:
    tab = context.new_page()
    try:
        tenant_id = tenant(estate, "Tamar").tenant_id
        tab.goto(f"{base_url}onboarding?tenant_id={tenant_id}#outcome=not_admin")
        expect(tab.locator("#admin-link-panel")).to_be_visible()
        expect(tab.locator("#admin-link")).to_have_value(f"{base_url}onboarding?tenant_id={tenant_id}")
        expect(tab.locator("#tenant_id")).to_have_value(tenant_id)
        shoot(tab, "18-not-an-administrator")
    finally:
        tab.close()


def test_focus_is_visible_and_form_is_keyboard_usable_when_tabbing(context: BrowserContext, base_url: str) -> None:
    tab = context.new_page()
    try:
        tab.goto(base_url + "onboarding")
        tab.keyboard.press("Tab")
        expect(tab.locator(".skip")).to_be_focused()
        tab.keyboard.press("Enter")
        tab.keyboard.press("Tab")
        tab.keyboard.press("Tab")
        focused = tab.evaluate("document.activeElement.id")
        assert focused in ("company", "contact_email")
        outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline != "none"
        for field in ("company", "contact_email", "tenant_id", "subscription_ids", "client_id", "client_secret"):
            assert tab.locator(f"label[for={field}]").count() == 1
    finally:
        tab.close()


def test_text_and_controls_meet_wcag_aa_contrast_when_rendered(context: BrowserContext, base_url: str) -> None:
    tab = context.new_page()
    try:
        tab.goto(base_url + "onboarding")
        tab.click("#submit")  # an empty form: every error message shows
        selectors = ["h1", ".lead", ".hint", "label[for=company]", "#company-error", "#submit", ".brand",
                     ".top a", "button.copy", "legend"]
        ratios = dict(tab.evaluate(CONTRAST_JS, selectors))
        assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
    finally:
        tab.close()


def _finished_scan(api: Api, customer: dict[str, Any], scan_id: str) -> None:
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=SCAN_TIMEOUT_MS)
    path = f"/api/customers/{customer['customer_id']}/scans/{scan_id}"
    while api.get(path, api_key=customer["api_key"]).json()["status"] not in ("complete", "partial", "failed"):
        assert dt.datetime.now(dt.UTC) < deadline, "scan did not finish"
        time.sleep(0.5)


def test_review_email_link_opens_the_account_on_the_scan_it_names(context: BrowserContext, base_url: str,
                                                                   stack: Any, estate: Estate,
                                                                   problems: list[str]) -> None:
    # given: a customer with two scans; the e-mail names the first (shared/notify/emails.py:review_ready)
    api = Api(stack.endpoints["http_base"], ca_bundle=stack.endpoints["ca_bundle"])
    customer = api.post("/api/onboarding", signed_body(api, tenant(estate, "Wessex"), estate)).json()
    _finished_scan(api, customer, customer["first_scan_id"])
    newer = api.post(f"/api/customers/{customer['customer_id']}/scans", api_key=customer["api_key"]).json()
    assert newer["scan_id"] != customer["first_scan_id"]
    tab = context.new_page()
    watch(tab, problems)
    try:
        # when: the link is clicked in a browser with no session
        tab.goto(base_url + f"account#customer={customer['customer_id']}&scan={customer['first_scan_id']}")
        # then: the customer id is filled in, the key is asked for, and the scan shown is the one named
        expect(tab.locator("#signin-customer_id")).to_have_value(customer["customer_id"])
        expect(tab.locator("#signin-api_key")).to_be_focused()
        tab.fill("#signin-api_key", customer["api_key"])
        tab.click("#signin button[type=submit]")
        expect(tab.locator("#scan-id")).to_have_text(customer["first_scan_id"])
        expect(tab.locator("#report-actions")).to_be_visible()
        shoot(tab, "12-email-link-review")
        assert customer["api_key"] not in tab.url
    finally:
        tab.close()


def test_certificate_email_link_shows_the_certificate_without_a_key(context: BrowserContext, base_url: str,
                                                                    stack: Any, estate: Estate,
                                                                    problems: list[str]) -> None:
    api = Api(stack.endpoints["http_base"], ca_bundle=stack.endpoints["ca_bundle"])
    customer = api.post("/api/onboarding", signed_body(api, tenant(estate, "Tamar"), estate)).json()
    _finished_scan(api, customer, customer["first_scan_id"])
    request_id = api.request("DELETE", f"/api/customers/{customer['customer_id']}",
                             api_key=customer["api_key"]).json()["request_id"]
    tab = context.new_page()
    watch(tab, problems)
    try:
        tab.goto(base_url + f"account#certificate={request_id}")
        expect(tab.locator("#certificate-page")).to_be_visible()
        expect(tab.locator("#signin")).to_be_hidden()
        expect(tab.locator('#certificate-page-fields dd[data-field="Verification"]')).to_have_text(
            "nothing found", timeout=180_000)
        expect(tab.locator('#certificate-page-fields dd[data-field="Certificate id"]')).to_have_text(request_id)
        shoot(tab, "13-email-link-certificate")
    finally:
        tab.close()


def test_pages_report_no_csp_violation_or_script_error_when_used(problems: list[str]) -> None:
    # The favicon's 404 and the refused sign-in are expected resource errors; anything else is a fault.
    unexpected = [p for p in problems if "status of 404" not in p and "status of 401" not in p]
    assert unexpected == []
