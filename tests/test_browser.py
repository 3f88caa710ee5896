"""Every sample report in a real browser: no console errors, no network requests, readable at laptop and phone widths.

Drives Debian's Chromium (``/usr/bin/chromium``) with Playwright; nothing is downloaded.
Without Chromium the tests skip with a message (``apt-get install chromium``), except in
CI (``CI`` set), where ``.ci/run`` installs it and its absence is a failure.
"""

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from cxlib.reports import run_study
from cxlib.studies import REGISTRY

CHROMIUM = Path(os.environ.get("CXLIB_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}
# every chart: its rendered width, the width it was drawn for, its type size there, and which rendition shows
CHARTS = """[...document.querySelectorAll('figure.cx-chart img')].map(img => {
  const phone = img.currentSrc === img.parentElement.querySelector('source').getAttribute('srcset');
  return {shown: img.getBoundingClientRect().width, phone: phone,
          font: phone ? +img.dataset.phoneFontPx : +img.dataset.fontPx,
          drawn: phone ? +img.dataset.phoneWidth : +img.getAttribute('width')};
})"""
NO_CHARTS = {"business_case", "persona_study"}
# the visible text of a report, without code spans (parameter names such as `revenue_col` are instructions)
VISIBLE_TEXT = """(() => { const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('code').forEach(c => c.remove()); return main.innerText; })()"""
REPRS = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|<NA>|\bNaT\b|\[['\"]|['\"]\]|\{'|Timestamp\(|dtype|\w\[[^\]\s]+\]|"
                   r"\bTrue\b|\bFalse\b")
# in the executive summary, also no identifiers of the data and no methods words
SUMMARY_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|Holm|log-rank|chi-square|R²|\bR2\b|\bdf\b|\bARI\b|\bVIF\b")
STUDIES = sorted(REGISTRY)  # every declared study, as the runner finds them


@pytest.fixture(scope="module")
def browser():
    missing = "playwright is not installed (pip install -e '.[dev]')" if _no_playwright() else None
    if missing is None and not CHROMIUM.exists():
        missing = f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


def _no_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return True
    return False


def visit(browser, report: Path, width: int, height: int) -> dict:
    """Load a report; collect console errors, page errors, dialogs and every request made."""
    page = browser.new_page(viewport={"width": width, "height": height})
    seen = {"errors": [], "requests": [], "dialogs": []}
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(report.as_uri(), wait_until="load")
    seen["page"] = page
    seen["overflow"] = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return seen


@pytest.mark.parametrize("study", STUDIES)
def test_report_in_a_browser(browser, sample_reports, study, tmp_path_factory):
    report = sample_reports[study] / "report.html"
    shots = tmp_path_factory.mktemp(f"screenshots-{study}")
    for name, (width, height) in WIDTHS.items():
        seen = visit(browser, report, width, height)
        page = seen["page"]
        assert seen["errors"] == [], seen["errors"]
        assert seen["requests"] == [report.as_uri()], seen["requests"]  # the page itself, nothing else
        assert seen["overflow"] <= 0, f"{study} is wider than a {name} screen by {seen['overflow']} px"
        assert page.locator("h2", has_text="Executive summary").count() == 1
        assert page.locator("nav.toc a").count() >= 3
        assert page.locator("pre:has-text('Traceback')").count() == 0
        if name == "laptop":
            text = page.evaluate(VISIBLE_TEXT)
            found = sorted({m.group(0) for m in REPRS.finditer(text)})
            assert not found, f"{study}: code or reprs in the visible text: {found}"
            summary = text.split("Executive summary")[-1].split("\n1. ")[0]
            found = sorted({m.group(0) for m in SUMMARY_CODE.finditer(summary)})
            assert not found, f"{study}: identifiers or methods words in the executive summary: {found}"
        images = page.locator("main img")
        for i in range(images.count()):
            alt = images.nth(i).get_attribute("alt") or ""
            assert alt and "No description" not in alt, f"{study}: an image without a real text alternative"
        charts = page.evaluate(CHARTS)
        assert charts or study in NO_CHARTS, f"{study} shows no chart"
        for chart in charts:
            font = chart["font"] * chart["shown"] / chart["drawn"]  # CSS px of the chart's smallest type
            assert font >= 11, f"{study}: chart text is {font:.1f} px on a {name} screen"
            assert chart["phone"] == (name == "phone"), f"{study}: wrong rendition on a {name} screen"
        path = shots / f"{study}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
        page.close()


def test_index_in_a_browser(browser, sample_reports):
    index = next(iter(sample_reports.values())).parent.parent / "index.html"
    for width, height in WIDTHS.values():
        seen = visit(browser, index, width, height)
        assert seen["errors"] == [] and seen["requests"] == [index.as_uri()]
        assert seen["page"].locator("table.runs tbody tr").count() >= len(STUDIES)
        assert seen["page"].locator(".tiles a.tile").count() >= 7  # NPS, CSAT, churn, revenue, CX, ROI, call-backs
        assert seen["overflow"] <= 0
        seen["page"].close()


@pytest.mark.slow
def test_payloads_in_data_render_as_text(browser, tmp_path):
    payloads = ["<script>alert('x')</script>", "<img src=x onerror=\"document.title='pwned'\">",
                "[Verify your account](https://evil.example/login)", "![x](https://evil.example/t.png)"]
    frame = pd.DataFrame({"Id": ["a", "b", "c", "d"], "LTR": [2, 3, 10, 1], "When": ["2025-03-01"] * 4,
                          "Text": [payloads[0] + " too expensive", payloads[1], "great service " + payloads[3],
                                   "Total outage " + payloads[2]],
                          "Tier": [payloads[1], payloads[2], payloads[0], payloads[3]]})
    path = tmp_path / "feedback.csv"
    frame.to_csv(path, index=False)
    params = {"data_path": str(path), "id_col": "Id", "score_col": "LTR", "date_col": "When", "comment_col": "Text",
              "touchpoint_col": None, "revenue_col": None, "segment_col": "Tier"}
    run = run_study("closed_loop", params, reports_dir=tmp_path / "reports")
    seen = visit(browser, run / "report.html", *WIDTHS["laptop"])
    page = seen["page"]
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert page.title() != "pwned"
    text = page.inner_text("main")
    assert all(p in text for p in payloads)  # shown as the characters they are
    assert page.locator("main script").count() == 0 and page.locator("main img[src='x']").count() == 0
    assert page.locator("a[href*='evil.example']").count() == 0  # Markdown links and images stay text
    assert page.locator("img[src*='evil.example']").count() == 0
