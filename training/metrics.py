"""Evaluation numbers from gold labels and predicted probabilities: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

ECE_BINS = 15


def expected_calibration_error(
    confidences: np.ndarray, correct: np.ndarray, n_bins: int = ECE_BINS
) -> float:
    """Weighted mean gap between confidence and accuracy over equal-width confidence bins.

    Two predictions at confidence 0.9, one right and one wrong, sit in one bin with
    accuracy 0.5: ECE = |0.9 - 0.5| = 0.4.
    """
    confidences = np.asarray(confidences, dtype=float)
    correct = np.asarray(correct, dtype=float)
    if confidences.size == 0:
        return 0.0
    bins = np.minimum((confidences * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for index in range(n_bins):
        mask = bins == index
        if mask.any():
            total += mask.sum() * abs(confidences[mask].mean() - correct[mask].mean())
    return float(total / confidences.size)


def reliability_bins(
    confidences: np.ndarray, correct: np.ndarray, n_bins: int = ECE_BINS
) -> list[dict[str, float]]:
    """Per-bin count, mean confidence and accuracy, for the reliability diagram."""
    bins = np.minimum((np.asarray(confidences) * n_bins).astype(int), n_bins - 1)
    rows = []
    for index in range(n_bins):
        mask = bins == index
        if mask.any():
            rows.append(
                {
                    "low": index / n_bins,
                    "high": (index + 1) / n_bins,
                    "count": int(mask.sum()),
                    "confidence": float(np.asarray(confidences)[mask].mean()),
                    "accuracy": float(np.asarray(correct, dtype=float)[mask].mean()),
                }
            )
    return rows


def evaluation_report(
    y_true: Sequence[int], probabilities: np.ndarray, labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-label precision/recall/F1/support, confusion matrix and ECE."""
    y_true = np.asarray(y_true, dtype=int)
    probabilities = np.asarray(probabilities, dtype=float)
    y_pred = probabilities.argmax(axis=1)
    label_ids = list(range(len(labels)))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=label_ids, zero_division=0
    )
    confidences = probabilities.max(axis=1)
    return {
        "n": int(y_true.size),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=label_ids, average="macro", zero_division=0)),
        "per_label": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "ece": expected_calibration_error(confidences, y_pred == y_true),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=label_ids).tolist(),
        "labels": list(labels),
    }


def confusion_table(report: dict[str, Any]) -> str:
    """The confusion matrix as aligned text, rows gold, columns predicted."""
    labels = report["labels"]
    width = max(len(label) for label in labels) + 2
    header = "gold \\ predicted".ljust(width) + "".join(label[:12].rjust(14) for label in labels)
    lines = [header]
    for label, row in zip(labels, report["confusion_matrix"], strict=True):
        lines.append(label.ljust(width) + "".join(str(count).rjust(14) for count in row))
    return "\n".join(lines)
