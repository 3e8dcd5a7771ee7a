"""Build the ONNX graphs the predictor runs, once per model and ONNX Runtime version.

Files are cached beside the stored model (or under a cache root, `WARLENS_CACHE_DIR`, when the
model store is read-only), because a graph optimised at level ALL may hold kernels specific to
the CPU that built it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import onnx

OPSET = 17
# Part of the int8 file name, so a changed recipe never reuses a stale cached graph.
INT8_RECIPE = "qint8-perchannel-matmul-outliers-scaled-2"
# Only the weight matrix products are quantised. The quantiser's default also turns the
# embedding tables (Gather) into int8, which costs fidelity on every token for no speed.
QUANTISED_OPS = ["MatMul"]
# Dynamic int8 gives each activation tensor one scale, set by its widest channel. A few
# channels of this encoder's activations are 3 to 15 times the median width (dimension 99 of
# every feed-forward input, for one), so the others got a handful of levels. Each weight
# product's widest input channels are therefore divided down to the width of the next one
# and the matching weight rows multiplied up: the same function in fp32, a finer int8 grid.
OUTLIER_CHANNELS = 2
# Hand-written news sentences whose activations set the channel widths; not corpus sentences.
CALIBRATION_TEXT = Path(__file__).with_name("calibration.txt")


def cache_dir(model_dir: Path, root: Path | None = None) -> Path:
    """Where this model's ONNX files live for the installed ONNX Runtime."""
    import onnxruntime

    version = f"ort-{onnxruntime.__version__}"
    if root is not None:
        key = hashlib.sha256(str(model_dir.resolve()).encode()).hexdigest()[:16]
        return Path(root) / key / version
    return model_dir / "onnx" / version


def export_fp32(model_dir: Path, target: Path) -> Path:
    """Export the fine-tuned torch model to ONNX with dynamic batch and sequence axes.

    The inputs are those the model's forward takes by name: BERT-style encoders read segment
    ids, MPNet has none (its third positional argument is the positions, which must not be fed
    zeros)."""
    import inspect

    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        model_dir, attn_implementation="eager"
    ).eval()
    sample = {
        "input_ids": torch.ones((2, 8), dtype=torch.long),
        "attention_mask": torch.ones((2, 8), dtype=torch.long),
    }
    if "token_type_ids" in inspect.signature(model.forward).parameters:
        sample["token_type_ids"] = torch.zeros((2, 8), dtype=torch.long)
    dynamic = {name: {0: "batch", 1: "sequence"} for name in sample} | {"logits": {0: "batch"}}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    with torch.no_grad():
        torch.onnx.export(
            model,
            tuple(sample.values()),
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


def encoder_weight_products(graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    """The encoder's MatMul nodes whose second input is a stored weight matrix."""
    weights = {tensor.name for tensor in graph.initializer}
    return [node for node in graph.node
            if node.op_type == "MatMul" and node.input[1] in weights and "/encoder/" in node.name]


def outlier_scales(widths: np.ndarray, channels: int = OUTLIER_CHANNELS) -> np.ndarray:
    """Divisors that bring the `channels` widest channels down to the width of the next one."""
    order = np.argsort(widths)[::-1]
    scales = np.ones(len(widths), dtype=np.float32)
    reference = widths[order[channels]]
    if reference > 0:
        scales[order[:channels]] = widths[order[:channels]] / reference
    return scales


def channel_widths(model: onnx.ModelProto, model_dir: Path, tensors: list[str]) -> dict[str, np.ndarray]:
    """Largest absolute value of every channel of ``tensors`` over the calibration sentences."""
    import onnx
    import onnxruntime as ort
    from transformers import AutoTokenizer

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.extend(
        onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None) for name in tensors
    )
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    texts = [line.strip() for line in CALIBRATION_TEXT.read_text(encoding="utf-8").splitlines()]
    encoded = tokenizer([t for t in texts if t], padding=True, truncation=True, max_length=128,
                        return_tensors="np")
    feed = {item.name: encoded.get(item.name, np.zeros_like(encoded["input_ids"])).astype(np.int64)
            for item in session.get_inputs()}
    values = session.run(tensors, feed)
    mask = encoded["attention_mask"].astype(bool)  # padding rows would only add noise
    return {name: np.abs(value[mask]).max(axis=0) for name, value in zip(tensors, values, strict=True)}


def scale_outlier_channels(source: Path, model_dir: Path,
                           channels: int = OUTLIER_CHANNELS) -> onnx.ModelProto:
    """The graph at ``source`` with each weight product's widest input channels scaled down
    (a Mul before the product, shared by products of one input) and its weight rows scaled up."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    products = encoder_weight_products(model.graph)
    product_names = {node.name for node in products}
    inputs = sorted({node.input[0] for node in products})
    scales = {name: outlier_scales(width, channels)
              for name, width in channel_widths(model, model_dir, inputs).items()}
    weights = {tensor.name: tensor for tensor in model.graph.initializer}
    nodes, inserted = [], set()
    for node in model.graph.node:
        if node.name in product_names:
            tensor, weight = node.input
            scaled = f"{tensor}/outliers_scaled"
            if tensor not in inserted:
                divisors = numpy_helper.from_array(1 / scales[tensor], f"{tensor}/outlier_divisors")
                model.graph.initializer.append(divisors)
                nodes.append(onnx.helper.make_node("Mul", [tensor, divisors.name], [scaled],
                                                   name=f"{tensor}/scale_outliers"))
                inserted.add(tensor)
            matrix = numpy_helper.to_array(weights[weight]) * scales[tensor][:, None]
            weights[weight].CopyFrom(numpy_helper.from_array(matrix, weight))
            node.input[0] = scaled
        nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return model


def quantise(source: Path | onnx.ModelProto, target: Path) -> Path:
    """Dynamic int8 quantisation of the weight matrices: QInt8 per channel (fast u8s8 GEMM).
    ``source`` is a graph file or an in-memory ONNX model."""
    import logging

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if not isinstance(source, onnx.ModelProto):
        source = str(source)
    partial = target.with_suffix(".tmp")
    quantiser_log = logging.getLogger()
    level = quantiser_log.level
    quantiser_log.setLevel(logging.ERROR)  # its shape-inference warnings are expected here
    try:
        quantize_dynamic(
            source,
            str(partial),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=QUANTISED_OPS,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        quantiser_log.setLevel(level)
    partial.replace(target)
    return target


def ensure_graph(model_dir: Path, backend: str, cache_root: Path | None = None) -> Path:
    """Path of the graph for ``backend`` ('onnx' or 'onnx-int8'), building what is missing."""
    directory = cache_dir(model_dir, cache_root)
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
        quantise(scale_outlier_channels(optimised, model_dir), int8)
    return int8
