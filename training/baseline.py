"""The TF-IDF + logistic regression baseline: same CLI, evaluation and tracking as the transformer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from datasets import Dataset

from training.classifiers import BASELINE_FILE
from training.config import ExperimentConfig


def logistic_regression_params(C: float, class_weighting: str, seed: int) -> dict[str, Any]:
    """Settings of every logistic-regression head in the baselines (TF-IDF, frozen encoder, SetFit)."""
    return {"C": C, "max_iter": 5000, "random_state": seed,
            "class_weight": "balanced" if class_weighting == "balanced" else None}


def fit_baseline(cfg: ExperimentConfig, train: Dataset, out_dir: Path) -> dict[str, float]:
    """Fit the pipeline on the training split and save it to ``out_dir`` with joblib."""
    import joblib
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    options = cfg.tfidf
    pipeline = Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    ngram_range=(1, options.ngram_max),
                    min_df=options.min_df,
                    sublinear_tf=options.sublinear_tf,
                ),
            ),
            (
                "logreg",
                LogisticRegression(
                    **logistic_regression_params(options.C, options.class_weighting, cfg.training.seed)
                ),
            ),
        ]
    )
    pipeline.fit(train["text"], train["label_id"])
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out_dir / BASELINE_FILE)
    return {"vocabulary": float(len(pipeline.named_steps["tfidf"].vocabulary_))}
