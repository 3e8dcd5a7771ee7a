"""Where the served int8 graph spends its time: ONNX Runtime's profiler, summed by operator type.

Run: PYTHONPATH=. .venv/bin/python bench/profile_int8.py [--model TAG] [--sentences 2000] [--json OUT]
One single-threaded session (as each serving lane runs it) scores the benchmark sentences in
length-sorted batches of 64 with profiling on; the trace's node events are summed per operator
type and grouped into what the issue "Twice as fast" asks about: the int8 weight products
(activation quantisation and the integer products), attention (the fp32 score and value
products, softmax), layer norm, GELU, element-wise work, and memory moves (reshape, transpose,
gather, concat, cast).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from common import ROOT, benchmark_sentences

from inference.artifact import open_artifact
from inference.onnx import ensure_graph
from inference.predictor import Predictor, length_batches, pad_batch

FAMILIES = {
    "int8 weight products": ("MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul",
                             "MatMulIntegerToFloat", "QAttention"),
    "attention products (fp32)": ("MatMul", "FusedMatMul", "Attention", "MultiHeadAttention"),
    "softmax": ("Softmax",),
    "layer norm": ("LayerNormalization", "SkipLayerNormalization", "SimplifiedLayerNormalization",
                   "EmbedLayerNormalization"),
    "GELU": ("Gelu", "FastGelu", "BiasGelu", "Erf"),
    "element-wise (bias, residual, scaling)": ("Add", "Mul", "Div", "Sub", "Sqrt", "Pow", "ReduceMean"),
    "memory moves": ("Reshape", "Transpose", "Gather", "Concat", "Cast", "Unsqueeze", "Shape", "Slice",
                     "Squeeze", "Expand", "Where", "Equal", "ConstantOfShape"),
}


def family(op: str) -> str:
    for name, ops in FAMILIES.items():
        if op in ops:
            return name
    return "other"


def profile(graph: Path, batches: list[dict], directory: Path) -> Path:
    import numpy as np
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.enable_profiling = True
    options.profile_file_prefix = str(directory / "int8")
    session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    for batch in batches:
        feed = {k: v.astype(np.int64) for k, v in batch.items() if k in wanted}
        if "token_type_ids" in wanted and "token_type_ids" not in feed:
            feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
        session.run(["logits"], feed)
    return Path(session.end_profiling())


def summarise_trace(trace: Path) -> dict:
    events = json.loads(trace.read_text())
    by_op: dict[str, float] = defaultdict(float)
    run_total = 0.0
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            by_op[event["args"]["op_name"]] += event["dur"]
        elif event.get("cat") == "Session" and event["name"] == "model_run":
            run_total += event["dur"]
    node_total = sum(by_op.values())
    families: dict[str, float] = defaultdict(float)
    for op, duration in by_op.items():
        families[family(op)] += duration
    return {
        "run time s": round(run_total / 1e6, 3),
        "node time s": round(node_total / 1e6, 3),
        "outside nodes (session overhead)": round(1 - node_total / run_total, 3) if run_total else None,
        "families": {name: round(value / node_total, 3) for name, value in
                     sorted(families.items(), key=lambda item: -item[1])},
        "operators": {op: round(value / node_total, 3) for op, value in
                      sorted(by_op.items(), key=lambda item: -item[1])[:15]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="warlens-classifier:latest")
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--json", help="write the result here too")
    args = parser.parse_args()

    import tempfile

    artifact = open_artifact(args.model)
    predictor = Predictor(artifact, "torch", threads=1)
    texts = benchmark_sentences(args.sentences)
    encoded = predictor.encode(texts)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    batches = [pad_batch(encoded, rows, predictor.tokenizer.pad_token_id)
               for rows in length_batches(lengths, 64)]
    with tempfile.TemporaryDirectory() as directory:
        trace = profile(ensure_graph(artifact.directory, "onnx-int8"), batches, Path(directory))
        result = {"model": artifact.tag, "sentences": len(texts), **summarise_trace(trace)}
    print(json.dumps(result, indent=2))
    if args.json:
        (ROOT / args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
