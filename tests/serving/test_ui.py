"""The article explorer in a real headless Chromium (Debian's package), driven by Playwright."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from helpers import watched_page
from playwright.sync_api import expect

pytestmark = pytest.mark.slow


def test_root_redirects_to_the_explorer(server):
    response = httpx.get(f"{server}/", follow_redirects=False, timeout=10)
    assert response.status_code in (302, 307) and response.headers["location"] == "/ui/"
    page = httpx.get(f"{server}/ui/", timeout=10).text
    assert "/ui/static/app.js" in page and "http" not in page.split("<body>")[0].replace(
        'name="viewport"', "")


def test_seed_article_is_highlighted_filtered_and_downloadable(server, browser, root, tmp_path):
    text = (root / "data" / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    served = httpx.post(f"{server}/classify_article", json={"text": text}, timeout=60).json()
    api_labels = [sentence["label"] for sentence in served["sentences"]]
    page, outside = watched_page(browser, server)
    page.goto(f"{server}/")
    expect(page.locator("#model-info")).to_contain_text("warlens-classifier")
    page.fill("#article", text)
    page.click("#classify")
    marks = page.locator("#rendered .sentence")
    expect(marks).to_have_count(15)
    labels = [marks.nth(i).get_attribute("data-label") for i in range(15)]
    assert labels == api_labels  # the page shows what the service says; accuracy is tested elsewhere
    # Labels are not conveyed by colour alone: each mark carries its label's short name.
    assert marks.nth(0).locator(".tag").inner_text() in {"INC", "STAT", "CAPT", "FCST", "OTH"}
    marks.nth(0).focus()
    expect(page.locator("#details")).to_contain_text("%")
    page.select_option("#filter", "forecast")
    visible = page.locator("#rendered .sentence:not(.hidden-by-filter)")
    expect(visible).to_have_count(labels.count("forecast"))
    page.select_option("#filter", "all")
    page.locator("#threshold").fill("1")
    expect(page.locator("#rendered .sentence.low")).to_have_count(15)
    with page.expect_download() as download_info:
        page.click("#download-csv")
    path = tmp_path / "article.csv"
    download_info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["label"] for row in rows] == labels
    page.screenshot(path=str(tmp_path / "explorer.png"), full_page=True)
    assert (tmp_path / "explorer.png").stat().st_size > 10_000
    assert outside == [], f"the page reached outside the service: {outside}"
    page.context.close()


def test_a_clicked_sentence_shows_which_words_carry_its_label(server, browser, tmp_path):
    text = "Two missiles hit a fuel depot near Kharkiv overnight. Talks are due to resume next week."
    page, outside = watched_page(browser, server)
    page.goto(f"{server}/ui/")
    page.fill("#article", text)
    page.click("#classify")
    first = page.locator("#rendered .sentence").first
    expect(first).to_be_visible()
    first.click()
    words = page.locator("#details .attribution span")
    expect(words).to_have_count(9)
    expected = httpx.post(f"{server}/explain", json={"sentence": "Two missiles hit a fuel depot near "
                                                                  "Kharkiv overnight."}, timeout=60).json()
    # Without colour: the top words are listed, and supporting words are underlined by strength.
    expect(page.locator("#details .top-words")).to_have_text(f"Top words: {', '.join(expected['top_words'])}")
    strongest = page.locator("#details .attribution .support").evaluate_all(
        "spans => spans.map(s => [s.textContent, parseFloat(getComputedStyle(s).borderBottomWidth)])")
    widths = dict(strongest)
    assert widths[expected["top_words"][0]] == max(widths.values()) and max(widths.values()) >= 4
    # The keyboard reaches it too: focus the second sentence and press e.
    second = page.locator("#rendered .sentence").nth(1)
    second.focus()
    second.press("e")
    expect(page.locator("#details .attribution")).to_contain_text("Talks are due to resume")
    page.screenshot(path=str(tmp_path / "explain.png"), full_page=True)
    assert outside == [], f"the page reached outside the service: {outside}"
    page.context.close()


def test_api_errors_and_key_prompt_are_readable(locked_server, browser):
    page = browser.new_page()
    page.goto(f"{locked_server}/ui/")
    page.fill("#article", "Shelling hit the market in Kherson on Monday.")
    page.click("#classify")
    expect(page.locator("#error")).to_contain_text("API key")
    page.fill("#api-key", "s3cret-key")
    page.click("#save-key")
    page.click("#classify")
    expect(page.locator("#rendered .sentence")).to_have_count(1)
    page.fill("#article", "word " * 25_000)
    page.click("#classify")
    expect(page.locator("#error")).to_contain_text("refused the text")
    page.close()
