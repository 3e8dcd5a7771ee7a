"""Throughput of the inference backends on news sentences, interleaved rounds, median of 5 by default.

Run: .venv/bin/python bench/predictor.py [--model TAG] [--threads 2]
The machine's speed drifts over minutes, so backends are compared inside each round, and the
int8 / torch ratio is printed for every round as well as from the medians. "onnx-int8" is the
default backend as shipped (int8, uncertain sentences re-scored in fp32); "int8 alone" the same
graph with the fp32 re-check turned off. It ends with both int8 forms' parity with torch on the
whole validation and test splits.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from common import ROOT, benchmark_sentences, summarise

from inference.artifact import DEFAULT_MODEL, open_artifact
from inference.predictor import Predictor
from inference.segment import segment


def rate(predictor: Predictor, texts: list[str], batch_size: int, sort: bool) -> float:
    """Sentences/s. Sorted: the predictor sorts the whole list by length. Unsorted: it gets one
    batch at a time in corpus order, so each batch pads to its longest sentence."""
    predictor.batch_size = batch_size
    start = time.perf_counter()
    if sort:
        predictor.probabilities(texts)
    else:
        for i in range(0, len(texts), batch_size):
            predictor.probabilities(texts[i : i + batch_size])
    return len(texts) / (time.perf_counter() - start)


def single_latency(predictor: Predictor, texts: list[str], n: int = 300) -> dict[str, float]:
    samples = []
    for text in texts[:n]:
        start = time.perf_counter()
        predictor.predict([text])
        samples.append((time.perf_counter() - start) * 1000)
    return summarise(samples)


def parity(predictors: dict[str, Predictor], split: str) -> dict[str, dict[str, float]]:
    """Both int8 forms against torch on a whole split: label agreement, probability gaps,
    macro-F1 of each, and the share of sentences the default re-scored in fp32."""
    import numpy as np
    from sklearn.metrics import f1_score

    path = ROOT / "data" / "corpus" / f"{split}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    texts = [row["text"] for row in rows]
    labels = predictors["torch"].labels
    gold = [labels.index(row["label"]) for row in rows]
    reference = predictors["torch"].probabilities(texts)
    alone = predictors["int8 alone"].probabilities(texts)
    threshold = predictors["onnx-int8"].recheck_below

    def compare(served: np.ndarray, rechecked: float) -> dict[str, float]:
        gap = np.abs(served - reference).max(axis=1)
        return {
            "sentences": len(texts),
            "agreement": round(float((reference.argmax(1) == served.argmax(1)).mean()), 4),
            "max gap": round(float(gap.max()), 3), "mean gap": round(float(gap.mean()), 4),
            "median gap": round(float(np.median(gap)), 4), "p95 gap": round(float(np.percentile(gap, 95)), 3),
            "share within 0.05": round(float((gap <= 0.05).mean()), 4),
            "macro-F1 torch": round(float(f1_score(gold, reference.argmax(1), average="macro")), 4),
            "macro-F1 int8": round(float(f1_score(gold, served.argmax(1), average="macro")), 4),
            "share re-checked": round(rechecked, 4),
        }

    return {
        f"{split}, onnx-int8": compare(predictors["onnx-int8"].probabilities(texts),
                                       float((alone.max(axis=1) < threshold).mean())),
        f"{split}, int8 alone": compare(alone, 0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sentences", type=int, default=768)
    args = parser.parse_args()
    texts = benchmark_sentences(args.sentences)
    artifact = open_artifact(args.model)
    predictors = {name: Predictor(artifact, name, threads=args.threads)
                  for name in ("torch", "onnx", "onnx-int8")}
    predictors["int8 alone"] = Predictor(artifact, "onnx-int8", threads=args.threads, recheck_below=0)
    for predictor in predictors.values():  # a full pass: the first one meets every batch shape
        predictor.probabilities(texts)
    results: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, predictor in predictors.items():
            results.setdefault(f"{name} sorted b32", []).append(rate(predictor, texts, 32, True))
            results.setdefault(f"{name} unsorted b32", []).append(rate(predictor, texts, 32, False))
    report = {key: round(statistics.median(values), 1) for key, values in results.items()}
    report["int8 / torch (sorted b32)"] = round(
        report["onnx-int8 sorted b32"] / report["torch sorted b32"], 2)
    report["int8 / torch by round"] = [
        round(int8 / eager, 2)
        for int8, eager in zip(results["onnx-int8 sorted b32"], results["torch sorted b32"], strict=True)]
    report["sorted b32 by round"] = {name: [round(value) for value in results[f"{name} sorted b32"]]
                                     for name in predictors}
    for name in ("torch", "onnx-int8"):
        report[f"{name} single sentence ms"] = {
            k: round(v, 2) for k, v in single_latency(predictors[name], texts).items()}
    article = " ".join(texts)
    start = time.perf_counter()
    for _ in range(5):
        sentences = segment(article)
    report["segmentation sentences/s"] = round(5 * len(sentences) / (time.perf_counter() - start))
    report["segmentation / int8 speed"] = round(
        report["segmentation sentences/s"] / report["onnx-int8 sorted b32"], 1)
    report["int8 alone / torch (sorted b32)"] = round(
        report["int8 alone sorted b32"] / report["torch sorted b32"], 2)
    report["parity"] = {**parity(predictors, "validation"), **parity(predictors, "test")}
    report["int8 re-check threshold"] = predictors["onnx-int8"].recheck_below
    report["model"] = artifact.tag
    report["threads"] = args.threads
    report["sentences"] = len(texts)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
