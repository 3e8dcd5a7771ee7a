"""Prometheus figures a dashboard can watch for drift, exported on BentoML's `/metrics`.

The same three a scored archive's summary records (`warlens report` compares them per
period): the label mix, the distribution of the top probability, and how many sentences fall
under the int8 re-check threshold. A share is a ratio of two counters in PromQL, e.g.
``rate(warlens_low_confidence_sentences_total[1h]) / rate(warlens_labelled_sentences_total[1h])``
summed over labels.
"""

from __future__ import annotations

from collections.abc import Iterable

import bentoml

from inference.labels import Prediction

# Fine steps near the top, where most sentences sit; 0.9 is the default re-check threshold.
TOP_PROBABILITY_BUCKETS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)

labelled_sentences = bentoml.metrics.Counter(
    name="warlens_labelled_sentences_total",
    documentation="Sentences labelled by /classify and /classify_article, by predicted label.",
    labelnames=["label"],
)
top_probability = bentoml.metrics.Histogram(
    name="warlens_top_probability",
    documentation="Probability of the predicted label, per labelled sentence.",
    buckets=TOP_PROBABILITY_BUCKETS,
)
low_confidence_sentences = bentoml.metrics.Counter(
    name="warlens_low_confidence_sentences_total",
    documentation="Labelled sentences whose top probability is under the low-confidence threshold "
                  "(the int8 re-check threshold, 0.9 by default).",
)


def record(predictions: Iterable[Prediction], threshold: float) -> None:
    """Count each prediction by label, observe its top probability, count it if under ``threshold``."""
    for prediction in predictions:
        labelled_sentences.labels(label=prediction.label).inc()
        top_probability.observe(prediction.score)
        if prediction.score < threshold:
            low_confidence_sentences.inc()
