"""Build the ONNX graphs the predictor runs, once per model and ONNX Runtime version.

Files are cached beside the stored model (or under $WARLENS_CACHE_DIR when set), because a
graph optimised at level ALL may hold kernels specific to the CPU that built it.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

OPSET = 17
# Part of the int8 file name, so a changed recipe never reuses a stale cached graph.
INT8_RECIPE = "qint8-perchannel-matmul-fp32-layer0"
# The first encoder layer is the most sensitive to int8 on this model: keeping it in fp32 took
# label agreement with torch from 99.3% to 99.7% for about a fifth of the int8 speed-up.
FP32_NODES = re.compile(r"/layer\.0/")
# Only the weight matrix products are quantised. The quantiser's default also turns the
# embedding tables (Gather) into int8, which costs fidelity on every token for no speed.
QUANTISED_OPS = ["MatMul"]


def cache_dir(model_dir: Path) -> Path:
    """Where this model's ONNX files live for the installed ONNX Runtime."""
    import onnxruntime

    version = f"ort-{onnxruntime.__version__}"
    root = os.environ.get("WARLENS_CACHE_DIR")
    if root:
        key = hashlib.sha256(str(model_dir.resolve()).encode()).hexdigest()[:16]
        return Path(root) / key / version
    return model_dir / "onnx" / version


def export_fp32(model_dir: Path, target: Path) -> Path:
    """Export the fine-tuned torch model to ONNX with dynamic batch and sequence axes."""
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, attn_implementation="eager"
    ).eval()
    sample = {
        "input_ids": torch.ones((2, 8), dtype=torch.long),
        "attention_mask": torch.ones((2, 8), dtype=torch.long),
        "token_type_ids": torch.zeros((2, 8), dtype=torch.long),
    }
    dynamic = {name: {0: "batch", 1: "sequence"} for name in sample} | {"logits": {0: "batch"}}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    with torch.no_grad():
        torch.onnx.export(
            model,
            (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
            str(partial),
            input_names=list(sample),
            output_names=["logits"],
            dynamic_axes=dynamic,
            opset_version=OPSET,
            dynamo=False,
        )
    partial.replace(target)
    return target


def optimise(source: Path, target: Path) -> Path:
    """Let ONNX Runtime fuse the graph at level ALL and save the result."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    partial = target.with_suffix(".tmp")
    options.optimized_model_filepath = str(partial)
    ort.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
    partial.replace(target)
    return target


def quantise(source: Path, target: Path) -> Path:
    """Dynamic int8 quantisation of the weight matrices: QInt8 per channel (fast u8s8 GEMM)."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False)
    keep_fp32 = [node.name for node in graph.graph.node if FP32_NODES.search(node.name)]
    partial = target.with_suffix(".tmp")
    quantiser_log = logging.getLogger()
    level = quantiser_log.level
    quantiser_log.setLevel(logging.ERROR)  # its shape-inference warnings are expected here
    try:
        quantize_dynamic(
            str(source),
            str(partial),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=keep_fp32,
            op_types_to_quantize=QUANTISED_OPS,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        quantiser_log.setLevel(level)
    partial.replace(target)
    return target


def ensure_graph(model_dir: Path, backend: str) -> Path:
    """Path of the graph for ``backend`` ('onnx' or 'onnx-int8'), building what is missing."""
    directory = cache_dir(model_dir)
    fp32 = directory / "model.onnx"
    optimised = directory / "model-optimised.onnx"
    int8 = directory / f"model-{INT8_RECIPE}.onnx"
    if not fp32.is_file():
        export_fp32(model_dir, fp32)
    if backend == "onnx":
        return fp32
    if not int8.is_file():
        if not optimised.is_file():
            optimise(fp32, optimised)
        quantise(optimised, int8)
    return int8
