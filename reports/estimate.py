"""How much of each label a set of sentences holds, with a bootstrap interval over articles.

The estimate of a label's count is the sum of its calibrated probabilities over the sentences,
not the number of sentences it wins: a sentence that is 60% forecast and 40% other adds 0.6
and 0.4, so the estimate moves smoothly with the model's doubt. Argmax counts are kept beside
it: on the archive sample they came closer to the gold shares (docs/reports.md), because the
model spreads its leftover probability evenly and so pulls every summed share toward the middle.
Sentences of one article are not independent (one register, one writer), so the interval
resamples whole articles.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

LEVEL = 0.9
RESAMPLES = 1000
SEED = 0
# Resampled article-by-label cells held at once: bounds memory for periods of many articles.
CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class Estimate:
    """One period's (or group's) estimates; every array is in label order."""

    sentences: int
    articles: int
    counts: np.ndarray
    shares: np.ndarray
    count_low: np.ndarray
    count_high: np.ndarray
    share_low: np.ndarray
    share_high: np.ndarray
    argmax_counts: np.ndarray
    argmax_shares: np.ndarray

    def as_dict(self, labels: Sequence[str]) -> dict[str, Any]:
        """Plain numbers per label, for report.json and the HTML table."""
        def per_label(values: np.ndarray) -> dict[str, float]:
            return {label: float(value) for label, value in zip(labels, values, strict=True)}

        return {"sentences": self.sentences, "articles": self.articles,
                "count": per_label(self.counts), "count_low": per_label(self.count_low),
                "count_high": per_label(self.count_high), "share": per_label(self.shares),
                "share_low": per_label(self.share_low), "share_high": per_label(self.share_high),
                "argmax_count": {label: int(v) for label, v in zip(labels, self.argmax_counts, strict=True)},
                "argmax_share": per_label(self.argmax_shares)}


def article_totals(article_ids: Sequence[Hashable],
                   probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Summed probabilities (articles x labels) and sentence counts per article, ids in sorted order.

    ``["b", "a", "b"]``, ``[[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]`` -> ``[[0.2, 0.8], [1.4, 0.6]]``, ``[1, 2]``.
    """
    unique, index = np.unique(np.asarray(article_ids, dtype=object), return_inverse=True)
    index = index.reshape(-1)
    sums = np.zeros((len(unique), probabilities.shape[1]))
    np.add.at(sums, index, probabilities)
    return sums, np.bincount(index, minlength=len(unique))


def bootstrap(sums: np.ndarray, sentences: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED,
              level: float = LEVEL) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Percentile intervals of counts and shares over resamples of whole articles.

    Each resample draws as many articles as there are, with replacement; a label's count in
    it is the sum of the drawn articles' probability sums, its share that over their sentences.
    Returns ``(count_low, count_high, share_low, share_high)`` per label.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, not {resamples}")
    n_articles, n_labels = sums.shape
    rng = np.random.default_rng(seed)
    chunk = max(1, CHUNK_CELLS // max(1, n_articles * n_labels))
    counts, shares = [], []
    for start in range(0, resamples, chunk):
        drawn = rng.integers(0, n_articles, size=(min(chunk, resamples - start), n_articles))
        count = sums[drawn].sum(axis=1)
        total = sentences[drawn].sum(axis=1)
        counts.append(count)
        shares.append(count / np.maximum(total, 1)[:, None])
    tails = [(1 - level) / 2, 1 - (1 - level) / 2]
    count_low, count_high = np.quantile(np.concatenate(counts), tails, axis=0)
    share_low, share_high = np.quantile(np.concatenate(shares), tails, axis=0)
    return count_low, count_high, share_low, share_high


def estimate(article_ids: Sequence[Hashable], probabilities: np.ndarray, resamples: int = RESAMPLES,
             seed: int = SEED, level: float = LEVEL) -> Estimate:
    """Counts and shares of each label over the rows (sentences) of ``probabilities``."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    n, n_labels = probabilities.shape
    if n == 0:
        zeros = np.zeros(n_labels)
        return Estimate(0, 0, zeros, zeros, zeros, zeros, zeros, zeros, zeros.astype(int), zeros)
    sums, sentences = article_totals(article_ids, probabilities)
    counts = probabilities.sum(axis=0)
    argmax_counts = np.bincount(probabilities.argmax(axis=1), minlength=n_labels)
    return Estimate(n, len(sentences), counts, counts / n,
                    *bootstrap(sums, sentences, resamples, seed, level), argmax_counts, argmax_counts / n)


def estimate_by(keys: Sequence[Hashable], article_ids: Sequence[Hashable], probabilities: np.ndarray,
                resamples: int = RESAMPLES, seed: int = SEED,
                level: float = LEVEL) -> dict[Hashable, Estimate]:
    """One `estimate` per distinct key (a period, or a (period, group) pair), each with the same seed."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    ids = np.asarray(article_ids, dtype=object)
    rows: dict[Hashable, list[int]] = {}
    for position, key in enumerate(keys):
        rows.setdefault(key, []).append(position)
    return {key: estimate(ids[members], probabilities[members], resamples, seed, level)
            for key, members in rows.items()}
