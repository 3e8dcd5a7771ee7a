"""Fine-tune a sequence-classification head on the base encoder with the HF Trainer."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from datasets import Dataset

from training.base_models import resolve_base_model
from training.config import ExperimentConfig

MetricsSink = Callable[[dict[str, float], int], None]
MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids", "labels")


def class_weights(label_ids: list[int], n_labels: int) -> np.ndarray:
    """Inverse-frequency weights with mean 1 over present labels: ``[0, 0, 1]`` -> ``[0.75, 1.5]``."""
    counts = np.bincount(label_ids, minlength=n_labels).astype(float)
    weights = np.where(counts > 0, counts.sum() / (n_labels * np.maximum(counts, 1)), 0.0)
    return weights


def fine_tune(
    cfg: ExperimentConfig,
    train: Dataset,
    validation: Dataset,
    out_dir: Path,
    on_metrics: MetricsSink,
    progress: bool = True,
) -> dict[str, float]:
    """Train, keep the best epoch by validation macro-F1, save model and tokenizer to ``out_dir``."""
    import torch
    from sklearn.metrics import f1_score
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        EarlyStoppingCallback,
        Trainer,
        TrainerCallback,
        TrainingArguments,
        set_seed,
    )

    set_seed(cfg.training.seed)
    if cfg.training.threads:
        torch.set_num_threads(cfg.training.threads)
    base = resolve_base_model(cfg.model.base)
    labels = cfg.labels
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )

    def tokenize(dataset: Dataset) -> Dataset:
        encoded = dataset.map(
            lambda batch: tokenizer(batch["text"], truncation=True, max_length=cfg.model.max_length),
            batched=True,
            keep_in_memory=True,
        ).rename_column("label_id", "labels")
        return encoded.select_columns([c for c in MODEL_INPUTS if c in encoded.column_names])

    weights = None
    if cfg.training.class_weighting == "balanced":
        weights = torch.tensor(class_weights(train["label_id"], len(labels)), dtype=torch.float32)
    loss_function = torch.nn.CrossEntropyLoss(
        weight=weights, label_smoothing=cfg.optimizer.label_smoothing
    )

    def compute_loss(outputs, targets, num_items_in_batch=None):
        return loss_function(outputs.logits, targets)

    def compute_metrics(prediction) -> dict[str, float]:
        predicted = prediction.predictions.argmax(axis=-1)
        gold = prediction.label_ids
        return {
            "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
            "accuracy": float((predicted == gold).mean()),
        }

    class ForwardMetrics(TrainerCallback):
        """Hands each epoch's train and validation numbers to the experiment tracker."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = logs or {}
            renamed = {}
            for key, value in logs.items():
                if key.startswith("eval_") and isinstance(value, int | float):
                    renamed["epoch_val_" + key.removeprefix("eval_")] = float(value)
                elif key in ("loss", "grad_norm", "learning_rate"):
                    renamed["train_" + key] = float(value)
            if renamed:
                on_metrics(renamed, state.global_step)

    with tempfile.TemporaryDirectory(prefix="warlens-checkpoints-") as checkpoints:
        args = TrainingArguments(
            output_dir=checkpoints,
            num_train_epochs=cfg.training.epochs,
            max_steps=cfg.training.max_steps or -1,
            per_device_train_batch_size=cfg.training.batch_size,
            per_device_eval_batch_size=cfg.training.eval_batch_size,
            learning_rate=cfg.optimizer.learning_rate,
            weight_decay=cfg.optimizer.weight_decay,
            warmup_steps=cfg.optimizer.warmup_ratio,
            lr_scheduler_type=cfg.optimizer.scheduler,
            max_grad_norm=cfg.optimizer.max_grad_norm,
            seed=cfg.training.seed,
            data_seed=cfg.training.seed,
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
        callbacks = [ForwardMetrics()]
        if cfg.training.early_stopping_patience:
            callbacks.append(EarlyStoppingCallback(cfg.training.early_stopping_patience))
        trainer = Trainer(
            model=model,
            args=args,
            train_dataset=tokenize(train),
            eval_dataset=tokenize(validation),
            processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer),
            compute_loss_func=compute_loss,
            compute_metrics=compute_metrics,
            callbacks=callbacks,
        )
        outcome = trainer.train()
        trainer.save_model(str(out_dir))
    return {
        "epochs_run": float(trainer.state.epoch or 0),
        "steps": float(outcome.global_step),
        "best_val_macro_f1": float(trainer.state.best_metric or 0.0),
    }
