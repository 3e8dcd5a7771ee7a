import numpy as np
import pytest

from training.metrics import confusion_table, evaluation_report, expected_calibration_error


def test_ece_hand_worked():
    # Two predictions at 0.9, one right: one bin, |0.9 - 0.5| = 0.4.
    assert expected_calibration_error(np.array([0.9, 0.9]), np.array([1, 0])) == pytest.approx(0.4)
    # Perfectly calibrated bins give zero.
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == 0.0
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def test_report_on_hand_worked_predictions():
    labels = ["a", "b", "c"]
    probabilities = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    report = evaluation_report([0, 1, 1, 2], probabilities, labels)
    assert report["n"] == 4
    assert report["accuracy"] == pytest.approx(0.75)
    assert report["per_label"]["b"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                                        "support": 2}
    assert report["per_label"]["a"]["precision"] == pytest.approx(0.5)
    assert report["confusion_matrix"] == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    assert report["macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    table = confusion_table(report)
    assert table.splitlines()[2].split() == ["b", "1", "1", "0"]
