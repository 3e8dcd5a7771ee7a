"""The one inference path shared by the CLI, the HTTP service, batch scoring and evaluation.

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
from pathlib import Path
from typing import Any

import numpy as np

from inference.artifact import DEFAULT_MODEL, ModelArtifact, ModelNotFound, open_artifact
from inference.context import neighbour_contexts
from inference.labels import Prediction, predictions, softmax

BACKENDS = ("onnx-int8", "onnx", "torch")
DEFAULT_BACKEND = "onnx-int8"
# int8 probabilities stray from fp32 only where the model is unsure; on the v6 model's validation
# split, sentences whose int8 top probability is at least 0.9 stay within 0.025 of fp32, half
# the 0.05 the parity target allows (docs/benchmarks.md).
DEFAULT_RECHECK_BELOW = 0.9


def length_batches(lengths: Sequence[int], batch_size: int, ways: int = 1) -> list[np.ndarray]:
    """Index batches in order of length, at most ``batch_size`` each: ``[5, 1, 3], 2`` -> ``[[1, 2], [0]]``.

    The batches are as many as the texts need, rounded up to a multiple of ``ways`` (lanes), and
    cut so that the largest padded batch (count x longest) is as small as it can be: on two lanes
    sixteen texts run as two batches of about equal work, not one of sixteen. A single round of
    full batches leaves no room to even out long and short texts, so it becomes two rounds.
    """
    lengths = np.asarray(lengths)
    order = np.argsort(lengths, kind="stable")
    count = len(order)
    if not count:
        return []
    ordered = lengths[order]
    wanted = math.ceil(math.ceil(count / batch_size) / ways) * ways
    if ways > 1 and wanted == ways and count > ways * batch_size // 2:
        wanted = 2 * ways

    def starts_within(limit: int) -> list[int]:
        starts, start = [], 0
        while start < count:
            starts.append(start)
            end = start + 1
            while end < count and end - start < batch_size and (end - start + 1) * ordered[end] <= limit:
                end += 1
            start = end
        return starts

    low, high = int(ordered[-1]), int(ordered[-1]) * batch_size
    while low < high:
        middle = (low + high) // 2
        if len(starts_within(middle)) <= wanted:
            high = middle
        else:
            low = middle + 1
    starts = [*starts_within(low), count]
    return [order[a:b] for a, b in zip(starts, starts[1:], strict=False)]


def pad_batch(encoded: Any, batch: Sequence[int], pad_token_id: int) -> dict[str, np.ndarray]:
    """The rows ``batch`` of tokenizer output ``encoded`` as int64 matrices, padded to the
    longest (``pad_token_id`` for input ids, 0 for masks and segment ids)."""
    width = max(len(encoded["input_ids"][i]) for i in batch)
    arrays = {}
    for key in encoded:
        matrix = np.full((len(batch), width), pad_token_id if key == "input_ids" else 0, dtype=np.int64)
        for row, index in enumerate(batch):
            values = encoded[key][index]
            matrix[row, : len(values)] = values
        arrays[key] = matrix
    return arrays


class Predictor:
    """Loads a model once; `predict` is thread-safe for the ONNX backends.

    ONNX Runtime runs single-threaded sessions on ``threads`` lanes, one batch per lane, instead
    of one session splitting each operator across threads: on the 2-vCPU machines we measured,
    the two-thread operator pool lost a third of its speed for minutes at a time while lanes
    held steady (docs/benchmarks.md). Torch splits operators across ``threads`` itself.

    The int8 backend re-scores with the fp32 graph the sentences whose int8 top probability is
    under ``recheck_below`` (0 turns it off), so no sentence's probabilities move far from the
    fp32 model's. ``graph_cache`` moves the built ONNX graphs out of a read-only model store;
    ``torch_model`` lets training evaluate the model it holds without reloading it.
    """

    def __init__(self, artifact: ModelArtifact, backend: str = DEFAULT_BACKEND,
                 threads: int | None = None, batch_size: int = 32,
                 recheck_below: float = DEFAULT_RECHECK_BELOW, graph_cache: Path | None = None,
                 torch_model: Any = None) -> None:
        from transformers import AutoTokenizer

        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        if artifact.metadata.kind != "transformer":
            raise ModelNotFound(f"{artifact.tag}: the predictor runs transformer models, "
                                f"not {artifact.metadata.kind!r}")
        if not 0.0 <= recheck_below <= 1.0:
            raise ValueError(f"int8 re-check threshold must be in [0, 1], not {recheck_below}")
        self.artifact = artifact
        self.backend = backend
        self.labels = artifact.labels
        self.batch_size = batch_size
        self.max_length = artifact.metadata.max_length
        self.context_words = artifact.metadata.context_words
        self.temperature = artifact.metadata.temperature or 1.0
        self.threads = threads or os.cpu_count() or 1
        self.tokenizer = AutoTokenizer.from_pretrained(artifact.directory)
        # The fast tokenizer refuses concurrent calls that set truncation ("Already borrowed").
        self._tokenizer_lock = threading.Lock()
        # Only int8 has a re-check: the other backends are the fp32 function already.
        self.recheck_below = recheck_below if backend == "onnx-int8" else 0.0
        self._graph_cache = graph_cache
        self._run = self._load_torch(torch_model) if backend == "torch" else self._load_onnx(backend)
        self._recheck = self._load_onnx("onnx") if self.recheck_below > 0 else None
        self._lanes = (ThreadPoolExecutor(self.threads, thread_name_prefix="warlens-lane")
                       if backend != "torch" and self.threads > 1 else None)

    @classmethod
    def load(cls, ref: str = DEFAULT_MODEL, backend: str = DEFAULT_BACKEND, **options: Any) -> Predictor:
        return cls(open_artifact(ref), backend, **options)

    def _load_onnx(self, backend: str):
        import onnxruntime as ort

        from inference.onnx import ensure_graph

        graph = ensure_graph(self.artifact.directory, backend, self._graph_cache)
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

    def _load_torch(self, model: Any = None):
        import torch
        from transformers import AutoModelForSequenceClassification

        torch.set_num_threads(self.threads)
        if model is None:
            model = AutoModelForSequenceClassification.from_pretrained(self.artifact.directory)
        model = model.eval()

        def run(encoded: dict[str, np.ndarray]) -> np.ndarray:
            with torch.inference_mode():
                tensors = {k: torch.from_numpy(v) for k, v in encoded.items()}
                return model(**tensors).logits.float().numpy()

        return run

    def encode(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> Any:
        """Tokenizer output for the texts; a context model reads each text with its context as
        the second segment (an empty one where ``contexts`` is not given, as for a lone sentence)."""
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"{len(contexts)} contexts for {len(texts)} texts")
        with self._tokenizer_lock:
            if not self.context_words:
                return self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
            second = list(contexts) if contexts is not None else [""] * len(texts)
            return self.tokenizer(list(texts), second, truncation=True, max_length=self.max_length)

    def logits(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Logit matrix, one row per text in input order, columns in `labels` order; with int8,
        the rows the re-check covers hold fp32 logits. ``contexts`` (one per text) reach only a
        model trained with context."""
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        if not texts:
            return out
        encoded = self.encode(texts, contexts)
        self._score(encoded, np.arange(len(texts)), self._run, out)
        if self._recheck is not None:
            unsure = np.flatnonzero(softmax(out, self.temperature).max(axis=1) < self.recheck_below)
            if unsure.size:
                self._score(encoded, unsure, self._recheck, out)
        return out

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Probability matrix, one row per text in input order, columns in `labels` order."""
        return softmax(self.logits(texts, contexts), self.temperature)

    def _score(self, encoded: Any, rows: np.ndarray, run: Any, out: np.ndarray) -> None:
        """Write into ``out[rows]`` the logits ``run`` gives those rows of ``encoded``, in
        length-sorted batches spread over the lanes (torch has none: it threads each operator)."""
        def score(batch: np.ndarray) -> None:
            out[batch] = run(pad_batch(encoded, batch, self.tokenizer.pad_token_id))

        ways = 1 if self._lanes is None else self.threads
        lengths = [len(encoded["input_ids"][i]) for i in rows]
        batches = [rows[batch] for batch in length_batches(lengths, self.batch_size, ways)]
        if self._lanes is not None:
            list(self._lanes.map(score, batches))
        else:
            for batch in batches:
                score(batch)

    def predict(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> list[Prediction]:
        return predictions(self.probabilities(texts, contexts), self.labels)

    def article_contexts(self, units: Sequence[str]) -> list[str] | None:
        """The context of each unit of one article (in reading order) as this model reads it;
        None for a model that reads sentences alone."""
        return neighbour_contexts(units, self.context_words) if self.context_words else None

    def describe(self) -> dict[str, Any]:
        metadata = self.artifact.metadata
        return {
            "tag": self.artifact.tag,
            "labels": self.labels,
            "base_model": metadata.base_model,
            "experiment": metadata.experiment,
            "metrics": metadata.metrics,
            "backend": self.backend,
            "temperature": self.temperature,
            "int8_recheck_below": self.recheck_below,
            "context_words": self.context_words,
        }
