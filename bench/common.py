"""Helpers shared by the benchmarks: corpus sentences and a served model directory."""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_sentences(split: str = "test") -> list[str]:
    path = ROOT / "data" / "corpus" / f"{split}.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]


def benchmark_sentences(count: int) -> list[str]:
    """The first ``count`` of the test and validation sentences in one fixed shuffled order."""
    texts = corpus_sentences("test") + corpus_sentences("validation")
    random.Random(0).shuffle(texts)
    return texts[:count]


def corpus_hash() -> str:
    """The data hash `warlens train` records for the corpus splits as they are now."""
    from training.data import content_hash

    corpus = ROOT / "data" / "corpus"
    return content_hash([corpus / f"{name}.jsonl" for name in ("train", "validation", "test")])


def summarise(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": statistics.median(ordered), "p95": pct(0.95), "p99": pct(0.99),
            "mean": statistics.fmean(ordered)}
