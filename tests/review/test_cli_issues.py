"""`warlens data issues` end to end: the real CLI on a corpus slice with planted label errors."""

from __future__ import annotations

import csv
import json

import numpy as np
from helpers import run_cli

PLANTED = 30


def test_data_issues_finds_planted_label_errors(root, tmp_path):
    rows = [json.loads(line) for line in (root / "data" / "corpus" / "train.jsonl").read_text().splitlines()]
    rows = rows[:3000]
    labels = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
    rng = np.random.default_rng(1)
    planted = {}
    for index in rng.choice(len(rows), PLANTED, replace=False):
        wrong = labels[(labels.index(rows[index]["label"]) + int(rng.integers(1, 5))) % 5]
        planted[rows[index]["id"]] = wrong
        rows[index] = {**rows[index], "label": wrong}
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = tmp_path / "issues"
    result = run_cli(["data", "issues", "--set", f"data.train={train}", "--folds", "3", "--out", str(out),
                      "--no-progress"])
    assert result.returncode == 0, result.stderr[-2000:]
    queue = [json.loads(line) for line in (out / "queue.jsonl").read_text().splitlines()]
    issues = [item for item in queue if item["kind"] == "label_issue"]
    found = [item for item in issues[:PLANTED] if item["id"] in planted]
    assert len(found) >= PLANTED // 2, f"only {len(found)} of {PLANTED} planted errors in the top {PLANTED}"
    assert all(item["gold"] == planted[item["id"]] and item["suggested"] != item["gold"] for item in found)
    assert all(item["rule"].startswith("§") for item in issues)
    assert all(item["context"].keys() == {"previous", "next"} for item in issues)
    scores = [item["score"] for item in issues]
    assert scores == sorted(scores)  # most likely error first
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sentences"] == 3000 and summary["label_issues"] == len(issues)
    with (out / "queue.csv").open() as handle:
        assert len(list(csv.DictReader(handle))) == len(queue)


def test_data_issues_names_a_bad_config_value(tmp_path):
    result = run_cli(["data", "issues", "--set", "data.train=missing.jsonl", "--out", str(tmp_path)])
    assert result.returncode == 2 and "missing.jsonl" in result.stderr
