import numpy as np
import pytest

from inference.labels import softmax
from training.calibration import calibrate, fit_temperature, negative_log_likelihood


def overconfident(seed: int = 0, n: int = 2000):
    """Logits three times too sharp: the right answer is T close to 3."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    true_logits = rng.normal(0, 1, (n, 3))
    true_logits[np.arange(n), labels] += 1.0
    sampled = np.array([rng.choice(3, p=p) for p in softmax(true_logits)])
    return true_logits * 3.0, sampled


def test_fit_recovers_the_sharpening_and_lowers_nll():
    logits, labels = overconfident()
    temperature = fit_temperature(logits, labels)
    assert 2.5 < temperature < 3.5
    assert negative_log_likelihood(logits, labels, temperature) < negative_log_likelihood(logits, labels, 1.0)


def test_calibrate_keeps_t_only_when_ece_drops():
    logits, labels = overconfident()
    result = calibrate(logits, labels)
    assert result["temperature"] == result["fitted_temperature"]
    assert result["val_ece_after"] < result["val_ece_before"]
    already_calibrated = calibrate(logits / 3.0, labels)
    assert already_calibrated["fitted_temperature"] == pytest.approx(1.0, abs=0.2)
