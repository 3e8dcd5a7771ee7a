"""Temperature scaling: one scalar that softens (T > 1) or sharpens (T < 1) the softmax.

Fitted on the validation split by minimising negative log-likelihood; kept only when it lowers
the validation ECE. The predictor applies it as ``softmax(logits / T)``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from inference.labels import softmax
from training.metrics import expected_calibration_error


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    probabilities = softmax(logits, temperature)
    return float(-np.log(probabilities[np.arange(len(labels)), labels] + 1e-12).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature in [0.05, 20] that minimises validation NLL (searched in log space)."""
    labels = np.asarray(labels, dtype=int)
    result = minimize_scalar(lambda log_t: negative_log_likelihood(logits, labels, float(np.exp(log_t))),
                             bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def calibrate(logits: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Fit T and report validation ECE before and after; ``temperature`` is 1.0 unless it helps."""
    labels = np.asarray(labels, dtype=int)

    def ece(temperature: float) -> float:
        probabilities = softmax(logits, temperature)
        return expected_calibration_error(probabilities.max(axis=1), probabilities.argmax(axis=1) == labels)

    fitted = fit_temperature(logits, labels)
    before, after = ece(1.0), ece(fitted)
    return {"temperature": fitted if after < before else 1.0, "fitted_temperature": fitted,
            "val_ece_before": before, "val_ece_after": after}
