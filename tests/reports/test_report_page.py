"""The HTML report in Chromium: every chart renders, the table is whole, nothing is fetched from outside."""

from __future__ import annotations

import json

from reports.build import build_report


def test_report_opens_in_chromium_with_every_chart_rendered(scored, browser, tmp_path):
    report, written = build_report(scored, by_field="source", resamples=50, min_sentences=20)
    page_file = next(path for path in written if path.name == "report.html")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")

    images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.alt])")
    assert len(images) == 2 and all(complete and width > 0 and alt for complete, width, alt in images)
    periods = page.locator("#periods tbody tr.period")
    groups = page.locator("#periods tbody tr.group")
    assert periods.count() == len(report["periods"]) == 4
    assert groups.count() == sum(len(p["groups"]) for p in report["periods"])
    assert periods.nth(3).locator("td").first.inner_text() == "undated"
    assert "flagged" in (periods.nth(2).get_attribute("class") or "")
    assert page.locator("#drift li.flag").count() >= 1
    # An example's article link lands on its row in the cited-articles table.
    link = page.locator("details a").first
    page.locator("details").first.evaluate("el => el.open = true")
    target = link.get_attribute("href")
    link.click()
    assert page.evaluate("location.hash") == target
    assert page.locator("#articles tr:target").count() == 1
    assert all(url.startswith(("file://", "data:")) for url in requests), requests

    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
    assert json.loads((scored / "report" / "report.json").read_text())["by_field"] == "source"
