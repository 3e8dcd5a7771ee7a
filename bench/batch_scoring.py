"""Archive scoring end to end: local engine, Ray engine and the raw predictor, same run.

Run: .venv/bin/python bench/batch_scoring.py [--model TAG] [--copies 30]
Builds archives by repeating data/archive-sample with fresh ids (939 sentences a copy),
scores a small and a ten times larger one with the local engine (peak RSS of each process),
the large one with Ray, and times the raw predictor on the same sentences just before and just
after the local large run: this machine's int8 speed switches between two levels for minutes at a
time, and bracketing keeps a switch from being read as engine overhead.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT

from inference.artifact import DEFAULT_MODEL
from inference.predictor import Predictor
from inference.segment import segment


def make_archive(path: Path, copies: int) -> int:
    lines = (ROOT / "data" / "archive-sample" / "articles.jsonl").read_text().splitlines()
    sentences = 0
    with path.open("w", encoding="utf-8") as handle:
        for copy in range(copies):
            for line in lines:
                article = json.loads(line)
                article["id"] = f"{article['id']}#{copy}"
                sentences += len(segment(article["text"]))
                handle.write(json.dumps(article) + "\n")
    return sentences


def run_score(archive: Path, output: Path, engine: str, model: str | None) -> dict:
    command = [sys.executable, "-m", "warlens", "score", str(archive), "--output", str(output),
               "--engine", engine, "--no-progress", "--overwrite"]
    if model:
        command += ["--model", model]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    summary = json.loads((output / "summary.json").read_text())
    return {"sentences": summary["sentences"], "process_wall_s": round(wall, 1),
            "pipeline_sentences_per_s": summary["sentences_per_s"],
            "end_to_end_sentences_per_s": round(summary["sentences"] / wall, 1),
            "peak_rss_mb": round(peak / 1024, 1) if peak > before else "<= earlier run"}


def raw_rate(predictor: Predictor, texts: list[str]) -> float:
    """Sentences/s of the predictor alone, in shards of the size the local engine uses."""
    start = time.perf_counter()
    for i in range(0, len(texts), 500 * 12):
        predictor.probabilities(texts[i : i + 500 * 12])
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--copies", type=int, default=30)
    parser.add_argument("--skip-ray", action="store_true")
    args = parser.parse_args()
    report: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
        report["small_sentences"] = make_archive(small, max(1, args.copies // 10))
        report["large_sentences"] = make_archive(large, args.copies)
        predictor = Predictor.load(args.model)
        texts = [span.text for line in large.read_text().splitlines()
                 for span in segment(json.loads(line)["text"])]
        predictor.probabilities(texts[:256])
        report["local small"] = run_score(small, tmp_path / "out-small", "local", args.model)
        before = raw_rate(predictor, texts)
        report["local large"] = run_score(large, tmp_path / "out-large", "local", args.model)
        after = raw_rate(predictor, texts)
        if not args.skip_ray:
            report["ray large"] = run_score(large, tmp_path / "out-ray", "ray", args.model)
        raw = (before + after) / 2
        report["raw sentences/s before / after the local run"] = [round(before, 1), round(after, 1)]
        report["raw predictor sentences/s"] = round(raw, 1)
        report["local / raw"] = round(report["local large"]["pipeline_sentences_per_s"] / raw, 2)
        if not args.skip_ray:
            report["ray / raw"] = round(report["ray large"]["pipeline_sentences_per_s"] / raw, 2)
    report["model"] = predictor.artifact.tag
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
