import json

import pytest

from review.apply import apply_review, latest_decisions, next_pass_number
from training.corpus import build_corpus

LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


@pytest.fixture
def folders(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    article = {"article_id": "zz-001", "title": "T", "published": "2024-05-01", "source": "S",
               "conflict": "test", "register": "wire", "sentences": [
                   {"text": "A drone hit a depot on Monday.", "label": "incident_report"},
                   {"text": "Some 40 depots have been hit since March.",
                    "label": "incident_report"},
                   {"text": "Officials expect more strikes.", "label": "forecast"}]}
    (articles / "one.jsonl").write_text(json.dumps(article) + "\n", encoding="utf-8")
    return {"articles_dir": articles, "changes_dir": tmp_path / "changes",
            "reviewed_dir": tmp_path / "reviewed"}


def decision(article_id, text, label, index=None, **extra):
    return {"article_id": article_id, "text": text, "decision": label, "sentence_index": index,
            "decided_at": "2026-12-07T10:00:00Z", **extra}


def test_corpus_sentences_are_relabelled_confirmed_or_skipped(folders):
    decisions = [decision("zz-001", "Some 40 depots have been hit since March.", "statistic", 1,
                          kind="label_issue"),
                 decision("zz-001", "A drone hit a depot on Monday.", "incident_report", 0),
                 decision("zz-001", "Officials expect more strikes.", "skip", 2)]
    report = apply_review(decisions, LABELS, source="d.jsonl", **folders)
    assert (len(report.relabelled), report.confirmed, report.skipped, report.added) == (1, 1, 1, [])
    article = json.loads((folders["articles_dir"] / "one.jsonl").read_text())
    assert [s["label"] for s in article["sentences"]] == ["incident_report", "statistic", "forecast"]
    [change] = [json.loads(line) for line in report.change_file.read_text().splitlines()]
    assert report.change_file.name == "review-pass-1.jsonl"
    assert (change["index"], change["old"], change["new"], change["queue_kind"]) == (
        1, "incident_report", "statistic", "label_issue")
    again = apply_review(decisions, LABELS, source="d.jsonl", **folders)
    assert (again.relabelled, again.confirmed, again.change_file) == ([], 2, None)


def test_a_sentence_is_found_by_text_when_its_index_moved(folders):
    report = apply_review([decision("zz-001", "Officials expect more strikes.", "other", 0)], LABELS,
                          source="d", **folders)
    assert report.relabelled[0]["index"] == 2


def test_archive_sentences_become_reviewed_rows_that_data_build_adds(folders, tmp_path):
    folders["changes_dir"].mkdir()
    (folders["changes_dir"] / "review-pass-1.jsonl").write_text("")
    decisions = [decision("news-9", "Two guards were wounded at the gate.", "incident_report", 4,
                          source="scored/", suggested="other")]
    report = apply_review(decisions, LABELS, source="d.jsonl", **folders)
    assert report.reviewed_file.name == "review-pass-2.jsonl"  # numbered after the existing pass
    [row] = [json.loads(line) for line in report.reviewed_file.read_text().splitlines()]
    assert row["article_id"] == "reviewed:news-9" and row["label"] == "incident_report"
    assert row["provenance"]["archive"] == "scored/" and row["provenance"]["model_label"] == "other"
    assert apply_review(decisions, LABELS, source="d.jsonl", **folders).already_added == 1
    counts = build_corpus(folders["articles_dir"], tmp_path / "corpus", tmp_path / "archive.jsonl",
                          folders["reviewed_dir"])
    assert counts["reviewed"] == 1
    built = [json.loads(line) for split in ("train", "validation", "test")
             for line in (tmp_path / "corpus" / f"{split}.jsonl").read_text().splitlines()]
    added = [row for row in built if row["article_id"] == "reviewed:news-9"]
    assert len(built) == 4 and len(added) == 1 and "provenance" not in added[0]


def test_the_last_decision_on_a_sentence_wins_and_bad_rows_are_named():
    rows = [decision("a", "x", "other"), decision("a", "x ", "forecast")]
    assert [d["decision"] for d in latest_decisions(rows, LABELS)] == ["forecast"]
    with pytest.raises(ValueError, match="decision 2: unknown label 'opinion'"):
        latest_decisions([decision("a", "x", "other"), decision("a", "y", "opinion")], LABELS)
    with pytest.raises(ValueError, match="decision 1: missing or empty 'text'"):
        latest_decisions([{"article_id": "a", "decision": "other"}], LABELS)


def test_pass_numbers_count_across_both_folders(tmp_path):
    assert next_pass_number(tmp_path / "none") == 1
    (tmp_path / "review-pass-3.jsonl").write_text("")
    (tmp_path / "relabel-pass-7.jsonl").write_text("")
    assert next_pass_number(tmp_path) == 4
