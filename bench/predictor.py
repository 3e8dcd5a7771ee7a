"""Throughput of the inference backends on news sentences, interleaved rounds, median of 3.

Run: .venv/bin/python bench/predictor.py [--model TAG] [--threads 2]
The machine's speed drifts over minutes, so backends are compared inside each round.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from common import corpus_sentences, summarise

from serving.artifact import open_artifact
from serving.predictor import Predictor
from serving.segment import segment


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=768)
    args = parser.parse_args()
    texts = corpus_sentences("test") + corpus_sentences("validation")
    random.Random(0).shuffle(texts)
    texts = texts[: args.sentences]
    artifact = open_artifact(args.model)
    predictors = {name: Predictor(artifact, name, threads=args.threads)
                  for name in ("torch", "onnx", "onnx-int8")}
    for predictor in predictors.values():
        predictor.probabilities(texts[:64])
    results: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        for name, predictor in predictors.items():
            results.setdefault(f"{name} sorted b32", []).append(rate(predictor, texts, 32, True))
            results.setdefault(f"{name} unsorted b32", []).append(rate(predictor, texts, 32, False))
    report = {key: round(statistics.median(values), 1) for key, values in results.items()}
    report["int8 / torch (sorted b32)"] = round(
        report["onnx-int8 sorted b32"] / report["torch sorted b32"], 2)
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
    report["model"] = artifact.tag
    report["threads"] = args.threads
    report["sentences"] = len(texts)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
