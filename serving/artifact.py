"""Find a stored warlens model (BentoML tag or directory) and read its metadata."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

METADATA_FILE = "warlens.json"
DEFAULT_MODEL = "warlens-classifier:latest"


class ModelUnavailable(LookupError):
    """No usable model under the given reference."""


@dataclass(frozen=True)
class ModelArtifact:
    directory: Path
    tag: str
    metadata: dict[str, Any]

    @property
    def labels(self) -> list[str]:
        return list(self.metadata["labels"])


def model_ref_from_env() -> str:
    return os.environ.get("WARLENS_MODEL", DEFAULT_MODEL)


def open_artifact(ref: str | None = None) -> ModelArtifact:
    """Resolve ``ref`` (default $WARLENS_MODEL, else the latest warlens-classifier)."""
    ref = ref or model_ref_from_env()
    path = Path(ref)
    if path.is_dir():
        directory, tag = path, str(path)
    else:
        import bentoml
        from bentoml.exceptions import NotFound

        try:
            model = bentoml.models.get(ref)
        except (NotFound, ValueError) as err:
            raise ModelUnavailable(
                f"model {ref!r} not found ({err}); train one with "
                "`warlens train --config configs/minilm.yaml`"
            ) from None
        directory, tag = Path(model.path), str(model.tag)
    metadata_file = directory / METADATA_FILE
    if not metadata_file.is_file():
        raise ModelUnavailable(f"{directory}: not a warlens model (no {METADATA_FILE})")
    metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    if metadata.get("kind") != "transformer":
        raise ModelUnavailable(f"{tag}: serving needs a transformer model, got {metadata.get('kind')!r}")
    return ModelArtifact(directory, tag, metadata)
