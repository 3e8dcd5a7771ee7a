import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from inference.artifact import ModelNotFound, open_artifact
from inference.onnx import (
    cache_dir,
    channel_widths,
    ensure_graph,
    outlier_scales,
    scale_outlier_channels,
)
from inference.predictor import Predictor, length_batches


def test_length_batches_sort_and_cover_every_index():
    assert [b.tolist() for b in length_batches([5, 1, 3], 2)] == [[1, 2], [0]]
    batches = length_batches([7, 3, 9, 1, 4], 2)
    assert sorted(i for b in batches for i in b.tolist()) == [0, 1, 2, 3, 4]
    assert length_batches([], 32, 2) == []


def test_length_batches_keep_full_batches_of_a_long_list():
    assert [len(b) for b in length_batches(list(range(768, 0, -1)), 32, ways=2)] == [32] * 24


def test_length_batches_even_out_padded_work_over_lanes():
    def work(batch, lengths):
        return len(batch) * max(lengths[i] for i in batch)

    lengths = [8] * 12 + [40] * 4  # sixteen texts on two lanes
    batches = length_batches(lengths, 32, ways=2)
    assert [work(b, lengths) for b in batches] == [96, 160]  # not eight and eight: 64 and 320
    lengths = list(range(10, 74))  # a full round of 64 on two lanes becomes two rounds
    batches = length_batches(lengths, 32, ways=2)
    assert len(batches) == 4 and max(len(b) for b in batches) <= 32
    assert max(work(b, lengths) for b in batches) <= 1200  # the plain halves: 32 x 73 = 2336


def test_missing_model_bad_backend_and_baselines_are_refused(tmp_path, quick_model):
    with pytest.raises(ModelNotFound, match="not a warlens model"):
        open_artifact(str(tmp_path))
    with pytest.raises(ValueError, match="unknown backend 'tpu'"):
        Predictor.load(quick_model["directory"], backend="tpu")
    artifact = open_artifact(quick_model["directory"])
    tfidf = replace(artifact, metadata=artifact.metadata.model_copy(update={"kind": "tfidf"}))
    with pytest.raises(ModelNotFound, match="runs transformer models, not 'tfidf'"):
        Predictor(tfidf)


@pytest.fixture(scope="module")
def test_split(root):
    rows = [json.loads(line) for line in (root / "data" / "corpus" / "test.jsonl").read_text().splitlines()]
    return [r["text"] for r in rows], [r["label"] for r in rows]


@pytest.fixture(scope="module")
def backends(quick_model, test_split):
    texts, _ = test_split
    return {name: Predictor.load(quick_model["directory"], backend=name).probabilities(texts)
            for name in ("torch", "onnx", "onnx-int8")}


def test_fp32_onnx_matches_torch(backends):
    assert np.abs(backends["onnx"] - backends["torch"]).max() < 1e-4


def test_int8_parity_with_torch_on_the_test_split(backends, test_split, quick_model):
    """The default int8 backend agrees on >= 99% of labels, keeps every sentence's probabilities
    within 0.05 of torch, and loses <= 0.5 point of macro-F1."""
    _, gold = test_split
    labels = open_artifact(quick_model["directory"]).labels
    torch_labels, int8_labels = backends["torch"].argmax(1), backends["onnx-int8"].argmax(1)
    assert (torch_labels == int8_labels).mean() >= 0.99
    assert np.abs(backends["onnx-int8"] - backends["torch"]).max() <= 0.05
    gold_ids = [labels.index(label) for label in gold]
    torch_f1 = f1_score(gold_ids, torch_labels, average="macro")
    assert torch_f1 - f1_score(gold_ids, int8_labels, average="macro") <= 0.005


def test_the_recheck_is_what_keeps_unsure_sentences_close(backends, test_split, quick_model):
    """int8 alone strays by more than 0.05 on some test sentences, all of them ones the re-check
    re-scores; the rest are left exactly as int8 scored them."""
    alone = Predictor.load(quick_model["directory"], backend="onnx-int8", recheck_below=0)
    assert alone.describe()["int8_recheck_below"] == 0
    int8_alone = alone.probabilities(test_split[0])
    strays = np.abs(int8_alone - backends["torch"]).max(axis=1) > 0.05
    unsure = int8_alone.max(axis=1) < 0.9
    assert strays.any() and not (strays & ~unsure).any()
    assert np.array_equal(backends["onnx-int8"][~unsure], int8_alone[~unsure])


def test_recheck_threshold_is_validated(quick_model):
    directory = quick_model["directory"]
    assert Predictor.load(directory, backend="onnx").recheck_below == 0.0
    assert Predictor.load(directory, recheck_below=0.75).describe()["int8_recheck_below"] == 0.75
    with pytest.raises(ValueError, match="must be in \\[0, 1\\], not 1.5"):
        Predictor.load(directory, backend="onnx-int8", recheck_below=1.5)


def test_int8_graph_quantises_every_weight_product_behind_outlier_scaling(quick_model):
    import onnx

    path = ensure_graph(Path(quick_model["directory"]), "onnx-int8")
    nodes = onnx.load(str(path), load_external_data=False).graph.node
    ops = Counter(node.op_type for node in nodes)
    assert ops["MatMulInteger"] == 37  # six weight products in each of the six layers, and the head
    assert ops["DequantizeLinear"] == 0  # embedding tables stay fp32
    # One scaling per distinct input: query/key/value share theirs, so four per layer.
    assert sum(node.name.endswith("/scale_outliers") for node in nodes) == 24


def test_outlier_scales_bring_the_widest_channels_down_to_the_next():
    assert outlier_scales(np.array([1.0, 10.0, 2.0, 5.0]), channels=2).tolist() == [1.0, 5.0, 1.0, 2.5]
    assert outlier_scales(np.array([3.0, 3.0, 3.0]), channels=1).tolist() == [1.0, 1.0, 1.0]


def test_outlier_scaling_keeps_the_fp32_function_and_narrows_the_widest_channels(quick_model):
    import onnxruntime as ort
    from transformers import AutoTokenizer

    directory = Path(quick_model["directory"])
    ensure_graph(directory, "onnx-int8")
    optimised = cache_dir(directory) / "model-optimised.onnx"
    scaled = scale_outlier_channels(optimised, directory)
    encoded = AutoTokenizer.from_pretrained(directory)(
        ["Two drones hit a depot near Odesa.", "Talks resume next week, diplomats say."],
        padding=True, return_tensors="np")
    feed = {key: value.astype(np.int64) for key, value in encoded.items()}

    def logits(graph) -> np.ndarray:
        return ort.InferenceSession(graph, providers=["CPUExecutionProvider"]).run(None, feed)[0]

    assert np.abs(logits(scaled.SerializeToString()) - logits(str(optimised))).max() < 1e-3
    inputs = [node.output[0] for node in scaled.graph.node if node.name.endswith("/scale_outliers")]
    for widths in channel_widths(scaled, directory, inputs).values():
        top = np.sort(widths)[::-1]
        assert top[0] == pytest.approx(top[2], rel=1e-3)  # the two widest now match the third


def test_predict_keeps_input_order_and_returns_full_maps(quick_model):
    predictor = Predictor.load(quick_model["directory"])
    texts = ["Shelling killed two people in Kherson on Monday.",
             "The war has displaced more than 4 million people since 2022, the UN says.",
             "Rebels may try to take the airport within weeks, analysts warned."]
    forward = predictor.predict(texts)
    backward = predictor.predict(texts[::-1])
    assert [p.label for p in forward] == [p.label for p in backward[::-1]]
    for prediction in forward:
        assert set(prediction.scores) == set(predictor.labels)
        assert sum(prediction.scores.values()) == pytest.approx(1.0, abs=1e-4)
        assert prediction.score == max(prediction.scores.values())
    assert predictor.predict([]) == []


def test_onnx_lanes_split_small_requests_and_match_one_lane(quick_model, test_split):
    texts = test_split[0][:40]
    one_lane = Predictor.load(quick_model["directory"], backend="onnx", threads=1)
    three_lanes = Predictor.load(quick_model["directory"], backend="onnx", threads=3)
    run = three_lanes._run
    rows_per_run: list[int] = []

    def recording_run(arrays):
        rows_per_run.append(len(arrays["input_ids"]))
        return run(arrays)

    three_lanes._run = recording_run
    assert np.abs(three_lanes.probabilities(texts) - one_lane.probabilities(texts)).max() < 1e-4
    assert len(rows_per_run) == 3 and sum(rows_per_run) == 40  # a batch per lane, not 32 + 8
    rows_per_run.clear()
    three_lanes.probabilities(texts[:1])
    assert rows_per_run == [1]


ACCOUNT = ["He was held for eleven months in a basement under the police station.",
           "I remember hearing gunfire and everybody started to run away.",
           "The guards never told them where they were."]


def test_a_context_model_reads_each_sentence_with_its_neighbours(context_model):
    predictor = Predictor.load(context_model["directory"], backend="onnx")
    assert predictor.context_words == 8
    contexts = predictor.article_contexts(ACCOUNT)
    assert contexts[1] == ("months in a basement under the police station. / "
                           "The guards never told them where they were.")
    alone = predictor.probabilities(ACCOUNT)
    in_context = predictor.probabilities(ACCOUNT, contexts)
    assert np.abs(in_context - alone).max() > 1e-4
    assert np.abs(predictor.probabilities(ACCOUNT, [""] * 3) - alone).max() < 1e-6  # none = empty
    with pytest.raises(ValueError, match="2 contexts for 3 texts"):
        predictor.probabilities(ACCOUNT, contexts[:2])


def test_a_model_without_context_ignores_it(quick_model):
    predictor = Predictor.load(quick_model["directory"], backend="onnx")
    assert predictor.context_words is None and predictor.article_contexts(ACCOUNT) is None
    assert np.abs(predictor.probabilities(ACCOUNT, ["anything at all"] * 3)
                  - predictor.probabilities(ACCOUNT)).max() < 1e-6
