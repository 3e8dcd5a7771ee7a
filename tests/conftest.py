"""Shared fixtures: the repository root, temporary model and tracking stores, a trained model,
and a headless Chromium for the pages (the explorer, the review view, the trend report)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import ROOT, run_cli
from playwright.sync_api import sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium must not reach out to the network on this closed machine.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def stores(tmp_path_factory) -> dict[str, str]:
    """Environment pointing BentoML and MLflow at stores private to this test session."""
    base = tmp_path_factory.mktemp("stores")
    (base / "mlruns").mkdir()
    return {
        "BENTOML_HOME": str(base / "bentoml"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{base / 'mlruns' / 'mlflow.db'}",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (which never downloads a browser)."""
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def quick_model(tmp_path_factory) -> dict[str, str]:
    """A real model trained once per session with configs/quick.yaml into private stores.

    Returns the environment for that store, the model tag and its directory. Developers may
    set WARLENS_TEST_MODEL_CACHE to a folder to keep that model between sessions; it is keyed
    by the corpus and config contents, so changed data retrains. CI never sets it.
    """
    return trained_model(tmp_path_factory, "quick-model", ["--config", "configs/quick.yaml"])


@pytest.fixture(scope="session")
def context_model(tmp_path_factory) -> dict[str, str]:
    """A smoke-trained model that reads 8 words of each neighbour: it learns nothing useful in its
    four steps, but its outputs depend on the context, which is what the plumbing tests need."""
    return trained_model(tmp_path_factory, "context-model", [
        "--config", "configs/smoke.yaml", "--set", "model.context_words=8", "--set", "name=smoke-context"])


def trained_model(tmp_path_factory, name: str, args: list[str]) -> dict[str, str]:
    """Train with `warlens train ARGS` into private stores (or the developer's cache, keyed by the
    corpus, the configs and the arguments) and return env, tag and model directory."""
    cache = os.environ.get("WARLENS_TEST_MODEL_CACHE")
    if cache:
        inputs = sorted([*(ROOT / "data" / "corpus").glob("*.jsonl"), *(ROOT / "configs").glob("*.yaml")])
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs) + " ".join(args).encode())
        base = Path(cache) / digest.hexdigest()[:16]
        recorded = base / "model.json"
        if recorded.is_file():
            return json.loads(recorded.read_text())
        base.mkdir(parents=True, exist_ok=True)
    else:
        base = tmp_path_factory.mktemp(name)
    (base / "mlruns").mkdir(exist_ok=True)
    env = {
        "BENTOML_HOME": str(base / "bentoml"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{base / 'mlruns' / 'mlflow.db'}",
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    result = run_cli(["train", *args, "--no-progress"], env)
    assert result.returncode == 0, result.stderr[-3000:]
    tag = next(
        line.split()[2].rstrip(";") for line in result.stdout.splitlines() if line.startswith("Stored model")
    )
    model_name, version = tag.split(":")
    directory = Path(env["BENTOML_HOME"]) / "models" / model_name / version
    assert (directory / "warlens.json").is_file()
    model = {"env": env, "tag": tag, "directory": str(directory)}
    if cache:
        (base / "model.json").write_text(json.dumps(model))
    return model
