"""Evaluate a classifier on labelled sentences and write the report artifacts."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from training.kinds import Classifier
from training.metrics import confusion_table, evaluation_report, reliability_bins


def evaluate_texts(
    classifier: Classifier, texts: Sequence[str], y_true: Sequence[int], labels: Sequence[str],
    contexts: Sequence[str] | None = None, probabilities: np.ndarray | None = None,
) -> tuple[dict[str, Any], np.ndarray]:
    """Run the classifier (with each text's context, for a model that reads one) and build the
    report; gold ids index ``labels``. ``probabilities`` the classifier already gave these texts
    are used instead of running it again.

    The classifier's own label order may differ from ``labels``: columns are re-ordered.
    """
    missing = set(labels) - set(classifier.labels)
    if missing:
        raise ValueError(f"the model does not know the labels {sorted(missing)}")
    if probabilities is None:
        probabilities = classifier.probabilities(list(texts), None if contexts is None else list(contexts))
    columns = [classifier.labels.index(label) for label in labels]
    probabilities = probabilities[:, columns]
    return evaluation_report(y_true, probabilities, labels), probabilities


def write_artifacts(
    report: dict[str, Any],
    texts: Sequence[str],
    y_true: Sequence[int],
    probabilities: np.ndarray,
    out_dir: str | Path,
) -> list[Path]:
    """Write metrics.json, confusion matrix (txt, png), reliability diagram and misclassified.csv."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    labels = report["labels"]
    paths = [out_dir / name for name in (
        "metrics.json", "confusion_matrix.txt", "confusion_matrix.png",
        "reliability.png", "misclassified.csv",
    )]
    paths[0].write_text(json.dumps(report, indent=2), encoding="utf-8")
    paths[1].write_text(confusion_table(report) + "\n", encoding="utf-8")
    _plot_confusion(report, paths[2])
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    _plot_reliability(confidence, predicted == np.asarray(y_true), report["ece"], paths[3])
    with paths[4].open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "true_label", "predicted_label", "confidence"])
        for text, gold, guess, conf in zip(texts, y_true, predicted, confidence, strict=True):
            if gold != guess:
                writer.writerow([text, labels[gold], labels[guess], f"{conf:.4f}"])
    return paths


def _plot_confusion(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(report["confusion_matrix"])
    labels = report["labels"]
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=35, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, col), count in np.ndenumerate(matrix):
        ax.text(col, row, str(count), ha="center", va="center",
                color="white" if count > threshold else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"Confusion matrix (n={report['n']}, macro-F1 {report['macro_f1']:.3f})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_reliability(confidence: np.ndarray, correct: np.ndarray, ece: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = reliability_bins(confidence, correct)
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
    ax.bar([r["low"] for r in rows], [r["accuracy"] for r in rows],
           width=[r["high"] - r["low"] for r in rows], align="edge", alpha=0.7,
           edgecolor="black", label="accuracy in bin")
    ax.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], "o", color="darkred",
            label="mean confidence")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"Reliability diagram (ECE {ece:.3f})")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
