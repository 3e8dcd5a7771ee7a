"""`train(cfg) -> TrainResult`: fit, evaluate on validation and test, track, store."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from datasets import Dataset

from training.classifiers import load_classifier
from training.config import ExperimentConfig, flatten
from training.data import content_hash, load_labelled
from training.evaluate import evaluate_texts, write_artifacts
from training.store import METADATA_FILE, store_model
from training.tracking import tracking_uri, use_experiment

EVAL_SPLITS = ("validation", "test")


@dataclass
class TrainResult:
    run_id: str
    model_tag: str
    reports: dict[str, dict[str, Any]]
    wall_time_s: float


def git_commit() -> str:
    """The commit the code runs from, with ``-dirty`` when the tree has changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def load_splits(cfg: ExperimentConfig) -> dict[str, Dataset]:
    """Load the three splits, shrunk as the config asks (shuffled with the seed first)."""
    data, seed = cfg.data, cfg.training.seed
    splits = {
        name: load_labelled(getattr(data, name), cfg.labels, data.text_field, data.label_field)
        for name in ("train", "validation", "test")
    }
    if data.train_fraction < 1.0:
        from sklearn.model_selection import train_test_split

        keep, _ = train_test_split(
            list(range(len(splits["train"]))),
            train_size=data.train_fraction,
            random_state=seed,
            stratify=splits["train"]["label_id"],
        )
        splits["train"] = splits["train"].select(sorted(keep))
    limits = {"train": data.max_train_examples}
    limits.update(dict.fromkeys(EVAL_SPLITS, data.max_eval_examples))
    for name, limit in limits.items():
        if limit is not None and limit < len(splits[name]):
            splits[name] = splits[name].shuffle(seed=seed).select(range(limit))
    return splits


def fit_calibration(staging: Path, metadata: dict[str, Any], validation: Dataset) -> dict[str, Any]:
    """Temperature fitted on validation logits; returned as metadata entries."""
    from training.calibration import calibrate
    from training.classifiers import TransformerClassifier

    classifier = TransformerClassifier(staging, metadata, str(staging))
    result = calibrate(classifier.logits(validation["text"]), np.asarray(validation["label_id"]))
    return {"temperature": result["temperature"], "calibration": result}


def fit_model(cfg: ExperimentConfig, splits: dict[str, Dataset], out_dir: Path,
              sink: Callable[[dict[str, float], int], None], progress: bool) -> dict[str, float]:
    """Fit the model kind the config names into ``out_dir``; returns a summary of the fit."""
    kind, train_split = cfg.model.kind, splits["train"]
    if kind == "transformer":
        from training.finetune import fine_tune

        return fine_tune(cfg, train_split, splits["validation"], out_dir, sink, progress)
    if kind == "tfidf":
        from training.baseline import fit_baseline

        return fit_baseline(cfg, train_split, out_dir)
    from training.embedding_baselines import fit_frozen_encoder, fit_setfit

    fitter = fit_frozen_encoder if kind == "frozen-encoder" else fit_setfit
    return fitter(cfg, train_split, out_dir, progress)


def train(cfg: ExperimentConfig, progress: bool = True) -> TrainResult:
    """Run one experiment end to end and return its run id, model tag and reports."""
    import mlflow

    started = time.perf_counter()
    splits = load_splits(cfg)
    resolved = cfg.model_dump(mode="json")
    data_hash = content_hash([cfg.data.train, cfg.data.validation, cfg.data.test])
    commit = git_commit()
    use_experiment(tracking_uri(cfg.tracking.uri), cfg.tracking.experiment)
    with mlflow.start_run(run_name=cfg.name) as run, tempfile.TemporaryDirectory() as tmp:
        mlflow.log_params({k: json.dumps(v) if isinstance(v, list) else v
                           for k, v in flatten(resolved).items()})
        mlflow.log_dict(resolved, "config.json")
        mlflow.set_tags({"data_hash": data_hash, "git_commit": commit, "kind": cfg.model.kind})
        mlflow.log_metrics({f"n_{name}": len(split) for name, split in splits.items()})
        staging = Path(tmp) / "model"

        def sink(metrics: dict[str, float], step: int) -> None:
            mlflow.log_metrics(metrics, step=step)

        fit_summary = fit_model(cfg, splits, staging, sink, progress)
        mlflow.log_metrics(fit_summary)
        metadata: dict[str, Any] = {
            "kind": cfg.model.kind,
            "experiment": cfg.name,
            "labels": cfg.labels,
            "base_model": cfg.model.base if cfg.model.kind != "tfidf" else "tfidf-logreg",
            "max_length": cfg.model.max_length,
            "data_hash": data_hash,
            "git_commit": commit,
            "mlflow_run_id": run.info.run_id,
            "config": resolved,
        }
        if cfg.model.kind == "transformer" and cfg.training.calibrate:
            metadata.update(fit_calibration(staging, metadata, splits["validation"]))
            mlflow.log_metrics(metadata["calibration"])
        (staging / METADATA_FILE).write_text(json.dumps(metadata), encoding="utf-8")
        classifier = load_classifier(str(staging))
        reports = {}
        for name in EVAL_SPLITS:
            split = splits[name]
            report, probabilities = evaluate_texts(classifier, split["text"], split["label_id"], cfg.labels)
            report.pop("model")
            out_dir = Path(tmp) / "evaluation" / name
            write_artifacts(report, split["text"], split["label_id"], probabilities, out_dir)
            mlflow.log_artifacts(str(out_dir), artifact_path=f"evaluation/{name}")
            prefix = "val" if name == "validation" else name
            mlflow.log_metrics({f"{prefix}_{k}": report[k] for k in ("macro_f1", "accuracy", "ece")})
            mlflow.log_metrics({f"{prefix}_f1_{label}": v["f1"] for label, v in report["per_label"].items()})
            reports[name] = report
        wall_time = time.perf_counter() - started
        metadata["metrics"] = {
            name: {k: r[k] for k in ("n", "accuracy", "macro_f1", "ece", "per_label")}
            for name, r in reports.items()
        }
        metadata["wall_time_s"] = round(wall_time, 1)
        tag = store_model(
            cfg.model.resolved_store_name,
            lambda directory: shutil.copytree(staging, directory, dirs_exist_ok=True),
            metadata,
            labels={"experiment": cfg.name, "kind": cfg.model.kind},
        )
        mlflow.set_tag("model_tag", tag)
        mlflow.log_metric("wall_time_s", wall_time)
    return TrainResult(run.info.run_id, tag, reports, wall_time)
