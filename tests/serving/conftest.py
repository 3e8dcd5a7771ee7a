"""A real `bentoml serve` process on a free local port, shared by the HTTP, fuzz and UI tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(root: Path, quick_model: dict, log_dir: Path, **extra_env: str):
    """Start the service and wait until /readyz answers 200; returns (process, base url)."""
    port = free_port()
    # Each server gets its own BentoML home (sharing the model store): a starting server wipes
    # $BENTOML_HOME/prometheus_multiproc_dir, which would reset the metrics of one already running.
    home = log_dir / "bentoml-home"
    home.mkdir()
    (home / "models").symlink_to(Path(quick_model["env"]["BENTOML_HOME"]) / "models")
    env = {**os.environ, **quick_model["env"], "BENTOML_HOME": str(home), "WARLENS_MODEL": quick_model["tag"],
           **extra_env}
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bentoml", "serve", "serving.service:Warlens",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(process)
    raise RuntimeError(f"server not ready: {log_path.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def review_dir(tmp_path_factory) -> Path:
    """Where the open server saves the review view's decisions."""
    return tmp_path_factory.mktemp("review-decisions")


@pytest.fixture(scope="session")
def server(root, quick_model, tmp_path_factory, review_dir):
    process, url = start_server(root, quick_model, tmp_path_factory.mktemp("open-server"),
                                WARLENS_REVIEW_DIR=str(review_dir))
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def locked_server(root, quick_model, tmp_path_factory):
    """Auth on, and a lower sentence limit to show the limits come from the environment."""
    process, url = start_server(root, quick_model, tmp_path_factory.mktemp("locked-server"),
                                WARLENS_API_KEY="s3cret-key", WARLENS_MAX_SENTENCES="4")
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def context_server(root, context_model, tmp_path_factory):
    """The service on a model that reads each sentence with its neighbours."""
    process, url = start_server(root, context_model, tmp_path_factory.mktemp("context-server"))
    yield url
    stop_server(process)
