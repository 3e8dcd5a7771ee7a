"""The review loop end to end through the real CLI: score, select, decide, apply, rebuild."""

from __future__ import annotations

import json
import shutil

import pytest
from helpers import ROOT, run_cli

pytestmark = pytest.mark.slow
ARCHIVE = ROOT / "data" / "archive-sample" / "articles.jsonl"


@pytest.fixture(scope="module")
def scored(quick_model, tmp_path_factory):
    base = tmp_path_factory.mktemp("review-loop")
    archive = base / "archive.jsonl"
    archive.write_text("".join(ARCHIVE.read_text(encoding="utf-8").splitlines(keepends=True)[:12]))
    env = {**quick_model["env"], "WARLENS_MODEL": quick_model["tag"]}
    result = run_cli(["score", str(archive), "--output", str(base / "scored"), "--no-progress"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    return base / "scored", env


@pytest.mark.parametrize("strategy", ["diverse", "margin", "uncertainty"])
def test_select_writes_a_queue_of_the_budget_with_context(scored, strategy, tmp_path):
    folder, env = scored
    result = run_cli(["review", "select", str(folder), "--budget", "8", "--strategy", strategy,
                      "--out", str(tmp_path)], env)
    assert result.returncode == 0, result.stderr[-3000:]
    queue = [json.loads(line) for line in (tmp_path / "queue.jsonl").read_text().splitlines()]
    assert len(queue) == 8 and len({(q["article_id"], q["sentence_index"]) for q in queue}) == 8
    assert all(q["kind"] == "selected" and q["gold"] is None and q["rule"].startswith("§") for q in queue)
    assert any(q["context"]["previous"] for q in queue) and any(q["context"]["next"] for q in queue)
    assert [q["score"] for q in queue] == sorted(q["score"] for q in queue)
    if strategy == "diverse":  # the budget is shared across the labels the model predicts
        assert len({q["suggested"] for q in queue}) >= 3
    assert "picked 8 of" in result.stdout


def test_decisions_on_archive_and_corpus_sentences_reach_the_rebuilt_corpus(scored, tmp_path):
    folder, env = scored
    assert run_cli(["review", "select", str(folder), "--budget", "4", "--strategy", "margin",
                    "--out", str(tmp_path / "queue")], env).returncode == 0
    queue = [json.loads(line) for line in (tmp_path / "queue" / "queue.jsonl").read_text().splitlines()]
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "articles", data / "articles")
    # The archive sample is made of corpus test articles: decisions on its sentences relabel the corpus.
    corpus = {row["text"]: row["label"] for row in map(json.loads, (ROOT / "data" / "corpus" / "test.jsonl")
                                                        .read_text().splitlines())}
    labels = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
    relabel = [{**item, "decision": next(label for label in labels if label != corpus[item["text"]])}
               for item in queue if item["text"] in corpus]
    assert len(relabel) >= 2
    outside = {"article_id": "wire-77", "sentence_index": 3, "text": "Guards opened fire at the gate.",
               "decision": "incident_report", "kind": "selected", "source": "archive-b"}
    decisions_file = tmp_path / "decisions.jsonl"
    decisions_file.write_text("".join(json.dumps(d) + "\n" for d in [*relabel, outside]))
    args = ["data", "apply-review", str(decisions_file), "--articles", str(data / "articles"),
            "--changes", str(data / "changes"), "--reviewed", str(data / "reviewed")]
    result = run_cli(args, env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"relabelled={len(relabel)}" in result.stdout and "added=1" in result.stdout
    changes = map(json.loads, (data / "changes" / "review-pass-1.jsonl").read_text().splitlines())
    assert {(c["text"], c["new"]) for c in changes} == {(d["text"], d["decision"]) for d in relabel}
    build = run_cli(["data", "build", "--articles", str(data / "articles"), "--corpus", str(data / "corpus"),
                     "--archive", str(data / "archive.jsonl"), "--reviewed", str(data / "reviewed")], env)
    assert build.returncode == 0 and "reviewed=1" in build.stdout
    rows = {row["text"]: row for split in ("train", "validation", "test")
            for row in map(json.loads, (data / "corpus" / f"{split}.jsonl").read_text().splitlines())}
    assert rows["Guards opened fire at the gate."]["label"] == "incident_report"
    assert all(rows[d["text"]]["label"] == d["decision"] for d in relabel)
    again = run_cli(args, env)
    assert f"confirmed={len(relabel)}" in again.stdout and "already_added=1" in again.stdout


def test_select_refuses_a_folder_that_is_not_a_scored_output(tmp_path):
    result = run_cli(["review", "select", str(tmp_path), "--budget", "3"])
    assert result.returncode == 2 and "not a scored output folder" in result.stderr
