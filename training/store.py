"""Save trained models to the BentoML model store and find them again.

Every stored model directory holds `warlens.json`: its kind, labels, base model, metrics and
provenance. Serving and batch scoring read that file; they never import training code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

METADATA_FILE = "warlens.json"
DEFAULT_MODEL_REF = "warlens-classifier:latest"


class ModelNotFoundError(LookupError):
    """Neither a model directory nor a tag in the BentoML model store."""


def store_model(
    name: str, write: Callable[[Path], None], metadata: dict[str, Any], labels: dict[str, str]
) -> str:
    """Create a store entry, let ``write`` fill its directory, add `warlens.json`; return the tag."""
    import bentoml

    summary = {
        key: metadata[key]
        for key in ("kind", "labels", "base_model", "experiment", "data_hash", "git_commit")
        if key in metadata
    }
    summary["metrics"] = {
        split: {k: metadata["metrics"][split][k] for k in ("macro_f1", "accuracy", "ece")}
        for split in metadata.get("metrics", {})
    }
    with bentoml.models.create(name, labels=labels, metadata=summary) as model:
        directory = Path(model.path)
        write(directory)
        (directory / METADATA_FILE).write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return str(model.tag)


def resolve_model(ref: str = DEFAULT_MODEL_REF) -> tuple[Path, dict[str, Any], str]:
    """Map a local directory or a store tag to ``(directory, metadata, tag or path)``."""
    path = Path(ref)
    if path.is_dir():
        return path, read_metadata(path), str(path)
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        model = bentoml.models.get(ref)
    except (NotFound, ValueError) as err:
        raise ModelNotFoundError(
            f"model {ref!r} is neither a directory nor in the model store ({err}); "
            "train one with `warlens train --config configs/minilm.yaml`"
        ) from None
    directory = Path(model.path)
    return directory, read_metadata(directory), str(model.tag)


def read_metadata(directory: Path) -> dict[str, Any]:
    file = directory / METADATA_FILE
    if not file.is_file():
        raise ModelNotFoundError(f"{directory}: not a warlens model (no {METADATA_FILE})")
    return json.loads(file.read_text(encoding="utf-8"))
