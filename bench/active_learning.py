"""Active learning simulated on the corpus: which `warlens review select` strategy reaches the
full-data score with the fewest labelled sentences?

Start from the sentences of a seeded 25% of the training articles; each round, add 5% of the
training sentences, picked from the rest by a strategy (random, uncertainty, margin, diverse),
as if a reviewer had labelled them; refit the fast model (TF-IDF by default) and score the test
split. The diverse strategy spreads its picks over the served model's encoder embeddings
(computed once for the whole training split). Writes the curves as a PNG and prints JSON with,
per strategy, the first round and the labelled sentences at which test macro-F1 reaches the
full-data figure minus one point.

Run: PYTHONPATH=. .venv/bin/python bench/active_learning.py [--config configs/tfidf-logreg.yaml]
     [--model warlens-classifier:latest] [--out docs/figures/active-learning.png]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ROOT

STRATEGIES = ("random", "uncertainty", "margin", "diverse")


def fit_and_score(kind, cfg, train, rows, test):
    """Test macro-F1 of the model fitted on ``rows`` of ``train``, and the fitted classifier."""
    from sklearn.metrics import f1_score

    with tempfile.TemporaryDirectory() as scratch:
        fitted = kind.fit(cfg, {"train": train.select(sorted(rows)), "validation": test}, Path(scratch),
                          lambda metrics, step: None, False)
    predicted = fitted.classifier.probabilities(test["text"]).argmax(axis=1)
    return float(f1_score(test["label_id"], predicted, average="macro")), fitted.classifier


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="configs/tfidf-logreg.yaml")
    parser.add_argument("--model", default="warlens-classifier:latest")
    parser.add_argument("--start", type=float, default=0.25)
    parser.add_argument("--step", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" / "active-learning.png")
    args = parser.parse_args()

    from inference.artifact import open_artifact
    from inference.embeddings import pooled_embeddings
    from review.select import choose
    from training.config import load_config
    from training.kinds import get_kind
    from training.train import load_splits

    cfg = load_config(args.config)
    splits = load_splits(cfg)
    train, test = splits["train"], splits["test"]
    kind = get_kind(cfg.model.kind)
    texts = list(train["text"])
    started = time.perf_counter()
    embeddings = pooled_embeddings(open_artifact(args.model), texts)
    embed_seconds = time.perf_counter() - started
    full_f1, _ = fit_and_score(kind, cfg, train, range(len(train)), test)
    goal = full_f1 - 0.01

    articles = sorted(set(train["article_id"]))
    rng = np.random.default_rng(args.seed)
    first = set(rng.choice(articles, round(args.start * len(articles)), replace=False))
    start_rows = [i for i, article in enumerate(train["article_id"]) if article in first]
    step = round(args.step * len(train))
    curves: dict[str, list[tuple[int, float]]] = {}
    for strategy in STRATEGIES:
        labelled = set(start_rows)
        picker = np.random.default_rng(args.seed + 1)
        curve = []
        while True:
            f1, classifier = fit_and_score(kind, cfg, train, labelled, test)
            curve.append((len(labelled), round(f1, 4)))
            pool = np.array(sorted(set(range(len(train))) - labelled))
            if not len(pool):
                break
            size = min(step, len(pool))
            if strategy == "random":
                picked = picker.choice(pool, size, replace=False)
            else:
                probabilities = classifier.probabilities([texts[i] for i in pool])
                local = choose(probabilities, size, strategy, lambda rows, pool=pool: embeddings[pool[rows]])
                picked = pool[local]
            labelled |= set(map(int, picked))
        curves[strategy] = curve
        print(strategy, curve, file=sys.stderr, flush=True)

    def reached(curve):
        return next(((round_, n) for round_, (n, f1) in enumerate(curve) if f1 >= goal), (None, None))

    result = {"config": args.config, "model": args.model, "train_sentences": len(train),
              "full_data_macro_f1": round(full_f1, 4), "goal": round(goal, 4),
              "embedding_seconds": round(embed_seconds, 1), "curves": curves,
              "reached_goal": {s: dict(zip(("round", "sentences"), reached(c), strict=True))
                               for s, c in curves.items()}}
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4.2))
    for strategy, curve in curves.items():
        axis.plot([n for n, _ in curve], [f1 for _, f1 in curve], marker="o", markersize=3, label=strategy)
    axis.axhline(goal, color="grey", linestyle="--", linewidth=1, label="full data - 1 point")
    axis.set_xlabel("labelled training sentences")
    axis.set_ylabel("test macro-F1")
    axis.set_title(f"Active learning, {cfg.model.kind} refitted each round")
    axis.legend()
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, dpi=120)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
