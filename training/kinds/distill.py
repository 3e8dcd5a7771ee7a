"""A student that learns a stored teacher's logits as well as the gold labels.

Knowledge distillation (Hinton et al. 2015): the loss is ``alpha`` times the KL divergence
between teacher and student distributions softened by a temperature (times T², so its
gradients keep their scale) plus ``1 - alpha`` times the cross-entropy with the gold label.
The student is an ordinary transformer classifier, optionally cut to fewer encoder layers; it
is stored with kind ``transformer`` (and its teacher in warlens.json), so the predictor, the
int8 graph build and the service take it as they take any fine-tuned model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset

from inference.artifact import open_artifact
from inference.predictor import Predictor
from training.base_models import resolve_base_model
from training.kinds.base import FitResult, MetricsSink
from training.kinds.transformer import TransformerKind, fine_tune, new_classifier

UNLABELLED = -1


def kept_layers(total: int, keep: int, selection: str) -> list[int]:
    """Encoder layers a student keeps: ``6, 3, "bottom"`` -> ``[0, 1, 2]``, ``6, 3, "alternate"``
    -> ``[0, 2, 4]``."""
    if not 1 <= keep <= total:
        raise ValueError(f"distill.layers must be between 1 and {total} for this encoder, not {keep}")
    if selection == "bottom":
        return list(range(keep))
    return sorted({round(i * total / keep) for i in range(keep)})


def cut_layers(model: Any, keep: list[int]) -> Any:
    """Keep only the encoder layers ``keep`` of a BERT-style classifier, in place."""
    import torch

    encoder = model.base_model.encoder
    encoder.layer = torch.nn.ModuleList(encoder.layer[i] for i in keep)
    model.config.num_hidden_layers = len(keep)
    return model


def distillation_loss(temperature: float, alpha: float):
    """Loss over packed targets: column 0 the gold label id (-1 for an unlabelled sentence), the
    rest the teacher's logits. Evaluation passes plain label ids and gets cross-entropy."""
    import torch
    import torch.nn.functional as F

    def compute_loss(outputs, targets, num_items_in_batch=None):
        logits = outputs.logits
        if targets.dim() == 1:
            return F.cross_entropy(logits, targets)
        gold, teacher = targets[:, 0].long(), targets[:, 1:].to(logits.dtype)
        soft = F.kl_div(F.log_softmax(logits / temperature, dim=-1), F.softmax(teacher / temperature, dim=-1),
                        reduction="batchmean") * temperature**2
        labelled = gold != UNLABELLED
        hard = F.cross_entropy(logits[labelled], gold[labelled]) if labelled.any() else torch.zeros(())
        return alpha * soft + (1 - alpha) * hard

    return compute_loss


def unlabelled_texts(paths: list[Path]) -> list[str]:
    """The ``text`` of every row of the given JSON Lines files."""
    texts = []
    for path in paths:
        with Path(path).open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    return texts


def with_teacher_targets(train: Dataset, extra: list[str], teacher_logits: np.ndarray) -> Dataset:
    """The training rows plus the unlabelled sentences, each with packed targets in ``label_id``."""
    gold = [*train["label_id"], *([UNLABELLED] * len(extra))]
    targets = [[float(g), *map(float, row)] for g, row in zip(gold, teacher_logits, strict=True)]
    return Dataset.from_dict({"text": [*train["text"], *extra], "label_id": targets})


class DistillKind(TransformerKind):
    name = "distill"
    store_name = "warlens-student"
    stored_kind = "transformer"

    def base_model(self, cfg) -> str:
        return cfg.distill.teacher if cfg.distill.init == "teacher" else cfg.model.base

    def fit(self, cfg, splits, out_dir: Path, sink: MetricsSink, progress: bool) -> FitResult:
        """Score the training sentences (and the unlabelled ones) with the teacher, then train
        the student on the packed targets; calibration and evaluation as for any transformer."""
        options, train = cfg.distill, splits["train"]
        teacher = open_artifact(options.teacher)
        if teacher.labels != list(cfg.labels):
            raise ValueError(f"teacher {teacher.tag} has labels {teacher.labels}, the config {cfg.labels}")
        extra = unlabelled_texts(options.unlabelled)
        scorer = Predictor(teacher, "torch", threads=cfg.training.threads, batch_size=64)
        teacher_logits = scorer.logits([*train["text"], *extra])
        base = str(teacher.directory) if options.init == "teacher" else resolve_base_model(cfg.model.base)
        student = new_classifier(base, list(cfg.labels))
        if options.layers:
            cut_layers(student, kept_layers(student.config.num_hidden_layers, options.layers,
                                            options.layer_selection))
        targets = with_teacher_targets(train, extra, teacher_logits)
        model, summary = fine_tune(cfg, targets, splits["validation"], out_dir, sink, progress, base=base,
                                   model=student,
                                   loss=distillation_loss(options.temperature, options.alpha))
        fitted = self.finish(cfg, splits, out_dir, model, summary | {
            "student_layers": float(model.config.num_hidden_layers), "unlabelled": float(len(extra))})
        fitted.metadata["teacher"] = teacher.tag
        return fitted


KIND = DistillKind()
