"""The TF-IDF + logistic regression baseline: same CLI, evaluation and tracking as the transformer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.artifact import ModelArtifact
from training.kinds.base import FitResult, MetricsSink, ModelKind, logistic_regression_params, spread

PIPELINE_FILE = "pipeline.joblib"


@dataclass
class TfidfClassifier:
    pipeline: Any
    labels: list[str]

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Reads each text alone: ``contexts`` are for models trained with context."""
        return spread(self.pipeline.predict_proba(list(texts)), self.pipeline.classes_, len(self.labels))


class TfidfKind(ModelKind):
    name = "tfidf"

    def base_model(self, cfg) -> str:
        return "tfidf-logreg"

    def fit(self, cfg, splits, out_dir: Path, sink: MetricsSink, progress: bool) -> FitResult:
        """Fit the pipeline on the training split and save it to ``out_dir`` with joblib."""
        import joblib
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        options, train = cfg.tfidf, splits["train"]
        vectoriser = TfidfVectorizer(ngram_range=(1, options.ngram_max), min_df=options.min_df,
                                     sublinear_tf=options.sublinear_tf)
        head = LogisticRegression(**logistic_regression_params(options.C, options.class_weighting,
                                                               cfg.training.seed))
        pipeline = Pipeline([("tfidf", vectoriser), ("logreg", head)]).fit(train["text"], train["label_id"])
        out_dir.mkdir(parents=True, exist_ok=True)
        joblib.dump(pipeline, out_dir / PIPELINE_FILE)
        return FitResult(TfidfClassifier(pipeline, list(cfg.labels)),
                         {"vocabulary": float(len(vectoriser.vocabulary_))})

    def load(self, artifact: ModelArtifact, backend: str | None = None) -> TfidfClassifier:
        import joblib

        self.refuse_backend(backend)
        return TfidfClassifier(joblib.load(artifact.directory / PIPELINE_FILE), artifact.labels)


KIND = TfidfKind()
