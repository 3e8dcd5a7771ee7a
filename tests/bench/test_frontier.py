"""bench/frontier.py and bench/profile_int8.py: the limit arithmetic and the profile summary."""

import json
import sys

import pytest
from helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))

from frontier import gemm_rates, operations_per_sentence  # noqa: E402
from profile_int8 import family, summarise_trace  # noqa: E402

MINILM = {"hidden_size": 384, "intermediate_size": 1536, "num_hidden_layers": 6}


def test_operations_of_a_six_layer_minilm_sentence():
    ops = operations_per_sentence(MINILM, tokens=26)
    # Per layer and token: Q, K, V, output (4 x 384 x 384) and the feed-forward (2 x 384 x 1536)
    # multiply-adds; two operations each.
    assert ops["weights"] == 2 * 26 * (4 * 384 * 384 + 2 * 384 * 1536) * 6 == pytest.approx(0.552e9, rel=1e-3)
    assert ops["attention"] == 2 * 2 * 26 * 26 * 384 * 6


def test_a_student_of_half_the_layers_costs_half():
    half = operations_per_sentence(MINILM | {"num_hidden_layers": 3}, tokens=26)
    full = operations_per_sentence(MINILM, tokens=26)
    assert half["weights"] * 2 == full["weights"] and half["attention"] * 2 == full["attention"]


def test_gemm_rates_are_measured_and_int8_is_the_faster():
    rates = gemm_rates(lanes=1, seconds=0.3)
    assert set(rates) == {"int8", "fp32"}
    assert rates["fp32"] > 1e9 and rates["int8"] > rates["fp32"]


def test_profile_summary_groups_operators_into_families(tmp_path):
    events = [
        {"cat": "Session", "name": "model_run", "dur": 1000},
        {"cat": "Node", "name": "a_kernel_time", "dur": 600, "args": {"op_name": "DynamicQuantizeMatMul"}},
        {"cat": "Node", "name": "b_kernel_time", "dur": 200, "args": {"op_name": "BiasGelu"}},
        {"cat": "Node", "name": "c_kernel_time", "dur": 100, "args": {"op_name": "Transpose"}},
        {"cat": "Node", "name": "c_fence_before", "dur": 5, "args": {"op_name": "Transpose"}},
        {"cat": "Node", "name": "d_kernel_time", "dur": 100, "args": {"op_name": "Softmax"}},
    ]
    trace = tmp_path / "trace.json"
    trace.write_text(json.dumps(events))
    summary = summarise_trace(trace)
    assert summary["families"] == {"int8 weight products": 0.6, "GELU": 0.2, "memory moves": 0.1,
                                   "softmax": 0.1}
    assert summary["outside nodes (session overhead)"] == 0.0 and summary["operators"]["BiasGelu"] == 0.2
    assert family("LayerNormalization") == "layer norm" and family("NoSuchOp") == "other"
