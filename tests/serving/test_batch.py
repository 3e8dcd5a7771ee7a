import numpy as np
import pytest

from serving.batch import label_columns


def test_label_columns_pick_the_best_label_and_keep_every_probability():
    probabilities = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], dtype=np.float32)
    columns = label_columns(probabilities, ["a", "b", "c"])
    assert list(columns) == ["label", "score", "p_a", "p_b", "p_c"]
    assert columns["label"].tolist() == ["b", "a"]
    assert columns["score"].tolist() == pytest.approx([0.7, 0.5])
    assert columns["p_c"].tolist() == pytest.approx([0.2, 0.3])
    assert all(values.dtype == np.float32 for name, values in columns.items() if name != "label")
