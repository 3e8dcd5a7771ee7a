"""`bentoml build` makes a bento from bentofile.yaml on this machine, model and page included."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow


def test_bentoml_build_packs_code_ui_and_model(root, quick_model, tmp_path):
    env = {**os.environ, **quick_model["env"], "WARLENS_MODEL": quick_model["tag"]}
    result = subprocess.run([sys.executable, "-m", "bentoml", "build", "--output", "tag"], cwd=root,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    tag = result.stdout.strip().splitlines()[-1].split("__tag__:")[-1]
    name, version = tag.split(":")
    bento = Path(quick_model["env"]["BENTOML_HOME"]) / "bentos" / name / version
    manifest = yaml.safe_load((bento / "bento.yaml").read_text())
    assert manifest["entry_service"] == "warlens"
    packed_models = {m["tag"] for service in manifest["services"] for m in service["models"]}
    assert packed_models == {quick_model["tag"]}
    for packed in ("src/serving/service.py", "src/serving/ui/app.js", "src/inference/predictor.py",
                   "src/inference/calibration.txt", "src/warlens/settings.py"):
        assert (bento / packed).is_file(), packed
    for left_out in ("src/training", "src/batch", "src/warlens/cli.py"):
        assert not (bento / left_out).exists(), left_out
