"""Model kinds: each module owns one kind's fitting, its files and its loading.

`get_kind(name)` replaces an if-chain over `model.kind`; a kind's module is imported only when
it is used, so a TF-IDF run never imports torch. To add a kind: write a module with a `KIND`
object (a `ModelKind`), add it to `KIND_MODULES` and to `ModelConfig.kind`.
"""

from __future__ import annotations

import importlib

from inference.artifact import DEFAULT_MODEL, ModelArtifact, open_artifact
from training.kinds.base import Classifier, FitResult, ModelKind

KIND_MODULES = {
    "transformer": "training.kinds.transformer",
    "distill": "training.kinds.distill",
    "tfidf": "training.kinds.tfidf",
    "frozen-encoder": "training.kinds.frozen_encoder",
    "setfit": "training.kinds.setfit",
}

__all__ = ["Classifier", "FitResult", "ModelKind", "KIND_MODULES", "get_kind", "load_classifier"]


def get_kind(name: str) -> ModelKind:
    try:
        module = KIND_MODULES[name]
    except KeyError:
        raise ValueError(f"unknown model kind {name!r}: choose one of {', '.join(KIND_MODULES)}") from None
    return importlib.import_module(module).KIND


def load_classifier(ref: str = DEFAULT_MODEL,
                    backend: str | None = None) -> tuple[ModelArtifact, Classifier]:
    """A stored model of any kind by tag or directory; transformers load as `inference.Predictor`
    on ``backend`` (default: the served one), so the CLI answers as the service does."""
    artifact = open_artifact(ref)
    return artifact, get_kind(artifact.metadata.kind).load(artifact, backend)
