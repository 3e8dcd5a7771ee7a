"""Baselines on sentence embeddings of the base encoder: frozen (embeddings + logistic
regression) and SetFit (contrastive fine-tuning of the encoder, then the same head).

They answer two questions about the default recipe: how much of its accuracy is already in
the pre-trained embeddings, and whether few-shot contrastive training beats full fine-tuning.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from datasets import Dataset

from training.base_models import resolve_base_model
from training.baseline import logistic_regression_params
from training.config import ConfigError, ExperimentConfig

ENCODER_DIR = "encoder"
HEAD_FILE = "head.joblib"
SETFIT_DIR = "setfit"


def head_params(cfg: ExperimentConfig) -> dict[str, Any]:
    """The logistic-regression head both baselines put on top of the embeddings."""
    head = cfg.embedding_head
    return logistic_regression_params(head.C, head.class_weighting, cfg.training.seed)


def fit_frozen_encoder(cfg: ExperimentConfig, train: Dataset, out_dir: Path,
                       progress: bool = True) -> dict[str, float]:
    """Embed the training split with the untouched encoder, fit the head, save both."""
    import joblib
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    encoder = SentenceTransformer(resolve_base_model(cfg.model.base), device="cpu")
    encoder.max_seq_length = cfg.model.max_length
    embeddings = encoder.encode(list(train["text"]), batch_size=cfg.training.eval_batch_size,
                                show_progress_bar=progress)
    head = LogisticRegression(**head_params(cfg)).fit(embeddings, train["label_id"])
    out_dir.mkdir(parents=True, exist_ok=True)
    encoder.save(str(out_dir / ENCODER_DIR))
    joblib.dump(head, out_dir / HEAD_FILE)
    return {"embedding_dim": float(embeddings.shape[1])}


def fit_setfit(cfg: ExperimentConfig, train: Dataset, out_dir: Path,
               progress: bool = True) -> dict[str, float]:
    """Contrastive SetFit training of the encoder on sentence pairs, then the head."""
    try:
        from setfit import SetFitModel, Trainer, TrainingArguments
    except ImportError as err:
        hint = "pip install 'warlens[setfit]'"
        raise ConfigError(f"model.kind 'setfit' needs the setfit package: {hint}") from err

    options = cfg.setfit
    model = SetFitModel.from_pretrained(resolve_base_model(cfg.model.base), head_params=head_params(cfg))
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
    trainer = Trainer(model=model, args=args, train_dataset=pairs)
    try:
        trainer.train()
    finally:
        shutil.rmtree(checkpoints, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir / SETFIT_DIR))
    return {"setfit_pairs": float(options.num_iterations * 2 * len(train))}
