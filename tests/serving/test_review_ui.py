"""The review view in a real headless Chromium, and its save endpoint over HTTP."""

from __future__ import annotations

import json

import httpx
import pytest
from helpers import watched_page
from playwright.sync_api import expect

pytestmark = pytest.mark.slow
LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


def queue_item(index: int, text: str, suggested: str) -> dict:
    probabilities = dict.fromkeys(LABELS, 0.1) | {suggested: 0.6}
    return {"kind": "selected", "id": f"art-{index}#0", "article_id": f"art-{index}", "sentence_index": 0,
            "text": text, "gold": None, "suggested": suggested, "score": 0.2,
            "rule": "§9.1 A single incident with many numbers: one event's numbers.",
            "probabilities": probabilities, "context": {"previous": f"Before {index}.", "next": ""},
            "other": None, "source": "scored", "extra": {}}


def test_a_queue_is_labelled_with_keys_undone_saved_and_downloaded(server, browser, review_dir, tmp_path):
    items = [queue_item(0, "A shell hit the market at noon.", "incident_report"),
             queue_item(1, "Some 300 people have been detained since May.", "statistic"),
             queue_item(2, "He said the guards beat him every night.", "captive_testimony"),
             queue_item(3, "Talks may resume next month.", "forecast")]
    queue = tmp_path / "pilot.jsonl"
    queue.write_text("".join(json.dumps(item) + "\n" for item in items))
    page, outside = watched_page(browser, server)
    page.goto(f"{server}/ui/review")
    expect(page.locator("#saved")).to_contain_text("also saved on the server")
    expect(page.locator("#key-box")).to_be_hidden()  # an open server asks for no key
    page.set_input_files("#queue-file", str(queue))
    expect(page.locator("#sentence")).to_have_text(items[0]["text"])
    expect(page.locator("#previous")).to_have_text("Before 0.")
    expect(page.locator("#rule")).to_contain_text("§9.1")
    expect(page.locator("#probabilities tr")).to_have_count(5)
    page.keyboard.press("2")  # statistic, then on to the next sentence
    expect(page.locator("#sentence")).to_have_text(items[1]["text"])
    page.keyboard.press("u")  # undo: back to the first, undecided
    expect(page.locator("#sentence")).to_have_text(items[0]["text"])
    expect(page.locator("#decided")).to_have_text("Not decided yet.")
    page.keyboard.press("1")
    page.keyboard.press("2")
    page.keyboard.press("s")
    expect(page.locator("#progress")).to_contain_text("3 of 4 decided")
    expect(page.locator("#saved")).to_contain_text("Saved on the server (3 decisions)")
    saved = [json.loads(line) for line in (review_dir / "pilot.decisions.jsonl").read_text().splitlines()]
    assert [(row["text"], row["decision"]) for row in saved] == [
        (items[0]["text"], "incident_report"), (items[1]["text"], "statistic"), (items[2]["text"], "skip")]
    with page.expect_download() as download:
        page.click("#download")
    downloaded = [json.loads(line) for line in download.value.path().read_text().splitlines()]
    assert downloaded == saved and download.value.suggested_filename == "pilot.decisions.jsonl"
    page.reload()  # progress survives a reload of the page
    page.set_input_files("#queue-file", str(queue))
    expect(page.locator("#progress")).to_contain_text("3 of 4 decided")
    expect(page.locator("#sentence")).to_have_text(items[3]["text"])
    assert outside == []
    page.context.close()


def test_a_file_that_is_not_a_queue_is_refused_in_words(server, browser, tmp_path):
    bad = tmp_path / "notes.jsonl"
    bad.write_text('{"sentence": "no text field"}\n')
    page = browser.new_page()
    page.goto(f"{server}/ui/review")
    page.set_input_files("#queue-file", str(bad))
    expect(page.locator("#error")).to_contain_text("line 1 has no text or article_id")
    page.close()


def test_the_save_endpoint_checks_names_bodies_keys_and_the_folder(server, locked_server):
    decision = {"article_id": "a", "text": "x", "decision": "other"}
    bad_name = httpx.put(f"{server}/review/decisions/bad name!", json=[decision], timeout=10)
    assert bad_name.status_code == 400
    bad_body = httpx.put(f"{server}/review/decisions/ok", json=[{"text": "x"}], timeout=10)
    assert bad_body.status_code == 422 and "article_id" in bad_body.text
    saved = httpx.put(f"{server}/review/decisions/ok", json=[decision], timeout=10)
    assert saved.status_code == 200 and saved.json() == {"saved": 1, "file": "ok.decisions.jsonl"}
    assert httpx.put(f"{locked_server}/review/decisions/ok", json=[decision], timeout=10).status_code == 401
    locked = httpx.put(f"{locked_server}/review/decisions/ok", json=[decision], timeout=10,
                       headers={"Authorization": "Bearer s3cret-key"})
    assert locked.status_code == 409 and "WARLENS_REVIEW_DIR" in locked.json()["error"]
    assert httpx.get(f"{locked_server}/ui/review", timeout=10).status_code == 200  # the page is open
