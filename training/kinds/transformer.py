"""The product: fine-tune a sequence-classification head on the base encoder with the HF Trainer,
then fit a softmax temperature on validation. Stored models are served by `inference.Predictor`,
and training evaluates the model it holds through that same predictor (torch backend)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset
from transformers import TrainerCallback

from inference.artifact import ModelArtifact, ModelMetadata
from inference.labels import softmax
from inference.predictor import DEFAULT_BACKEND, Predictor
from training.base_models import resolve_base_model
from training.calibration import calibrate
from training.config import ExperimentConfig
from training.kinds.base import FitResult, MetricsSink, ModelKind

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids", "labels")


def class_weights(label_ids: list[int], n_labels: int) -> np.ndarray:
    """Inverse-frequency weights with mean 1 over present labels: ``[0, 0, 1]`` -> ``[0.75, 1.5]``."""
    counts = np.bincount(label_ids, minlength=n_labels).astype(float)
    return np.where(counts > 0, counts.sum() / (n_labels * np.maximum(counts, 1)), 0.0)


class ForwardMetrics(TrainerCallback):
    """Hands each epoch's train and validation numbers to the experiment tracker."""

    def __init__(self, sink: MetricsSink) -> None:
        self.sink = sink

    def on_log(self, args, state, control, logs=None, **kwargs):
        renamed = {}
        for key, value in (logs or {}).items():
            if key.startswith("eval_") and isinstance(value, int | float):
                renamed["epoch_val_" + key.removeprefix("eval_")] = float(value)
            elif key in ("loss", "grad_norm", "learning_rate"):
                renamed["train_" + key] = float(value)
        if renamed:
            self.sink(renamed, state.global_step)


def compute_metrics(prediction) -> dict[str, float]:
    """Validation macro-F1 (the model-selection metric) and accuracy of one evaluation pass."""
    from sklearn.metrics import f1_score

    predicted = prediction.predictions.argmax(axis=-1)
    gold = prediction.label_ids
    return {
        "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
        "accuracy": float((predicted == gold).mean()),
    }


def loss_function(cfg: ExperimentConfig, train: Dataset):
    """Cross-entropy with the config's label smoothing and optional inverse-frequency weights."""
    import torch

    weights = None
    if cfg.training.class_weighting == "balanced":
        weights = torch.tensor(class_weights(train["label_id"], len(cfg.labels)), dtype=torch.float32)
    criterion = torch.nn.CrossEntropyLoss(weight=weights, label_smoothing=cfg.optimizer.label_smoothing)

    def compute_loss(outputs, targets, num_items_in_batch=None):
        return criterion(outputs.logits, targets)

    return compute_loss


def training_arguments(cfg: ExperimentConfig, checkpoints: str, progress: bool):
    """Trainer arguments: one evaluation per epoch, the best epoch by validation macro-F1 kept."""
    from transformers import TrainingArguments

    training, optimizer = cfg.training, cfg.optimizer
    return TrainingArguments(
        output_dir=checkpoints,
        num_train_epochs=training.epochs,
        max_steps=training.max_steps or -1,
        per_device_train_batch_size=training.batch_size,
        per_device_eval_batch_size=training.eval_batch_size,
        learning_rate=optimizer.learning_rate,
        weight_decay=optimizer.weight_decay,
        warmup_steps=optimizer.warmup_ratio,
        lr_scheduler_type=optimizer.scheduler,
        max_grad_norm=optimizer.max_grad_norm,
        seed=training.seed,
        data_seed=training.seed,
        eval_strategy="epoch",
        save_strategy="epoch",
        logging_strategy="epoch",
        load_best_model_at_end=True,
        metric_for_best_model="macro_f1",
        greater_is_better=True,
        save_total_limit=1,
        save_only_model=True,
        train_sampling_strategy="group_by_length",
        report_to="none",
        disable_tqdm=not progress,
        use_cpu=True,
        dataloader_num_workers=0,
    )


def tokenize(dataset: Dataset, tokenizer: Any, max_length: int) -> Dataset:
    """Model inputs of a split: the sentence alone, or with its ``context`` as second segment."""
    with_context = "context" in dataset.column_names

    def encode(batch):
        second = (batch["context"],) if with_context else ()
        return tokenizer(batch["text"], *second, truncation=True, max_length=max_length)

    encoded = dataset.map(
        encode,
        batched=True,
        keep_in_memory=True,
    ).rename_column("label_id", "labels")
    return encoded.select_columns([c for c in MODEL_INPUTS if c in encoded.column_names])


def new_classifier(base: str, labels: list[str]) -> Any:
    """A sequence classifier on ``base`` with a fresh head for ``labels``."""
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(labels), id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )


def fine_tune(cfg: ExperimentConfig, train: Dataset, validation: Dataset, out_dir: Path,
              sink: MetricsSink, progress: bool = True, *, base: str | None = None, model: Any = None,
              loss: Any = None) -> tuple[Any, dict[str, float]]:
    """Train, keep the best epoch by validation macro-F1, save model and tokenizer to ``out_dir``;
    returns the model (best weights loaded) and a summary of the run.

    Distillation reuses it: ``base`` (where the tokenizer comes from; default the config's),
    ``model`` (default a fresh head on it) and ``loss`` (default the config's cross-entropy),
    with training targets that `tokenize` passes through as they are."""
    import torch
    from transformers import (
        AutoTokenizer,
        DataCollatorWithPadding,
        EarlyStoppingCallback,
        Trainer,
        set_seed,
    )

    set_seed(cfg.training.seed)
    if cfg.training.threads:
        torch.set_num_threads(cfg.training.threads)
    base = base or resolve_base_model(cfg.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = model if model is not None else new_classifier(base, cfg.labels)
    callbacks: list[TrainerCallback] = [ForwardMetrics(sink)]
    if cfg.training.early_stopping_patience:
        callbacks.append(EarlyStoppingCallback(cfg.training.early_stopping_patience))
    with tempfile.TemporaryDirectory(prefix="warlens-checkpoints-") as checkpoints:
        trainer = Trainer(
            model=model,
            args=training_arguments(cfg, checkpoints, progress),
            train_dataset=tokenize(train, tokenizer, cfg.model.max_length),
            eval_dataset=tokenize(validation, tokenizer, cfg.model.max_length),
            processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer),
            compute_loss_func=loss or loss_function(cfg, train),
            compute_metrics=compute_metrics,
            callbacks=callbacks,
        )
        outcome = trainer.train()
        trainer.save_model(str(out_dir))
    return trainer.model, {
        "epochs_run": float(trainer.state.epoch or 0),
        "steps": float(outcome.global_step),
        "best_val_macro_f1": float(trainer.state.best_metric or 0.0),
    }


class TransformerKind(ModelKind):
    name = "transformer"
    store_name = "warlens-classifier"

    def fit(self, cfg, splits, out_dir: Path, sink: MetricsSink, progress: bool) -> FitResult:
        """Fine-tune, then (if the config asks) fit the temperature on validation logits; the
        returned classifier is the torch predictor over the model in memory."""
        model, summary = fine_tune(cfg, splits["train"], splits["validation"], out_dir, sink, progress)
        return self.finish(cfg, splits, out_dir, model, summary)

    def finish(self, cfg, splits, out_dir: Path, model: Any, summary: dict[str, float]) -> FitResult:
        """The fitted model as a torch predictor, its temperature fitted on validation if asked."""
        metadata = ModelMetadata(kind="transformer", labels=cfg.labels, max_length=cfg.model.max_length,
                                 context_words=cfg.model.context_words)
        artifact = ModelArtifact(out_dir, str(out_dir), metadata)
        predictor = Predictor(artifact, "torch", threads=cfg.training.threads, torch_model=model)
        if not cfg.training.calibrate:
            return FitResult(predictor, summary)
        validation = splits["validation"]
        contexts = validation["context"] if "context" in validation.column_names else None
        logits = predictor.logits(validation["text"], contexts)
        result = calibrate(logits, np.asarray(validation["label_id"]))
        predictor.temperature = result["temperature"]
        extra = {"temperature": result["temperature"], "calibration": result}
        return FitResult(predictor, summary | {k: float(v) for k, v in result.items()}, extra,
                         scored={"validation": softmax(logits, result["temperature"])})

    def load(self, artifact: ModelArtifact, backend: str | None = None) -> Predictor:
        return Predictor(artifact, backend or DEFAULT_BACKEND)


KIND = TransformerKind()
