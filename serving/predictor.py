"""The one inference path shared by the HTTP service and batch scoring.

Tokenise, sort by length so padding stays small, run the model in batches (ONNX Runtime int8
by default; fp32 ONNX or eager torch on request), undo the sort, and return per sentence the
label, its probability and the full probability map.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from serving.artifact import ModelArtifact, open_artifact

BACKENDS = ("onnx-int8", "onnx", "torch")
DEFAULT_BACKEND = "onnx-int8"


@dataclass(frozen=True)
class Prediction:
    label: str
    score: float
    scores: dict[str, float]


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``: ``[[0, 0]]`` -> ``[[0.5, 0.5]]``."""
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=-1, keepdims=True)


def length_batches(lengths: Sequence[int], batch_size: int) -> list[np.ndarray]:
    """Index batches in order of length: ``[5, 1, 3], 2`` -> ``[[1, 2], [0]]``."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


class Predictor:
    """Loads a model once; `predict` is thread-safe for the ONNX backends.

    ONNX Runtime runs single-threaded sessions on ``threads`` lanes, one batch per lane, instead
    of one session splitting each operator across threads: on the 2-vCPU machines we measured,
    the two-thread operator pool lost a third of its speed for minutes at a time while lanes
    held steady (docs/benchmarks.md). Torch splits operators across ``threads`` itself.
    """

    def __init__(self, artifact: ModelArtifact, backend: str | None = None,
                 threads: int | None = None, batch_size: int = 32) -> None:
        from transformers import AutoTokenizer

        backend = backend or os.environ.get("WARLENS_BACKEND", DEFAULT_BACKEND)
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        self.artifact = artifact
        self.backend = backend
        self.labels = artifact.labels
        self.batch_size = batch_size
        self.max_length = int(artifact.metadata.get("max_length", 128))
        self.temperature = float(artifact.metadata.get("temperature", 1.0))
        self.threads = threads or int(os.environ.get("WARLENS_THREADS", os.cpu_count() or 1))
        self.tokenizer = AutoTokenizer.from_pretrained(artifact.directory)
        # The fast tokenizer refuses concurrent calls that set truncation ("Already borrowed").
        self._tokenizer_lock = threading.Lock()
        self._run = self._load_torch() if backend == "torch" else self._load_onnx()
        self._lanes = (ThreadPoolExecutor(self.threads, thread_name_prefix="warlens-lane")
                       if backend != "torch" and self.threads > 1 else None)

    @classmethod
    def load(cls, ref: str | None = None, backend: str | None = None, **options: Any) -> Predictor:
        return cls(open_artifact(ref), backend, **options)

    def _load_onnx(self):
        import onnxruntime as ort

        from serving.onnx_build import ensure_graph

        graph = ensure_graph(self.artifact.directory, self.backend)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        wanted = {i.name for i in session.get_inputs()}

        def run(encoded: dict[str, np.ndarray]) -> np.ndarray:
            feed = {k: v.astype(np.int64) for k, v in encoded.items() if k in wanted}
            if "token_type_ids" in wanted and "token_type_ids" not in feed:
                feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            return session.run(["logits"], feed)[0]

        return run

    def _load_torch(self):
        import torch
        from transformers import AutoModelForSequenceClassification

        torch.set_num_threads(self.threads)
        model = AutoModelForSequenceClassification.from_pretrained(self.artifact.directory).eval()

        def run(encoded: dict[str, np.ndarray]) -> np.ndarray:
            with torch.inference_mode():
                tensors = {k: torch.from_numpy(v) for k, v in encoded.items()}
                return model(**tensors).logits.numpy()

        return run

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Probability matrix, one row per text in input order, columns in `labels` order."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if not texts:
            return out
        with self._tokenizer_lock:
            encoded = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        ids = encoded["input_ids"]

        def score(batch: np.ndarray) -> None:
            width = max(len(ids[i]) for i in batch)
            arrays = {}
            for key in encoded:
                pad = self.tokenizer.pad_token_id if key == "input_ids" else 0
                matrix = np.full((len(batch), width), pad, dtype=np.int64)
                for row, index in enumerate(batch):
                    values = encoded[key][index]
                    matrix[row, : len(values)] = values
                arrays[key] = matrix
            out[batch] = softmax(self._run(arrays), self.temperature)

        batches = length_batches([len(row) for row in ids], self._lane_batch_size(len(texts)))
        if self._lanes is None:
            for batch in batches:
                score(batch)
        else:
            list(self._lanes.map(score, batches))
        return out

    def _lane_batch_size(self, count: int) -> int:
        """Batch size that gives every lane work: 16 texts on 2 lanes run as two batches of 8."""
        if self._lanes is None:
            return self.batch_size
        return max(1, min(self.batch_size, math.ceil(count / self.threads)))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        probabilities = self.probabilities(texts)
        predictions = []
        for row in probabilities:
            best = int(row.argmax())
            predictions.append(Prediction(
                self.labels[best], float(row[best]),
                {label: float(p) for label, p in zip(self.labels, row, strict=True)},
            ))
        return predictions

    def describe(self) -> dict[str, Any]:
        metadata = self.artifact.metadata
        return {
            "tag": self.artifact.tag,
            "labels": self.labels,
            "base_model": metadata.get("base_model"),
            "experiment": metadata.get("experiment"),
            "metrics": metadata.get("metrics", {}),
            "backend": self.backend,
            "temperature": self.temperature,
        }
