"""End to end through the real CLI: batch scoring, resume after SIGKILL, bad records, Ray."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import ROOT, run_cli

from batch.output import read_scored

pytestmark = pytest.mark.slow
ARCHIVE = ROOT / "data" / "archive-sample" / "articles.jsonl"
LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


def score(quick_model, *args: str) -> subprocess.CompletedProcess:
    env = {**quick_model["env"], "WARLENS_MODEL": quick_model["tag"]}
    return run_cli(["score", *args, "--no-progress"], env)


def rows_of(folder: Path) -> list[tuple]:
    return sorted((r["article_id"], int(r["sentence_index"]), int(r["start"]), int(r["end"]), r["text"],
                   r["label"], round(float(r["score"]), 5)) for r in read_scored(folder))


@pytest.fixture(scope="module")
def scored(quick_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("scored") / "out"
    result = score(quick_model, str(ARCHIVE), "--output", str(out), "--shard-size", "20")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_parquet_rows_columns_and_summary(scored):
    out, result = scored
    table = pq.read_table(sorted(out.glob("part-*.parquet"))[0])
    assert table.column_names == ["article_id", "sentence_index", "start", "end", "text", "label",
                                  "score", *(f"p_{label}" for label in LABELS), "published"]
    archive = [json.loads(line) for line in ARCHIVE.read_text().splitlines()]
    published = {article["id"]: article["published"] for article in archive}
    assert all(row["published"] == published[row["article_id"]] for row in read_scored(out))
    summary = json.loads((out / "summary.json").read_text())
    assert sum(summary["label_mix"].values()) == pytest.approx(1, abs=1e-4)
    assert 0 < summary["low_confidence_share"] < 1 and summary["recheck_below"] == 0.9
    assert summary["mean_top_probability"] == pytest.approx(
        sum(row["score"] for row in read_scored(out)) / summary["sentences"], abs=1e-5)
    gold_sentences = len((ROOT / "data" / "corpus" / "test.jsonl").read_text().splitlines())
    assert summary["articles"] == len(ARCHIVE.read_text().splitlines())
    assert summary["sentences"] == gold_sentences == len(rows_of(out))
    assert sum(summary["labels"].values()) == gold_sentences and summary["errors"] == 0
    assert "sentences_per_s" in result.stdout and "Scored into" in result.stdout


def test_offsets_slice_the_archived_text(scored):
    out, _ = scored
    texts = {json.loads(line)["id"]: json.loads(line)["text"] for line in ARCHIVE.read_text().splitlines()}
    for row in read_scored(out):
        assert texts[row["article_id"]][row["start"]:row["end"]] == row["text"]


def test_evaluate_archive_measures_the_whole_path(scored, quick_model):
    out, _ = scored
    result = run_cli(["evaluate-archive", "--scored", str(out), "--gold", "data/corpus/test.jsonl",
                      "--json"], quick_model["env"])
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["segmentation"]["f1"] == 1.0
    assert report["labels_on_matched"]["macro_f1"] > 0.7


def test_rerun_is_a_no_op_and_overwrite_starts_afresh(scored, quick_model):
    out, _ = scored
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")}
    again = score(quick_model, str(ARCHIVE), "--output", str(out), "--shard-size", "20")
    assert again.returncode == 0 and "Nothing to do" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-*")} == before
    changed = score(quick_model, str(ARCHIVE), "--output", str(out), "--shard-size", "7")
    assert changed.returncode == 1 and "different run" in changed.stderr
    rows = rows_of(out)
    fresh = score(quick_model, str(ARCHIVE), "--output", str(out), "--shard-size", "7", "--overwrite")
    assert fresh.returncode == 0 and "Nothing to do" not in fresh.stdout
    assert len(list(out.glob("part-*"))) == -(-len(ARCHIVE.read_text().splitlines()) // 7)
    # Same sentences; scores may move slightly as int8 scales follow the new shard batches.
    assert [row[:5] for row in rows_of(out)] == [row[:5] for row in rows]


def test_other_formats_and_several_inputs(quick_model, tmp_path):
    import csv

    import pyarrow as pa

    articles = [json.loads(line) for line in ARCHIVE.read_text().splitlines()[:6]]
    with (tmp_path / "a.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["doc", "body", "when", "outlet"])
        writer.writeheader()
        writer.writerows({"doc": a["id"], "body": a["text"], "when": a["published"], "outlet": a["source"]}
                         for a in articles[:2])
    pq.write_table(pa.table({"doc": [a["id"] for a in articles[2:4]],
                             "body": [a["text"] for a in articles[2:4]],
                             "when": [a["published"] for a in articles[2:4]],
                             "outlet": [a["source"] for a in articles[2:4]]}), tmp_path / "b.parquet")
    (tmp_path / "txt").mkdir()
    for article in articles[4:]:
        (tmp_path / "txt" / f"{article['id']}.txt").write_text(article["text"])
    for fmt in ("jsonl", "csv"):
        out = tmp_path / f"out-{fmt}"
        result = score(quick_model, str(tmp_path / "a.csv"), str(tmp_path / "b.parquet"),
                       str(tmp_path / "txt"), "--output", str(out), "--format", fmt,
                       "--text-field", "body", "--id-field", "doc", "--published-field", "when",
                       "--keep-field", "outlet")
        assert result.returncode == 0, result.stderr[-2000:]
        ids = {row["article_id"] for row in read_scored(out)}
        assert ids == {a["id"] for a in articles[:4]} | {f"{a['id']}.txt" for a in articles[4:]}
        carried = {row["article_id"]: (row["published"] or None, row["outlet"] or None)
                   for row in read_scored(out)}
        assert carried == {**{a["id"]: (a["published"], a["source"]) for a in articles[:4]},
                           **{f"{a['id']}.txt": (None, None) for a in articles[4:]}}
        assert all((out / name).exists() for name in ("summary.json", "manifest.json"))


def test_bad_records_are_quarantined_and_max_errors_aborts(quick_model, tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = ARCHIVE.read_text().splitlines()[:3]
    path.write_bytes("\n".join(good).encode() + b'\n{oops\n{"id": "x"}\n{"id": "y", "text": ""}\n'
                     b'{"id": "z", "text": "caf\xe9"}\n')
    out = tmp_path / "out"
    result = score(quick_model, str(path), "--output", str(out), "--format", "jsonl")
    assert result.returncode == 0, result.stderr[-2000:]
    quarantine = [json.loads(line) for line in (out / "quarantine.jsonl").read_text().splitlines()]
    assert [(q["line"], q["reason"].split(" (")[0]) for q in quarantine] == [
        (4, "invalid JSON"), (5, "missing field 'text'"), (6, "empty text in field 'text'"),
        (7, "undecodable bytes")]
    assert all(q["source"] == str(path) for q in quarantine)
    assert json.loads((out / "summary.json").read_text())["errors"] == 4
    strict = score(quick_model, str(path), "--output", str(tmp_path / "strict"), "--max-errors", "2")
    assert strict.returncode == 1 and "exceed --max-errors 2" in strict.stderr


def test_resume_after_sigkill_gives_exactly_the_uninterrupted_rows(quick_model, tmp_path):
    lines = ARCHIVE.read_text().splitlines()
    big = tmp_path / "big.jsonl"
    with big.open("w") as handle:
        for copy in range(4):
            for line in lines:
                article = json.loads(line)
                handle.write(json.dumps({**article, "id": f"{article['id']}#{copy}"}) + "\n")
    reference = tmp_path / "reference"
    first = score(quick_model, str(big), "--output", str(reference), "--shard-size", "3")
    assert first.returncode == 0, first.stderr[-2000:]

    out = tmp_path / "killed"
    env = {**os.environ, **quick_model["env"], "WARLENS_MODEL": quick_model["tag"]}
    process = subprocess.Popen(
        [sys.executable, "-m", "warlens", "score", str(big), "--output", str(out), "--shard-size", "3",
         "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        manifest = out / "manifest.json"
        if manifest.exists() and len(json.loads(manifest.read_text())["shards"]) >= 5:
            break
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    state = json.loads((out / "manifest.json").read_text())
    assert not state["complete"], "the run finished before it could be killed"
    resumed = score(quick_model, str(big), "--output", str(out), "--shard-size", "3")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert rows_of(out) == rows_of(reference)
    assert not list(out.glob("*.tmp"))


def test_ray_engine_rows_equal_the_local_engine(quick_model, tmp_path):
    """fp32 ONNX on both sides: int8 picks activation scales per batch, so batches would differ."""
    local, ray_out = tmp_path / "local", tmp_path / "ray"
    for out, engine in ((local, "local"), (ray_out, "ray")):
        result = score(quick_model, str(ARCHIVE), "--output", str(out), "--engine", engine,
                       "--backend", "onnx")
        assert result.returncode == 0, result.stderr[-3000:]
    local_rows = sorted(read_scored(local), key=lambda r: (r["article_id"], r["sentence_index"]))
    ray_rows = sorted(read_scored(ray_out), key=lambda r: (r["article_id"], r["sentence_index"]))
    assert len(local_rows) == len(ray_rows) > 700
    for a, b in zip(local_rows, ray_rows, strict=True):
        assert (a["article_id"], a["sentence_index"], a["start"], a["end"], a["text"], a["label"]) == \
               (b["article_id"], b["sentence_index"], b["start"], b["end"], b["text"], b["label"])
        assert abs(a["score"] - b["score"]) < 1e-4


def test_both_engines_read_each_sentence_with_its_neighbours(context_model, tmp_path):
    """A context model's scores in batch output are those of each sentence read in its article."""
    import numpy as np

    from batch.local import ScoreOptions
    from batch.ray import _Classify, _segment
    from inference.predictor import Predictor
    from inference.segment import segment

    articles = [json.loads(line) for line in ARCHIVE.read_text().splitlines()[:4]]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("".join(json.dumps(article) + "\n" for article in articles))
    out = tmp_path / "out"
    result = score(context_model, str(sample), "--output", str(out), "--backend", "onnx")
    assert result.returncode == 0, result.stderr[-3000:]
    predictor = Predictor.load(context_model["directory"], backend="onnx")
    expected, alone = {}, {}
    for article in articles:
        units = [span.text for span in segment(article["text"])]
        with_context = predictor.probabilities(units, predictor.article_contexts(units)).max(axis=1)
        without = predictor.probabilities(units).max(axis=1)
        for index in range(len(units)):
            expected[(article["id"], index)] = with_context[index]
            alone[(article["id"], index)] = without[index]
    rows = list(read_scored(out))
    assert len(rows) == len(expected)
    assert max(abs(r["score"] - expected[(r["article_id"], r["sentence_index"])]) for r in rows) < 1e-4
    assert max(abs(r["score"] - alone[(r["article_id"], r["sentence_index"])]) for r in rows) > 1e-4

    batch = _segment({"article_id": [a["id"] for a in articles], "text": [a["text"] for a in articles]}, 8)
    first = [span.text for span in segment(articles[0]["text"])]
    assert batch["context"][:len(first)] == predictor.article_contexts(first)
    options = ScoreOptions(inputs=(sample,), output=tmp_path / "ray", model=context_model["directory"],
                           backend="onnx")
    scored_batch = _Classify(options, threads=1)(batch)
    assert "context" not in scored_batch
    keys = list(zip(batch["article_id"], batch["sentence_index"], strict=True))
    assert np.allclose(scored_batch["score"], [expected[key] for key in keys], atol=1e-4)
