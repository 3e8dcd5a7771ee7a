"""Frozen-encoder baseline: sentence embeddings of the untouched base encoder, then a
logistic-regression head. It shows how much of the default recipe's accuracy is already in the
pre-trained embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.artifact import ModelArtifact
from training.base_models import resolve_base_model
from training.kinds.base import FitResult, MetricsSink, ModelKind, embedding_head_params, spread

ENCODER_DIR = "encoder"
HEAD_FILE = "head.joblib"


@dataclass
class FrozenEncoderClassifier:
    encoder: Any
    head: Any
    labels: list[str]
    batch_size: int = 64

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Reads each text alone: ``contexts`` are for models trained with context."""
        embeddings = self.encoder.encode(list(texts), batch_size=self.batch_size, show_progress_bar=False)
        return spread(self.head.predict_proba(embeddings), self.head.classes_, len(self.labels))


class FrozenEncoderKind(ModelKind):
    name = "frozen-encoder"

    def fit(self, cfg, splits, out_dir: Path, sink: MetricsSink, progress: bool) -> FitResult:
        """Embed the training split with the untouched encoder, fit the head, save both."""
        import joblib
        from sentence_transformers import SentenceTransformer
        from sklearn.linear_model import LogisticRegression

        train = splits["train"]
        encoder = SentenceTransformer(resolve_base_model(cfg.model.base), device="cpu")
        encoder.max_seq_length = cfg.model.max_length
        embeddings = encoder.encode(list(train["text"]), batch_size=cfg.training.eval_batch_size,
                                    show_progress_bar=progress)
        head = LogisticRegression(**embedding_head_params(cfg)).fit(embeddings, train["label_id"])
        out_dir.mkdir(parents=True, exist_ok=True)
        encoder.save(str(out_dir / ENCODER_DIR))
        joblib.dump(head, out_dir / HEAD_FILE)
        return FitResult(FrozenEncoderClassifier(encoder, head, list(cfg.labels)),
                         {"embedding_dim": float(embeddings.shape[1])})

    def load(self, artifact: ModelArtifact, backend: str | None = None) -> FrozenEncoderClassifier:
        import joblib
        from sentence_transformers import SentenceTransformer

        self.refuse_backend(backend)
        encoder = SentenceTransformer(str(artifact.directory / ENCODER_DIR), device="cpu")
        return FrozenEncoderClassifier(encoder, joblib.load(artifact.directory / HEAD_FILE), artifact.labels)


KIND = FrozenEncoderKind()
