"""The demo reviews printed in headless Chromium (Debian's), A4 (report-design D13.5): Pennine in at most 8 pages,
Tamar in at most 4; page 1 (the range, the tiers, the waterfall, the summary and its footnote) on one A4 page; at
1280 px the summary fits the first 1,100 px; hostile names print as text.

The reports are the demo estate's, analysed as the pipeline does (tests/unit/analysis/demo_inputs.py); the PDFs
and a screenshot of page 1 go to out/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, ViewportSize, sync_playwright

from tests.e2e.browser_support import SHOTS, launch
from tests.unit.analysis.builders import analyse
from tests.unit.analysis.demo_inputs import load_demo, scan_inputs

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]
PAGE_LIMITS = {"Pennine Freight Ltd": 8, "Tamar Analytics Ltd": 4}
SUMMARY_HEIGHT = 1100
# A4 less 12 mm margins, in CSS px (report-design D13.5): the print layout's page.
A4_PAGE: ViewportSize = {"width": 703, "height": 1032}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.html of each reference customer, written to a file Chromium opens."""
    folder = tmp_path_factory.mktemp("reports")
    out = {}
    for tenant in load_demo().tenants:
        if tenant.display_name in PAGE_LIMITS:
            path = folder / f"{tenant.display_name.split()[0].lower()}.html"
            path.write_bytes(analyse(scan_inputs(tenant)).report_html)
            out[tenant.display_name] = path
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = launch(playwright, tmp_path_factory.mktemp("chromium-print"))
        try:
            yield context
        finally:
            context.close()


def printed_pages(browser: BrowserContext, page_file: Path, name: str) -> int:
    """Print the page on A4 as Chromium does and count the PDF's pages."""
    tab = browser.new_page()
    try:
        tab.goto(page_file.as_uri())
        pdf = tab.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    finally:
        tab.close()
    (SHOTS / f"report-{name}.pdf").write_bytes(pdf)
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


@pytest.mark.parametrize("company", sorted(PAGE_LIMITS))
def test_review_prints_within_its_page_budget_on_a4(browser: BrowserContext, pages: dict[str, Path],
                                                     company: str) -> None:
    count = printed_pages(browser, pages[company], company.split()[0].lower())
    assert 1 < count <= PAGE_LIMITS[company], f"{company}: {count} pages"


@pytest.mark.parametrize("company", sorted(PAGE_LIMITS))
def test_page_one_holds_the_summary_and_its_footnote_on_one_a4_page(browser: BrowserContext,
                                                                     pages: dict[str, Path], company: str) -> None:
    tab = browser.new_page()
    try:
        tab.emulate_media(media="print")
        tab.set_viewport_size(A4_PAGE)
        tab.goto(pages[company].as_uri())
        height = tab.evaluate("document.querySelector('section.page1').getBoundingClientRect().height")
        texts = tab.locator("section.page1 p").all_inner_texts()
        tab.locator("section.page1").screenshot(path=str(SHOTS / f"report-{company.split()[0].lower()}-page1.png"))
    finally:
        tab.close()
    assert height <= A4_PAGE["height"], f"{company}: page 1 is {height:.0f} px"
    assert [t[:3] for t in texts if t[:1].isdigit()] == ["1. ", "2. ", "3. "]
    assert texts[-1].startswith("Written from checked templates; statements chosen by fixed rules")
    assert not any("every number" in t for t in texts)


def test_summary_fits_the_first_screen_at_1280_px(browser: BrowserContext, pages: dict[str, Path]) -> None:
    tab = browser.new_page()
    try:
        tab.set_viewport_size({"width": 1280, "height": SUMMARY_HEIGHT})
        tab.goto(pages["Pennine Freight Ltd"].as_uri())
        bottom = tab.evaluate("document.querySelector('section.page1 table').getBoundingClientRect().bottom")
        tab.screenshot(path=str(SHOTS / "report-pennine-summary.png"))
        range_box = tab.inner_text(".box .n")
    finally:
        tab.close()
    assert bottom <= SUMMARY_HEIGHT
    assert re.fullmatch(r"£2,910 \u2013 £4,6\d0 a month", range_box)


def test_hostile_names_print_as_text_when_rendered(browser: BrowserContext, pages: dict[str, Path]) -> None:
    tab = browser.new_page()
    try:
        tab.goto(pages["Pennine Freight Ltd"].as_uri())
        text = tab.inner_text("body")
        elements = tab.evaluate("document.querySelectorAll('img, script').length")
    finally:
        tab.close()
    assert "<img src=x onerror=alert(document.cookie)>" in text
    assert elements == 0
