"""How well `warlens data issues` finds label errors: flip a share of the training labels at
random (fixed seed, in memory: the corpus files are not touched), run the out-of-fold scoring and
cleanlab, and report precision and recall of the flipped sentences in the top k (k = number
flipped), over cleanlab's flagged set and over every row ranked by self-confidence.

Run: .venv/bin/python bench/label_errors.py [--config configs/tfidf-logreg.yaml] [--share 0.05]
     [--folds 5] [--seed 0] [--set key=value ...]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

FILTERS = ("prune_by_noise_rate", "prune_by_class", "both", "confident_learning", "predicted_neq_given")


def flip_labels(labels: np.ndarray, share: float, n_labels: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A copy of ``labels`` with a seeded ``share`` of rows moved to another label, uniformly
    among the others, and the rows flipped."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(labels), size=round(share * len(labels)), replace=False))
    noisy = labels.copy()
    noisy[rows] = (labels[rows] + rng.integers(1, n_labels, size=len(rows))) % n_labels
    return noisy, rows


def hits(ranked: np.ndarray, flipped: set[int], k: int) -> dict[str, float]:
    found = len(set(map(int, ranked[:k])) & flipped)
    return {"k": k, "found": found, "precision": round(found / max(1, min(k, len(ranked))), 3),
            "recall": round(found / len(flipped), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="configs/tfidf-logreg.yaml")
    parser.add_argument("--share", type=float, default=0.05)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()

    from review.label_issues import out_of_fold_probabilities, ranked_label_issues
    from training.config import load_config
    from training.train import load_splits

    cfg = load_config(args.config, args.overrides)
    train = load_splits(cfg)["train"]
    clean = np.asarray(train["label_id"])
    noisy, flipped_rows = flip_labels(clean, args.share, len(cfg.labels), args.seed)
    noisy_train = train.remove_columns("label_id").add_column("label_id", noisy.tolist())
    started = time.perf_counter()
    probabilities = out_of_fold_probabilities(cfg, noisy_train, args.folds)
    seconds = time.perf_counter() - started
    from cleanlab.filter import find_label_issues

    filters = {name: find_label_issues(noisy, probabilities, filter_by=name,
                                       return_indices_ranked_by="self_confidence")
               for name in FILTERS}
    flagged = ranked_label_issues(noisy, probabilities)
    by_confidence = np.argsort(probabilities[np.arange(len(noisy)), noisy], kind="stable")
    flipped, k = set(map(int, flipped_rows)), len(flipped_rows)
    print(json.dumps({
        "config": args.config, "kind": cfg.model.kind, "sentences": len(noisy), "flipped": k,
        "folds": args.folds, "seed": args.seed, "out_of_fold_seconds": round(seconds, 1),
        "out_of_fold_accuracy_vs_clean": round(float((probabilities.argmax(1) == clean).mean()), 4),
        "cleanlab_flagged": len(flagged),
        "cleanlab_top_k": hits(flagged, flipped, k),
        "cleanlab_flagged_recall": round(len(set(map(int, flagged)) & flipped) / k, 3),
        "self_confidence_top_k": hits(by_confidence, flipped, k),
        "top_k_recall_by_filter": {name: hits(rows, flipped, k)["recall"] for name, rows in filters.items()},
        "flagged_by_filter": {name: len(rows) for name, rows in filters.items()},
    }, indent=2))


if __name__ == "__main__":
    main()
