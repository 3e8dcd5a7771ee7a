"""The speed-quality frontier of a teacher and its distilled students, each against its own limit.

Run: PYTHONPATH=. .venv/bin/python bench/frontier.py --model TEACHER --model STUDENT ... [--rounds 3]
       [--json OUT] [--plot PNG]
For each stored model, on the served path (onnx-int8 with the fp32 re-check, 2 lanes):
- quality: test macro-F1 and ECE (from the training run's metadata), the out-of-style set
  (data/ood/check.jsonl) and the seed article (data/examples/seed-labels.jsonl) on the served
  backend, and the largest probability gap to the model's own torch output over the test split;
- speed: sentences/s over 2,000 test and validation sentences sorted by length (batch 64), in
  interleaved rounds (median), and the p50 of one sentence per call (concurrency 1);
- its int8 limit: the run's own measured GEMM rates (int8 for the weight matrices, fp32 for the
  attention products, which dynamic quantisation leaves in fp32) applied to the model's
  operations per sentence at the benchmark's mean token count.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from common import ROOT, benchmark_sentences, corpus_sentences
from predictor import rate, single_latency

from inference.artifact import open_artifact
from inference.predictor import Predictor

GEMM_SHAPE = (1664, 384, 1536)  # 64 sentences of 26 tokens, hidden 384 -> feed-forward 1536


def gemm_rates(lanes: int, seconds: float = 2.0) -> dict[str, float]:
    """Operations per second (2 per multiply-add) of one int8 (u8 x s8, as the quantised graph
    runs it) and one fp32 GEMM, each on ``lanes`` single-threaded ONNX Runtime sessions at once."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    m, k, n = GEMM_SHAPE

    def session(kind: str):
        if kind == "int8":
            node = helper.make_node("MatMulInteger", ["a", "b"], ["y"])
            inputs = [helper.make_tensor_value_info("a", TensorProto.UINT8, [m, k]),
                      helper.make_tensor_value_info("b", TensorProto.INT8, [k, n])]
            output = helper.make_tensor_value_info("y", TensorProto.INT32, [m, n])
        else:
            node = helper.make_node("MatMul", ["a", "b"], ["y"])
            inputs = [helper.make_tensor_value_info("a", TensorProto.FLOAT, [m, k]),
                      helper.make_tensor_value_info("b", TensorProto.FLOAT, [k, n])]
            output = helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])
        model = helper.make_model(helper.make_graph([node], "gemm", inputs, [output]),
                                  opset_imports=[helper.make_opsetid("", 17)])
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])

    rng = np.random.default_rng(0)
    feeds = {"int8": {"a": rng.integers(0, 255, (m, k), dtype=np.uint8),
                      "b": rng.integers(-127, 127, (k, n), dtype=np.int8)},
             "fp32": {"a": rng.standard_normal((m, k), dtype=np.float32),
                      "b": rng.standard_normal((k, n), dtype=np.float32)}}
    rates = {}
    for kind, feed in feeds.items():
        sessions = [session(kind) for _ in range(lanes)]

        def spin(one, feed=feed) -> int:
            calls, end = 0, time.perf_counter() + seconds
            while time.perf_counter() < end:
                one.run(None, feed)
                calls += 1
            return calls

        sessions[0].run(None, feed)
        start = time.perf_counter()
        with ThreadPoolExecutor(lanes) as pool:
            calls = sum(pool.map(spin, sessions))
        rates[kind] = 2 * m * k * n * calls / (time.perf_counter() - start)
    return rates


def operations_per_sentence(config: dict, tokens: float) -> dict[str, float]:
    """Multiply-adds x 2 of one sentence of ``tokens`` word pieces: the weight matrices (Q, K,
    V, output, two feed-forward) and the attention products (scores and weighted values)."""
    hidden, inner, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    weights = 2 * tokens * (4 * hidden * hidden + 2 * hidden * inner) * layers
    attention = 2 * 2 * tokens * tokens * hidden * layers
    return {"weights": weights, "attention": attention}


def quality(predictor: Predictor, torch_predictor: Predictor) -> dict[str, float]:
    from sklearn.metrics import f1_score

    labels = predictor.labels
    out = {}
    for name, path in (("ood", ROOT / "data" / "ood" / "check.jsonl"),
                       ("seed", ROOT / "data" / "examples" / "seed-labels.jsonl")):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        predicted = predictor.probabilities([row["text"] for row in rows]).argmax(axis=1)
        gold = [labels.index(row["label"]) for row in rows]
        out[name] = (round(float(f1_score(gold, predicted, average="macro")), 4) if name == "ood"
                     else f"{int((predicted == np.asarray(gold)).sum())}/{len(rows)}")
    test = corpus_sentences("test")
    gap = np.abs(predictor.probabilities(test) - torch_predictor.probabilities(test)).max(axis=1)
    out["max gap to own torch"] = round(float(gap.max()), 4)
    out["share within 0.05"] = round(float((gap <= 0.05).mean()), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", required=True, help="model tag or directory (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="write the result here too")
    parser.add_argument("--plot", help="draw test macro-F1 against served sentences/s here (PNG)")
    args = parser.parse_args()

    texts = benchmark_sentences(args.sentences)
    predictors = {ref: Predictor.load(ref, "onnx-int8", threads=args.threads, batch_size=64)
                  for ref in args.model}
    first = next(iter(predictors.values()))
    tokens = statistics.fmean(len(ids) for ids in first.encode(texts)["input_ids"])
    speeds: dict[str, list[float]] = {ref: [] for ref in predictors}
    for predictor in predictors.values():
        rate(predictor, texts[:200], 64, sort=True)
    for _ in range(args.rounds):
        for ref, predictor in predictors.items():
            speeds[ref].append(rate(predictor, texts, 64, sort=True))
    gemm = gemm_rates(args.threads)

    rows = {}
    for ref, predictor in predictors.items():
        artifact = open_artifact(ref)
        config = json.loads((artifact.directory / "config.json").read_text())
        ops = operations_per_sentence(config, tokens)
        limit = 1 / (ops["weights"] / gemm["int8"] + ops["attention"] / gemm["fp32"])
        served = statistics.median(speeds[ref])
        metrics = artifact.metadata.metrics.get("test", {})
        rows[artifact.tag] = {
            "layers": config["num_hidden_layers"],
            "teacher": artifact.metadata.teacher,
            "test macro-F1": metrics.get("macro_f1"), "test ECE": metrics.get("ece"),
            **quality(predictor, Predictor(artifact, "torch", threads=args.threads, batch_size=64)),
            "sentences/s": round(served, 1), "rounds": [round(s, 1) for s in speeds[ref]],
            "p50 ms, one sentence": round(single_latency(predictor, texts)["p50"], 2),
            "int8 limit, sentences/s": round(limit, 1), "share of limit": round(served / limit, 3),
            "GOP per sentence": round((ops["weights"] + ops["attention"]) / 1e9, 3),
        }
    result = {"tokens per sentence": round(tokens, 1),
              "GEMM GOP/s": {kind: round(ops / 1e9, 1) for kind, ops in gemm.items()}, "models": rows}
    print(json.dumps(result, indent=2))
    if args.json:
        (ROOT / args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.plot:
        plot(rows, ROOT / args.plot)


def plot(rows: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for tag, row in rows.items():
        ax.plot(row["sentences/s"], row["test macro-F1"], "o", color="tab:blue")
        ax.annotate(f"{row['layers']} layers ({tag.split(':')[0]})",
                    (row["sentences/s"], row["test macro-F1"]), textcoords="offset points", xytext=(6, 4),
                    fontsize=8)
    ax.set(xlabel="served sentences/s (onnx-int8, 2 lanes)", ylabel="test macro-F1",
           title="Quality against speed")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    main()
