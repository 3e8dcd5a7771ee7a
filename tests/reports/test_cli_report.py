"""`warlens report` through the real CLI on a hand-written scored folder: files, numbers, errors."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli
from scored_folder import ARTICLES, LABELS, SENTENCES, write_scored

from reports.build import build_report


def test_report_writes_every_file_and_counts_every_sentence(scored):
    result = run_cli(["report", str(scored), "--resamples", "200", "--min-sentences", "20"])
    assert result.returncode == 0, result.stderr
    out = scored / "report"
    assert {p.name for p in out.iterdir()} == {"report.html", "report.json", "shares.png", "labels.png"}
    assert all((out / name).read_bytes()[:4] == b"\x89PNG" for name in ("shares.png", "labels.png"))
    assert "wrote" in result.stdout and "2025-03" in result.stdout and "flagged" in result.stdout
    report = json.loads((out / "report.json").read_text())
    assert [p["period"] for p in report["periods"]] == ["2025-01", "2025-02", "2025-03", "undated"]
    assert [p["articles"] for p in report["periods"]] == [3, 3, 2, 2]
    assert report["undated_articles"] == 2 and report["undated_sentences"] == 2 * SENTENCES
    assert report["sentences"] == len(ARTICLES) * SENTENCES
    for period in report["periods"]:
        assert sum(period["count"].values()) == pytest.approx(period["sentences"])
        assert sum(period["argmax_count"].values()) == period["sentences"]
        for label in LABELS:  # identical articles give a zero-width interval, up to rounding
            low, share, high = (period[key][label] for key in ("share_low", "share", "share_high"))
            assert low - 1e-9 <= share <= high + 1e-9
    # March leans to forecasts: flagged against the training corpus and against January-February.
    march = report["periods"][2]
    assert march["share"]["forecast"] > 0.5 and len(march["drift"]["flags"]) == 2
    assert report["periods"][1]["drift"]["js_earlier"] < 0.01


def test_run_figures_match_the_summary_the_scorer_wrote(scored):
    report, _ = build_report(scored, resamples=20)
    summary = json.loads((scored / "summary.json").read_text())
    run = report["run"]
    assert run["recheck_below"] == summary["recheck_below"] == 0.5
    assert run["mean_top_probability"] == pytest.approx(summary["mean_top_probability"], abs=1e-6)
    assert run["low_confidence_share"] == pytest.approx(summary["low_confidence_share"], abs=1e-6)
    assert run["label_mix"] == pytest.approx(summary["label_mix"], abs=1e-6)
    assert run["reference"].endswith("train.jsonl") and run["js_reference"] is not None


def test_by_field_week_and_out_folder(scored, tmp_path):
    out = tmp_path / "elsewhere"
    result = run_cli(["report", str(scored), "--by", "week", "--by-field", "source", "--out", str(out),
                      "--resamples", "50"])
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["by"] == "week" and report["periods"][0]["period"] == "2025-W01"
    groups = {g["group"]: g["sentences"] for p in report["periods"] for g in p["groups"]}
    assert "Think tank" in groups and "(none)" in groups  # bad-date's source is missing
    assert sum(g["sentences"] for p in report["periods"] for g in p["groups"]) == report["sentences"]
    assert not (scored / "report").exists()


def test_csv_and_parquet_outputs_give_the_same_report(tmp_path):
    reports = [build_report(write_scored(tmp_path / fmt, fmt), resamples=50)[0] for fmt in ("csv", "parquet")]
    first, second = ([(p["period"], p["sentences"], round(p["share"]["forecast"], 5)) for p in r["periods"]]
                     for r in reports)
    assert first == second and len(first) == 4


def test_html_is_self_contained_and_escapes_the_archive(scored):
    build_report(scored, resamples=20)
    page = (scored / "report" / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and page.count("data:image/png;base64,") == 2
    assert "<b>Headline</b>" not in page and "&lt;b&gt;Headline&lt;/b&gt; &amp;" in page
    assert 'id="article-jan-1"' in page and 'href="#article-jan-1"' in page


@pytest.mark.parametrize("args, message", [
    (["--by", "fortnight"], "--by 'fortnight': choose one of day, week, month"),
    (["--by-field", "conflict"], "--by-field 'conflict': the rows have no such column"),
    (["--reference", "missing.jsonl"], "--reference missing.jsonl: not found"),
])
def test_bad_options_exit_2_with_one_clear_line(scored, args, message):
    result = run_cli(["report", str(scored), *args])
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (scored / "report").exists()


def test_a_folder_that_is_not_a_scored_output_exits_2(tmp_path):
    result = run_cli(["report", str(tmp_path)])
    assert result.returncode == 2 and "not a scored output folder" in result.stderr
    missing = run_cli(["report", str(tmp_path / "nope")])
    assert missing.returncode == 2 and "not a folder" in missing.stderr


def test_an_earlier_runs_summary_or_labelled_lines_as_the_reference(scored, tmp_path):
    same, _ = build_report(scored, reference=scored, resamples=20, out=tmp_path / "same")
    assert same["run"]["js_reference"] == pytest.approx(0.0, abs=1e-3) and same["run"]["flags"] == []
    assert same["run"]["reference_low_confidence_share"] == pytest.approx(same["run"]["low_confidence_share"],
                                                                          abs=1e-6)
    labelled = tmp_path / "gold.jsonl"
    labelled.write_text("".join(json.dumps({"label": "forecast"}) + "\n" for _ in range(5)))
    forecasts, _ = build_report(scored, reference=labelled, resamples=20, out=tmp_path / "forecasts")
    assert forecasts["run"]["reference_mix"]["forecast"] == 1.0 and forecasts["run"]["flags"]
    labelled.write_text(json.dumps({"label": "rumour"}) + "\n")
    result = run_cli(["report", str(scored), "--reference", str(labelled)])
    assert result.returncode == 2 and "labels rumour are not the scored labels" in result.stderr
