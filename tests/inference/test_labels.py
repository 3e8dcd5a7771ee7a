import numpy as np
import pytest

from inference.labels import label_columns, predictions, softmax


def test_label_columns_pick_the_best_label_and_keep_every_probability():
    probabilities = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], dtype=np.float32)
    columns = label_columns(probabilities, ["a", "b", "c"])
    assert list(columns) == ["label", "score", "p_a", "p_b", "p_c"]
    assert columns["label"].tolist() == ["b", "a"]
    assert columns["score"].tolist() == pytest.approx([0.7, 0.5])
    assert columns["p_c"].tolist() == pytest.approx([0.2, 0.3])
    assert all(values.dtype == np.float32 for name, values in columns.items() if name != "label")


def test_softmax_worked_examples():
    assert softmax(np.array([[0.0, 0.0]])).tolist() == [[0.5, 0.5]]
    hot = softmax(np.array([[1000.0, 0.0]]))
    assert hot[0, 0] == pytest.approx(1.0) and np.isfinite(hot).all()
    flatter = softmax(np.array([[2.0, 0.0]]), temperature=2.0)
    assert flatter[0, 0] == pytest.approx(softmax(np.array([[1.0, 0.0]]))[0, 0])


def test_predictions_pick_the_best_label_with_the_full_map():
    [first, second] = predictions(np.array([[0.2, 0.8], [0.6, 0.4]]), ["a", "b"])
    assert (first.label, first.score) == ("b", pytest.approx(0.8))
    assert second.label == "a" and second.scores == {"a": pytest.approx(0.6), "b": pytest.approx(0.4)}
