"""Typed experiment configs: validated once at load, so the rest of the code can trust them.

A config file is one experiment. It may start with ``extends: other.yaml`` to hold only the
fields that differ from a base file; ``--set key.sub=value`` overrides any field afterwards.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


class ConfigError(ValueError):
    """A config that cannot be used; the message is one line naming the file and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Strict):
    train: Path = Field(description="Training split, JSON Lines or CSV with text and label.")
    validation: Path = Field(description="Validation split: early stopping and model selection.")
    test: Path = Field(description="Test split: reported, never used for selection.")
    text_field: str = Field("text", description="Column holding the sentence.")
    label_field: str = Field("label", description="Column holding the gold label name.")
    max_train_examples: int | None = Field(
        None, ge=1, description="Keep only the first N training rows (smoke tests, learning curves)."
    )
    max_eval_examples: int | None = Field(
        None, ge=1, description="Keep only the first N validation and test rows."
    )
    train_fraction: float = Field(
        1.0, gt=0, le=1, description="Random, stratified share of the training split to keep."
    )
    passes: list[Path] = Field(
        [Path("data/changes"), Path("data/reviewed")],
        description="Folders of the relabel, reshape and review passes the splits were built with; "
        "each run records their files and hashes.",
    )

    @field_validator("train", "validation", "test")
    @classmethod
    def _exists(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"file not found: {path}")
        return path


class ModelConfig(_Strict):
    kind: Literal["transformer", "distill", "tfidf", "frozen-encoder", "setfit"] = Field(
        "transformer",
        description="Fine-tuned transformer (the product), a transformer distilled from a stored "
        "teacher, or a baseline: TF-IDF + logistic regression, frozen-encoder embeddings + "
        "logistic regression, or SetFit.",
    )
    base: str = Field(
        "all-MiniLM-L6-v2",
        description="Alias of an offline packaged model, a local directory, or a hub id (online only).",
    )
    max_length: int = Field(128, ge=8, le=512, description="Tokens kept per sentence (with its context).")
    context_words: int | None = Field(
        None, ge=1, le=64,
        description="Read each sentence with this many words of each neighbour (the end of the "
        "previous unit, the start of the next) as a second segment; none: the sentence alone.",
    )
    store_name: str | None = Field(
        None, description="Model-store name; default warlens-classifier or warlens-baseline by kind."
    )


class OptimizerConfig(_Strict):
    learning_rate: float = Field(5e-5, gt=0, description="Peak AdamW learning rate.")
    weight_decay: float = Field(0.01, ge=0, description="AdamW decoupled weight decay.")
    warmup_ratio: float = Field(0.1, ge=0, lt=1, description="Share of steps spent warming up.")
    scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup"] = "linear"
    label_smoothing: float = Field(0.0, ge=0, lt=1, description="Cross-entropy label smoothing.")
    max_grad_norm: float = Field(1.0, gt=0, description="Gradient clipping norm.")


class TrainingConfig(_Strict):
    epochs: float = Field(4, gt=0, description="Upper bound on passes over the training split.")
    max_steps: int | None = Field(None, ge=1, description="Stop after N optimiser steps (smoke).")
    batch_size: int = Field(32, ge=1, le=1024)
    eval_batch_size: int = Field(64, ge=1, le=4096)
    seed: int = Field(42, description="Seeds data order, head initialisation and dropout.")
    early_stopping_patience: int | None = Field(
        2, ge=1, description="Epochs without a better validation macro-F1 before stopping."
    )
    class_weighting: Literal["none", "balanced"] = Field(
        "none", description="Weight the loss inversely to label frequency."
    )
    threads: int | None = Field(None, ge=1, description="Torch CPU threads; default all cores.")
    context_dropout: float = Field(
        0.25, ge=0, le=1,
        description="With context on: share of training sentences shown without it, so the model "
        "also reads a lone sentence (`/classify` without context).",
    )
    calibrate: bool = Field(
        True, description="Fit a softmax temperature on validation; kept when it lowers ECE."
    )


class TfidfConfig(_Strict):
    ngram_max: int = Field(2, ge=1, le=4, description="Word n-grams from 1 to this.")
    min_df: int = Field(1, ge=1, description="Ignore terms in fewer documents than this.")
    sublinear_tf: bool = True
    C: float = Field(10.0, gt=0, description="Inverse regularisation strength.")
    class_weighting: Literal["none", "balanced"] = "none"


class EmbeddingHeadConfig(_Strict):
    """The logistic-regression head of the frozen-encoder and SetFit baselines."""

    C: float = Field(1.0, gt=0, description="Inverse regularisation strength.")
    class_weighting: Literal["none", "balanced"] = "none"


class SetFitConfig(_Strict):
    num_iterations: int = Field(
        1, ge=1, description="Contrastive pairs drawn per training sentence and side (SetFit's R)."
    )
    epochs: int = Field(1, ge=1, description="Passes over the sentence pairs.")
    batch_size: int = Field(32, ge=2, description="Pairs per contrastive step.")
    body_learning_rate: float = Field(2e-5, gt=0, description="Learning rate of the encoder.")
    max_steps: int | None = Field(None, ge=1, description="Stop contrastive training after N steps.")


class DistillConfig(_Strict):
    """A student trained to match a stored teacher's logits (and the gold labels)."""

    teacher: str = Field("warlens-teacher:latest",
                         description="Model-store tag or directory of the teacher.")
    temperature: float = Field(2.0, gt=0, description="Softens both sides of the KL term.")
    alpha: float = Field(0.5, ge=0, le=1, description="Weight of the KL term; 1 - alpha weighs gold.")
    init: Literal["base", "teacher"] = Field(
        "base", description="Start the student from model.base, or from the teacher's own weights "
        "(same architecture only).")
    layers: int | None = Field(None, ge=1, description="Keep this many encoder layers; none: all.")
    layer_selection: Literal["bottom", "alternate"] = Field(
        "bottom", description="Which layers to keep: the lowest ones, or spread evenly from the bottom.")
    unlabelled: list[Path] = Field(
        default_factory=list,
        description="JSON Lines files of extra sentences (a `text` field) the student learns from the "
        "teacher alone.")


class TrackingConfig(_Strict):
    experiment: str = Field("warlens", description="MLflow experiment name.")
    uri: str | None = Field(
        None, description="Tracking URI; default $MLFLOW_TRACKING_URI, else ./mlruns."
    )


class ExperimentConfig(_Strict):
    name: str = Field(description="Short experiment name, recorded with the run and the model.")
    description: str = ""
    labels: list[str] = Field(default_factory=lambda: list(DEFAULT_LABELS), min_length=2)
    data: DataConfig
    model: ModelConfig = Field(default_factory=ModelConfig)
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    tfidf: TfidfConfig = Field(default_factory=TfidfConfig)
    embedding_head: EmbeddingHeadConfig = Field(default_factory=EmbeddingHeadConfig)
    setfit: SetFitConfig = Field(default_factory=SetFitConfig)
    distill: DistillConfig = Field(default_factory=DistillConfig)
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)

    @field_validator("labels")
    @classmethod
    def _unique(cls, labels: list[str]) -> list[str]:
        if len(set(labels)) != len(labels):
            raise ValueError(f"labels must be unique, got {labels}")
        return labels

    @model_validator(mode="after")
    def _context_needs_a_transformer(self) -> ExperimentConfig:
        if self.model.context_words and self.model.kind != "transformer":
            raise ValueError(f"model.context_words: only a transformer reads context, not {self.model.kind}")
        return self


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``key.sub=value`` into a key path and a YAML-typed value.

    ``"training.epochs=3"`` -> ``(["training", "epochs"], 3)``.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: expected key.sub=value")
    return key.strip().split("."), yaml.safe_load(raw) if raw.strip() else ""


def apply_override(tree: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """Return a copy of ``tree`` with ``value`` set at ``path``, creating levels as needed."""
    out = dict(tree)
    head, *rest = path
    if rest:
        child = out.get(head)
        out[head] = apply_override(child if isinstance(child, dict) else {}, rest, value)
    else:
        out[head] = value
    return out


def deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Merge ``update`` into ``base`` recursively; ``update`` wins on conflicts."""
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_yaml(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    if path.resolve() in seen:
        raise ConfigError(f"{path}: 'extends' loops back to itself")
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{where} invalid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(tree, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    parent = tree.pop("extends", None)
    if parent is None:
        return tree
    return deep_merge(_read_yaml(path.parent / str(parent), (*seen, path.resolve())), tree)


def _known_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        keys.append(prefix + name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_known_keys(annotation, f"{prefix}{name}."))
    return keys


def _describe(error: dict[str, Any]) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, _known_keys(ExperimentConfig), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"unknown key '{key}'{hint}"
    if error["type"] == "missing":
        return f"missing key '{key}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"'{key}': {message} (got {error.get('input')!r})"


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> ExperimentConfig:
    """Read, merge, override and validate an experiment config, or raise one-line ConfigError."""
    path = Path(path)
    tree = _read_yaml(path)
    for text in overrides:
        key_path, value = parse_override(text)
        tree = apply_override(tree, key_path, value)
    try:
        return ExperimentConfig.model_validate(tree)
    except ValidationError as err:
        details = "; ".join(_describe(e) for e in err.errors())
        raise ConfigError(f"{path}: {details}") from None


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to dotted keys: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
