"""Load a stored model (transformer or a baseline) and predict label probabilities.

This is the training side's reference inference path, used by `evaluate` and `predict`;
the fast serving engine lives in `serving/` and meets this code only through the artifact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from training.store import resolve_model

BASELINE_FILE = "pipeline.joblib"


class Classifier(Protocol):
    labels: list[str]
    metadata: dict[str, Any]
    ref: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class TransformerClassifier:
    """A fine-tuned sequence-classification model, run with length-sorted batches."""

    directory: Path
    metadata: dict[str, Any]
    ref: str
    batch_size: int = 64
    labels: list[str] = field(init=False)

    def __post_init__(self) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(self.directory)
        self.model = AutoModelForSequenceClassification.from_pretrained(self.directory).eval()
        id2label = self.model.config.id2label
        self.labels = [id2label[i] for i in range(len(id2label))]
        self.max_length = int(self.metadata.get("max_length", 128))
        self.temperature = float(self.metadata.get("temperature", 1.0))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        from training.calibration import softmax

        return softmax(self.logits(texts), self.temperature).astype(np.float32)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits in input order, computed in length-sorted batches."""
        import torch

        order = np.argsort([len(text) for text in texts], kind="stable")
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                index = order[start : start + self.batch_size]
                batch = self.tokenizer(
                    [texts[i] for i in index],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                out[index] = self.model(**batch).logits.numpy()
        return out


def _spread(probabilities: np.ndarray, classes: Sequence[int], n_labels: int) -> np.ndarray:
    """Place a head's columns (only the label ids it saw) into the full label order."""
    out = np.zeros((len(probabilities), n_labels), dtype=np.float32)
    out[:, list(classes)] = probabilities
    return out


@dataclass
class _Baseline:
    """A stored baseline: labels come from its metadata, its parts from ``load``."""

    directory: Path
    metadata: dict[str, Any]
    ref: str
    labels: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.labels = list(self.metadata["labels"])
        self.load()

    def load(self) -> None:
        raise NotImplementedError


class BaselineClassifier(_Baseline):
    """The TF-IDF + logistic regression pipeline saved with joblib."""

    def load(self) -> None:
        import joblib

        self.pipeline = joblib.load(self.directory / BASELINE_FILE)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return _spread(self.pipeline.predict_proba(list(texts)), self.pipeline.classes_, len(self.labels))


class FrozenEncoderClassifier(_Baseline):
    """Sentence embeddings of the untouched base encoder, then a logistic-regression head."""

    def load(self) -> None:
        import joblib
        from sentence_transformers import SentenceTransformer

        from training.embedding_baselines import ENCODER_DIR, HEAD_FILE

        self.encoder = SentenceTransformer(str(self.directory / ENCODER_DIR), device="cpu")
        self.head = joblib.load(self.directory / HEAD_FILE)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        embeddings = self.encoder.encode(list(texts), batch_size=64, show_progress_bar=False)
        return _spread(self.head.predict_proba(embeddings), self.head.classes_, len(self.labels))


class SetFitClassifier(_Baseline):
    """A SetFit model: contrastively tuned encoder plus its logistic-regression head."""

    def load(self) -> None:
        from setfit import SetFitModel

        from training.embedding_baselines import SETFIT_DIR

        self.model = SetFitModel.from_pretrained(str(self.directory / SETFIT_DIR), device="cpu")

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        probabilities = np.asarray(self.model.predict_proba(list(texts), as_numpy=True))
        return _spread(probabilities, self.model.model_head.classes_, len(self.labels))


CLASSIFIERS = {
    "transformer": TransformerClassifier,
    "tfidf": BaselineClassifier,
    "frozen-encoder": FrozenEncoderClassifier,
    "setfit": SetFitClassifier,
}


def load_classifier(ref: str) -> Classifier:
    """Load a model by store tag or directory, choosing the class from its metadata."""
    directory, metadata, resolved = resolve_model(ref)
    return CLASSIFIERS[metadata.get("kind", "transformer")](directory, metadata, resolved)
