"""The stored-model contract: a directory holding the model files and `warlens.json`.

Training writes it, everything else reads it; this module is the only place that knows the
file's name and shape. A reference is a directory or a BentoML model-store tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

METADATA_FILE = "warlens.json"
DEFAULT_MODEL = "warlens-classifier:latest"
TRAIN_HINT = "train one with `warlens train --config configs/minilm.yaml`"


class ModelNotFound(LookupError):
    """No usable warlens model under the given reference."""


class ModelMetadata(BaseModel):
    """What `warlens.json` records about a stored model.

    Unknown keys are kept, so a model written by a newer warlens still loads.
    """

    model_config = ConfigDict(extra="allow")

    kind: str = Field("transformer", description="Model kind: transformer, tfidf, frozen-encoder, setfit.")
    labels: list[str] = Field(min_length=2, description="Labels in the model's output order.")
    experiment: str | None = Field(None, description="Config name that trained it.")
    base_model: str | None = Field(None, description="Encoder it was built on.")
    max_length: int = Field(128, ge=1, description="Tokens kept per sentence (with its context).")
    context_words: int | None = Field(None, ge=1, description="Words of each neighbour the model reads "
                                                              "as context (none: the sentence alone).")
    temperature: float | None = Field(None, gt=0, description="Softmax temperature fitted on validation "
                                                              "(none: not calibrated, 1 applies).")
    calibration: dict[str, float] | None = Field(None, description="Temperature fit: before/after ECE.")
    teacher: str | None = Field(None, description="The stored model a distilled student learned from.")
    data_hash: str | None = None
    git_commit: str | None = None
    mlflow_run_id: str | None = None
    config: dict[str, Any] = Field(default_factory=dict, description="The resolved experiment config.")
    metrics: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Per split: n, F1, ...")
    wall_time_s: float | None = None

    def summary(self) -> dict[str, Any]:
        """The short form the model store lists: identity and headline metrics only."""
        fields = self.model_dump(include={"kind", "labels", "base_model", "experiment", "data_hash",
                                          "git_commit"}, exclude_none=True)
        fields["metrics"] = {split: {k: values[k] for k in ("macro_f1", "accuracy", "ece")}
                             for split, values in self.metrics.items()}
        return fields


@dataclass(frozen=True)
class ModelArtifact:
    directory: Path
    tag: str
    metadata: ModelMetadata

    @property
    def labels(self) -> list[str]:
        return list(self.metadata.labels)


def read_metadata(directory: Path) -> ModelMetadata:
    file = directory / METADATA_FILE
    if not file.is_file():
        raise ModelNotFound(f"{directory}: not a warlens model (no {METADATA_FILE})")
    try:
        return ModelMetadata.model_validate_json(file.read_text(encoding="utf-8"))
    except ValidationError as err:
        raise ModelNotFound(f"{file}: invalid model metadata ({err.errors()[0]['msg']})") from None


def write_metadata(directory: Path, metadata: ModelMetadata) -> Path:
    file = directory / METADATA_FILE
    file.write_text(metadata.model_dump_json(indent=2, exclude_none=True), encoding="utf-8")
    return file


def open_artifact(ref: str = DEFAULT_MODEL) -> ModelArtifact:
    """Resolve a model directory or a model-store tag to its files and metadata."""
    path = Path(ref)
    if path.is_dir():
        return ModelArtifact(path, str(path), read_metadata(path))
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        model = bentoml.models.get(ref)
    except (NotFound, ValueError) as err:
        raise ModelNotFound(f"model {ref!r} is neither a directory nor in the model store ({err}); "
                            f"{TRAIN_HINT}") from None
    directory = Path(model.path)
    return ModelArtifact(directory, str(model.tag), read_metadata(directory))
