"""Baseline for bench/load.py: a BentoML service without batching around transformers.pipeline.

Run by the benchmark only: WARLENS_MODEL_DIR=<model dir> bentoml serve bench.naive_service:Naive
"""

from __future__ import annotations

import os

import bentoml


@bentoml.service(name="naive", traffic={"timeout": 300, "max_concurrency": 512})
class Naive:
    def __init__(self) -> None:
        from transformers import pipeline

        self.pipe = pipeline("text-classification", model=os.environ["WARLENS_MODEL_DIR"], device="cpu")

    @bentoml.api
    def classify(self, sentences: list[str]) -> list[dict]:
        return [{"label": r["label"], "score": float(r["score"])} for r in self.pipe(sentences)]
