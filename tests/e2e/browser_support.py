"""Helpers for the browser tests: launching Debian's Chromium, filling the form, screenshots, contrast."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Error, Page, Playwright, ViewportSize

from local.estates.model import Estate, Tenant
from tests.conftest import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = REPO_ROOT / "out" / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def spki_pin(cert: Path) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of a PEM certificate, as Chromium's SPKI allow-list takes it."""
    key = x509.load_pem_x509_certificate(cert.read_bytes()).public_key()
    return base64.b64encode(hashlib.sha256(key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
                            .digest()).decode()


def launch(playwright: Playwright, profile: Path, trusted_leaf: Path | None = None) -> BrowserContext:
    """Debian's Chromium with a fresh user-data dir (Playwright's own browser download needs the internet).

    `trusted_leaf`: the local stack's TLS leaf, the only certificate outside the system roots Chromium accepts
    (the simulated Entra sign-in is HTTPS), pinned by its key rather than by turning certificate checks off."""
    args = [*ARGS, f"--ignore-certificate-errors-spki-list={spki_pin(trusted_leaf)}"] if trusted_leaf else ARGS
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=args, headless=True, viewport=DESKTOP, accept_downloads=True,
        timeout=60_000)


def watch(tab: Page, problems: list[str]) -> None:
    """Record console errors, script errors and dialogs of `tab` in `problems` (dialogs are dismissed)."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    def on_error(error: Error) -> None:
        problems.append(str(error))

    def on_dialog(dialog: Dialog) -> None:
        problems.append("dialog: " + dialog.message)
        dialog.dismiss()

    tab.on("console", on_console)
    tab.on("pageerror", on_error)
    tab.on("dialog", on_dialog)


def tenant(estate: Estate, name: str) -> Tenant:
    """The demo estate's tenant whose display name starts with `name`."""
    return next(t for t in estate.tenants if t.display_name.startswith(name))


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots of the current state at desktop and phone widths."""
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        settle(page)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    # Resizing leaves a pending scroll adjustment that can move a button between mouse down and up.
    page.evaluate("window.scrollTo(0, 0)")
    settle(page)


def settle(page: Page) -> None:
    """Wait until layout and paint have caught up with a resize or scroll (two animation frames)."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def fill_form(page: Page, body: dict[str, Any], subscriptions_text: str | None = None) -> None:
    """Type the onboarding body into the form the way a person would."""
    page.fill("#company", body["company"])
    page.fill("#contact_email", body["contact_email"])
    page.fill("#tenant_id", body["tenant_id"])
    page.fill("#subscription_ids", subscriptions_text or "\n".join(body["subscription_ids"]))
    auth = body["auth"]
    page.check(f"#mode-{auth['mode']}")
    if auth["mode"] == "client_secret":
        page.fill("#client_id", auth["client_id"])
        page.fill("#client_secret", auth["client_secret"])
    page.select_option("#schedule", body["schedule"])


# WCAG 2 contrast ratio of each selector's text against its nearest painted background.
CONTRAST_JS = """selectors => selectors.map(sel => {
  const node = document.querySelector(sel);
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  const lum = c => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let back = node, bg = "rgba(0, 0, 0, 0)";
  while (back && (bg = getComputedStyle(back).backgroundColor) === "rgba(0, 0, 0, 0)") { back = back.parentElement; }
  if (!back) { bg = "rgb(255, 255, 255)"; }
  const [a, b] = [lum(getComputedStyle(node).color), lum(bg)];
  return [sel, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})"""
