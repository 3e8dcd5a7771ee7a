"""SetFit baseline: contrastive fine-tuning of the encoder on sentence pairs, then a
logistic-regression head. It asks whether few-shot contrastive training beats full fine-tuning."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inference.artifact import ModelArtifact
from training.base_models import resolve_base_model
from training.config import ConfigError
from training.kinds.base import FitResult, MetricsSink, ModelKind, embedding_head_params, spread

SETFIT_DIR = "setfit"


@dataclass
class SetFitClassifier:
    model: Any
    labels: list[str]

    def probabilities(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """Reads each text alone: ``contexts`` are for models trained with context."""
        probabilities = np.asarray(self.model.predict_proba(list(texts), as_numpy=True))
        return spread(probabilities, self.model.model_head.classes_, len(self.labels))


class SetFitKind(ModelKind):
    name = "setfit"

    def fit(self, cfg, splits, out_dir: Path, sink: MetricsSink, progress: bool) -> FitResult:
        from datasets import Dataset

        try:
            from setfit import SetFitModel, Trainer, TrainingArguments
        except ImportError as err:
            hint = "pip install 'warlens[setfit]'"
            raise ConfigError(f"model.kind 'setfit' needs the setfit package: {hint}") from err

        options, train = cfg.setfit, splits["train"]
        model = SetFitModel.from_pretrained(resolve_base_model(cfg.model.base),
                                            head_params=embedding_head_params(cfg))
        checkpoints = tempfile.mkdtemp(prefix="warlens-setfit-")
        args = TrainingArguments(
            output_dir=checkpoints,
            max_length=cfg.model.max_length,
            batch_size=options.batch_size,
            num_epochs=options.epochs,
            num_iterations=options.num_iterations,
            body_learning_rate=options.body_learning_rate,
            max_steps=options.max_steps or -1,
            seed=cfg.training.seed,
            show_progress_bar=progress,
            report_to="none",
        )
        pairs = Dataset.from_dict({"text": list(train["text"]), "label": list(train["label_id"])})
        try:
            Trainer(model=model, args=args, train_dataset=pairs).train()
        finally:
            shutil.rmtree(checkpoints, ignore_errors=True)
        out_dir.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(str(out_dir / SETFIT_DIR))
        return FitResult(SetFitClassifier(model, list(cfg.labels)),
                         {"setfit_pairs": float(options.num_iterations * 2 * len(train))})

    def load(self, artifact: ModelArtifact, backend: str | None = None) -> SetFitClassifier:
        from setfit import SetFitModel

        self.refuse_backend(backend)
        model = SetFitModel.from_pretrained(str(artifact.directory / SETFIT_DIR), device="cpu")
        return SetFitClassifier(model, artifact.labels)


KIND = SetFitKind()
