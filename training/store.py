"""Save a trained model into the BentoML model store, with its `warlens.json` written once."""

from __future__ import annotations

import shutil
from pathlib import Path

from inference.artifact import ModelMetadata, write_metadata


def store_model(name: str, staging: Path, metadata: ModelMetadata, labels: dict[str, str]) -> str:
    """Copy the model files from ``staging`` into a new store entry, add `warlens.json`;
    returns the tag. The store lists the metadata's summary (kind, labels, headline metrics)."""
    import bentoml

    with bentoml.models.create(name, labels=labels, metadata=metadata.summary()) as model:
        directory = Path(model.path)
        shutil.copytree(staging, directory, dirs_exist_ok=True)
        write_metadata(directory, metadata)
    return str(model.tag)
