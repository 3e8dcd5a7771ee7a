"""bench/real_text.py: the real-text yardstick runs on stored models and refuses to run blind."""

import json
import os
import subprocess
import sys

import pytest
from helpers import ROOT

pytestmark = pytest.mark.slow


def run_bench(args, env=None):
    return subprocess.run([sys.executable, "bench/real_text.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900, env=env)


def test_missing_file_is_a_clear_error_not_a_skip(tmp_path):
    result = run_bench(["--data", str(tmp_path / "real-dev.jsonl")])
    assert result.returncode == 1
    assert "real-dev file not found" in result.stderr and "--data" in result.stderr


def test_scores_a_model_on_both_backends_split_by_selection(quick_model, tmp_path):
    env = {**os.environ, **quick_model["env"], "PYTHONPATH": str(ROOT)}
    out = tmp_path / "reports.json"
    sample = "tests/fixtures/real-text-sample.jsonl"
    plot = tmp_path / "reliability.png"
    result = run_bench(["--model", quick_model["directory"], "--data", sample, "--json", str(out),
                        "--plot", str(plot)], env)
    assert result.returncode == 0, result.stderr[-3000:]
    reports = json.loads(out.read_text())
    assert [name.rsplit(", ", 1)[1] for name in reports] == ["onnx-int8)", "torch)"]
    for report in reports.values():
        assert report["all"]["n"] == 6 and report["run"]["n"] == 3 and report["targeted"]["n"] == 3
        assert 0 <= report["all"]["macro_f1"] <= 1 and 0 <= report["all"]["errors_under_0.7"] <= 1
    assert result.stdout.count("| ") >= 2 and "macro-F1" in result.stdout
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_a_context_model_reads_run_rows_with_their_neighbours():
    sys.path.insert(0, str(ROOT / "bench"))
    from real_text import real_dev_contexts

    rows = [{"text": "A b c.", "selection": "run", "source": "s1"},
            {"text": "Lone one.", "selection": "targeted", "source": "s2"},
            {"text": "D e f.", "selection": "run", "source": "s1"},
            {"text": "G h.", "selection": "run", "source": "s3"}]
    assert real_dev_contexts(rows, 2) == ["/ D e", "", "b c. /", ""]


def test_average_scores_the_mean_of_the_models_probabilities():
    import numpy as np

    sys.path.insert(0, str(ROOT / "bench"))
    from real_text import averaged

    labels = ["a", "b"]
    rows = [{"selection": "run"}, {"selection": "targeted"}]
    gold = np.array([0, 1])
    sure_wrong = np.array([[0.2, 0.8], [0.6, 0.4]])
    right = np.array([[0.9, 0.1], [0.3, 0.7]])
    reports = averaged(rows, {"torch": [(labels, sure_wrong, gold), (labels, right, gold)],
                              "onnx": [(labels, right, gold)]})
    assert list(reports) == ["mean of 2 models (torch)"]  # one model on a backend is no average
    overall = reports["mean of 2 models (torch)"]["all"]
    assert overall["accuracy"] == 1.0  # means [0.55, 0.45] and [0.45, 0.55]: both right
    with pytest.raises(SystemExit, match="same labels"):
        averaged(rows, {"torch": [(labels, right, gold), (["b", "a"], right, gold)]})
