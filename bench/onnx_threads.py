"""How ONNX Runtime should use the machine's cores: lanes or an operator thread pool.

Run: .venv/bin/python bench/onnx_threads.py [--model TAG] [--rounds 12]
Each round scores the same sentences, sorted by length in batches of 32, four ways: torch eager
on 2 threads; the int8 graph on 2 lanes (the predictor: single-threaded sessions, one batch per
lane); the int8 graph in one session whose operators are split across 2 threads; and the int8
graph on 1 thread. The rounds are printed one by one because the 2-vCPU machines this was
written on switch, for minutes at a time, into a state where the operator pool loses a third
of its speed; lanes and the single thread do not.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np
from common import benchmark_sentences

from inference.artifact import DEFAULT_MODEL, open_artifact
from inference.onnx import ensure_graph
from inference.predictor import Predictor, length_batches, pad_batch


def padded_batches(predictor: Predictor, texts: list[str], batch_size: int) -> list[dict[str, np.ndarray]]:
    """The feeds the predictor would build: sorted by length, padded to each batch's longest."""
    encoded = predictor.tokenizer(texts, truncation=True, max_length=predictor.max_length,
                                  return_token_type_ids=True)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    return [pad_batch(encoded, batch, predictor.tokenizer.pad_token_id)
            for batch in length_batches(lengths, batch_size)]


def operator_pool_session(directory, threads: int):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(ensure_graph(directory, "onnx-int8")), options,
                                providers=["CPUExecutionProvider"])


def rate(score: Callable[[], object], sentences: int) -> float:
    start = time.perf_counter()
    score()
    return sentences / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--sentences", type=int, default=768)
    args = parser.parse_args()
    texts = benchmark_sentences(args.sentences)
    artifact = open_artifact(args.model)
    eager = Predictor(artifact, "torch", threads=2)
    lanes = Predictor(artifact, "onnx-int8", threads=2, recheck_below=0)  # the int8 graph alone
    feeds = padded_batches(lanes, texts, 32)
    pools = {threads: operator_pool_session(artifact.directory, threads) for threads in (2, 1)}

    def run_pool(threads: int) -> None:
        for feed in feeds:
            pools[threads].run(["logits"], feed)

    ways = {
        "torch 2 threads": lambda: eager.probabilities(texts),
        "int8 2 lanes": lambda: lanes.probabilities(texts),
        "int8 operator pool 2 threads": lambda: run_pool(2),
        "int8 1 thread": lambda: run_pool(1),
    }
    for score in ways.values():
        score()
    results: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(args.rounds):
        row = {name: round(rate(score, len(texts))) for name, score in ways.items()}
        for name, value in row.items():
            results[name].append(value)
        print(time.strftime("%H:%M:%S"), json.dumps(row), flush=True)
    torch_rates = results["torch 2 threads"]
    report = {
        "median sentences/s": {name: round(statistics.median(values)) for name, values in results.items()},
        "x torch by round": {
            name: [round(value / base, 2) for value, base in zip(values, torch_rates, strict=True)]
            for name, values in results.items() if name != "torch 2 threads"},
        "model": artifact.tag,
        "sentences": len(texts),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
