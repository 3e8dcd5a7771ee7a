"""`train(cfg) -> TrainResult`: fit, evaluate on validation and test, track, store."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datasets import Dataset

from inference.artifact import ModelMetadata
from training.config import ExperimentConfig, flatten
from training.data import content_hash, data_passes, load_labelled, with_context
from training.evaluate import evaluate_texts, write_artifacts
from training.kinds import Classifier, get_kind
from training.store import store_model
from training.tracking import tracking_uri, use_experiment

EVAL_SPLITS = ("validation", "test")
HEADLINE_METRICS = ("macro_f1", "accuracy", "ece")


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
    if cfg.model.context_words:  # before any sampling, so every row keeps its real neighbours
        splits = {name: with_context(split, cfg.model.context_words,
                                     cfg.training.context_dropout if name == "train" else 0.0, seed)
                  for name, split in splits.items()}
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


def evaluate_splits(classifier: Classifier, splits: dict[str, Dataset], labels: list[str],
                    workdir: Path, scored: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Report on validation and test, log each report's numbers and artifacts to the run;
    ``scored`` holds probability matrices of splits the fit already computed."""
    import mlflow

    reports = {}
    for name in EVAL_SPLITS:
        split = splits[name]
        report, probabilities = evaluate_texts(classifier, split["text"], split["label_id"], labels,
                                               split["context"] if "context" in split.column_names else None,
                                               (scored or {}).get(name))
        out_dir = workdir / "evaluation" / name
        write_artifacts(report, split["text"], split["label_id"], probabilities, out_dir)
        mlflow.log_artifacts(str(out_dir), artifact_path=f"evaluation/{name}")
        prefix = "val" if name == "validation" else name
        mlflow.log_metrics({f"{prefix}_{k}": report[k] for k in HEADLINE_METRICS})
        mlflow.log_metrics({f"{prefix}_f1_{label}": v["f1"] for label, v in report["per_label"].items()})
        reports[name] = report
    return reports


def start_run_logging(cfg: ExperimentConfig, splits: dict[str, Dataset], data_hash: str, commit: str) -> None:
    """Record the resolved config, data identity and split sizes on the active run."""
    import mlflow

    resolved = cfg.model_dump(mode="json")
    mlflow.log_params({k: json.dumps(v) if isinstance(v, list) else v for k, v in flatten(resolved).items()})
    mlflow.log_dict(resolved, "config.json")
    passes = data_passes(cfg.data.passes)
    mlflow.set_tags({"data_hash": data_hash, "git_commit": commit, "kind": cfg.model.kind,
                     "data_passes": ", ".join(Path(path).stem for path in passes)})
    mlflow.log_dict(passes, "data_passes.json")
    mlflow.log_metrics({f"n_{name}": len(split) for name, split in splits.items()})


def train(cfg: ExperimentConfig, progress: bool = True, tracking: str | None = None) -> TrainResult:
    """Run one experiment end to end and return its run id, model tag and reports.

    ``tracking`` is the MLflow URI from the environment; the config's own URI wins over it.
    """
    import mlflow

    started = time.perf_counter()
    kind = get_kind(cfg.model.kind)
    splits = load_splits(cfg)
    data_hash = content_hash([cfg.data.train, cfg.data.validation, cfg.data.test])
    commit = git_commit()
    use_experiment(tracking_uri(cfg.tracking.uri or tracking), cfg.tracking.experiment)
    with mlflow.start_run(run_name=cfg.name) as run, tempfile.TemporaryDirectory() as tmp:
        start_run_logging(cfg, splits, data_hash, commit)
        staging = Path(tmp) / "model"

        def sink(metrics: dict[str, float], step: int) -> None:
            mlflow.log_metrics(metrics, step=step)

        fitted = kind.fit(cfg, splits, staging, sink, progress)
        mlflow.log_metrics(fitted.summary)
        reports = evaluate_splits(fitted.classifier, splits, cfg.labels, Path(tmp), fitted.scored)
        wall_time = time.perf_counter() - started
        metadata = ModelMetadata(
            kind=kind.stored_kind or cfg.model.kind, experiment=cfg.name, labels=cfg.labels,
            base_model=kind.base_model(cfg),
            max_length=cfg.model.max_length, context_words=cfg.model.context_words, data_hash=data_hash,
            git_commit=commit,
            mlflow_run_id=run.info.run_id, config=cfg.model_dump(mode="json"),
            metrics={name: {k: r[k] for k in ("n", *HEADLINE_METRICS, "per_label")}
                     for name, r in reports.items()},
            wall_time_s=round(wall_time, 1), **fitted.metadata,
        )
        store_name = cfg.model.store_name or kind.store_name
        tag = store_model(store_name, staging, metadata, labels={"experiment": cfg.name, "kind": kind.name})
        mlflow.set_tag("model_tag", tag)
        mlflow.log_metric("wall_time_s", wall_time)
    return TrainResult(run.info.run_id, tag, reports, wall_time)
