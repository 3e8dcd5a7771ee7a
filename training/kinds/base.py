"""What every model kind provides, and the pieces the baselines share."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from inference.artifact import ModelArtifact

if TYPE_CHECKING:
    from datasets import Dataset

    from training.config import ExperimentConfig

MetricsSink = Callable[[dict[str, float], int], None]


class Classifier(Protocol):
    """Anything that turns sentences into a probability matrix (columns in `labels` order).
    ``contexts`` (one per text) reach models trained with context; the others read texts alone."""

    labels: list[str]

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray: ...


@dataclass
class FitResult:
    classifier: Classifier
    summary: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)  # extra model metadata (temperature, ...)
    # Probability matrices of splits the kind already scored with the final classifier while
    # fitting (the transformer's validation split, for calibration), so evaluation reuses them.
    scored: dict[str, np.ndarray] = field(default_factory=dict)


class ModelKind(ABC):
    """One kind of model: how to fit it into a folder and how to load it back."""

    name: ClassVar[str]
    store_name: ClassVar[str] = "warlens-baseline"
    # The kind recorded in warlens.json: the kind that loads the stored files back.
    stored_kind: ClassVar[str | None] = None

    @abstractmethod
    def fit(self, cfg: ExperimentConfig, splits: dict[str, Dataset], out_dir: Path,
            sink: MetricsSink, progress: bool) -> FitResult:
        """Fit on ``splits["train"]`` (validation for selection), save the files to ``out_dir``."""

    @abstractmethod
    def load(self, artifact: ModelArtifact, backend: str | None = None) -> Classifier:
        """The stored model as a classifier; ``backend`` applies to transformers only."""

    def base_model(self, cfg: ExperimentConfig) -> str:
        return cfg.model.base

    def refuse_backend(self, backend: str | None) -> None:
        if backend is not None:
            raise ValueError(f"--backend applies to transformer models, not to a {self.name!r} model")


def spread(probabilities: np.ndarray, classes: Sequence[int], n_labels: int) -> np.ndarray:
    """Place a head's columns (only the label ids it saw) into the full label order:
    ``[[0.4, 0.6]], classes [0, 2], 3`` -> ``[[0.4, 0.0, 0.6]]``."""
    out = np.zeros((len(probabilities), n_labels), dtype=np.float32)
    out[:, list(classes)] = probabilities
    return out


def logistic_regression_params(C: float, class_weighting: str, seed: int) -> dict[str, Any]:
    """Settings of every logistic-regression head in the baselines (TF-IDF, frozen encoder, SetFit)."""
    return {"C": C, "max_iter": 5000, "random_state": seed,
            "class_weight": "balanced" if class_weighting == "balanced" else None}


def embedding_head_params(cfg: ExperimentConfig) -> dict[str, Any]:
    """The logistic-regression head the frozen-encoder and SetFit baselines put on embeddings."""
    head = cfg.embedding_head
    return logistic_regression_params(head.C, head.class_weighting, cfg.training.seed)
