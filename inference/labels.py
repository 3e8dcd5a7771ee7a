"""From logits to what users see: probabilities, the best label and its score, p_<label> columns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


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


def predictions(probabilities: np.ndarray, labels: Sequence[str]) -> list[Prediction]:
    """One Prediction per row: ``[[0.2, 0.8]], ["a", "b"]`` -> label ``b``, score 0.8."""
    out = []
    for row in probabilities:
        best = int(row.argmax())
        out.append(Prediction(labels[best], float(row[best]),
                              {label: float(p) for label, p in zip(labels, row, strict=True)}))
    return out


def label_columns(probabilities: np.ndarray, labels: Sequence[str]) -> dict[str, np.ndarray]:
    """Output columns of a probability matrix: ``label``, ``score`` and one ``p_<label>`` each."""
    best = probabilities.argmax(axis=1)
    out = {"label": np.asarray(labels)[best],
           "score": probabilities.max(axis=1).astype(np.float32)}
    out.update({f"p_{label}": probabilities[:, i].astype(np.float32) for i, label in enumerate(labels)})
    return out
