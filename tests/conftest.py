"""Shared fixtures: the repository root, temporary model and tracking stores, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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


def run_cli(args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT,
            timeout: int = 600) -> subprocess.CompletedProcess:
    """Run the real `warlens` entry point in a subprocess and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "warlens", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
