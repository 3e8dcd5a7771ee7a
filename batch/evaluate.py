"""Measure the whole path (segment, then classify) against gold sentence labels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def evaluate_scored(scored: Iterable[dict[str, Any]], gold: Iterable[dict[str, Any]],
                    labels: list[str]) -> dict[str, Any]:
    """Match scored sentences to gold ones by article and exact text; report both stages.

    Segmentation: precision (scored sentences that are gold sentences), recall (gold sentences
    found), F1. Labels: accuracy and macro-F1 over matched sentences, and end-to-end accuracy,
    where a gold sentence the segmenter missed counts as wrong.
    """
    from sklearn.metrics import f1_score

    gold_by_key = {(str(g["article_id"]), g["text"].strip()): g["label"] for g in gold}
    articles = {key[0] for key in gold_by_key}
    n_scored = matched = 0
    y_true, y_pred = [], []
    for row in scored:
        if str(row["article_id"]) not in articles:
            continue
        n_scored += 1
        label = gold_by_key.get((str(row["article_id"]), row["text"].strip()))
        if label is not None:
            matched += 1
            y_true.append(label)
            y_pred.append(row["label"])
    n_gold = len(gold_by_key)
    precision = matched / n_scored if n_scored else 0.0
    recall = matched / n_gold if n_gold else 0.0
    correct = sum(t == p for t, p in zip(y_true, y_pred, strict=True))
    return {
        "gold_sentences": n_gold,
        "scored_sentences": n_scored,
        "matched": matched,
        "segmentation": {
            "precision": precision, "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        },
        "labels_on_matched": {
            "accuracy": correct / matched if matched else 0.0,
            "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro",
                                       zero_division=0)) if matched else 0.0,
        },
        "end_to_end_accuracy": correct / n_gold if n_gold else 0.0,
    }
