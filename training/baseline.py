"""The TF-IDF + logistic regression baseline: same CLI, evaluation and tracking as the transformer."""

from __future__ import annotations

from pathlib import Path

from datasets import Dataset

from training.classifiers import BASELINE_FILE
from training.config import ExperimentConfig


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
                    C=options.C,
                    max_iter=5000,
                    class_weight="balanced" if options.class_weighting == "balanced" else None,
                    random_state=cfg.training.seed,
                ),
            ),
        ]
    )
    pipeline.fit(train["text"], train["label_id"])
    out_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, out_dir / BASELINE_FILE)
    return {"vocabulary": float(len(pipeline.named_steps["tfidf"].vocabulary_))}
