"""`warlens review select`: pick the scored archive sentences most worth a reviewer's label.

``uncertainty`` takes the lowest top probabilities and ``margin`` the smallest gaps between
the first two labels (Prodigy's order). ``diverse`` (the default) takes a pool of the lowest
margins, shares the budget evenly across predicted labels and, within each label, picks by
k-center greedy over the encoder's embeddings, so ten near-copies of one unsure sentence cost
one review, not ten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from review.queue import QueueItem, context_of
from review.rules import deciding_rule

STRATEGIES = ("uncertainty", "margin", "diverse")
POOL_FACTOR = 5  # diverse: candidates are the budget x this many lowest-margin sentences

# Unit-length embeddings of the given rows (indices into the rows being chosen from).
EmbedRows = Callable[[np.ndarray], np.ndarray]
EmbedTexts = Callable[[list[str]], np.ndarray]


def margins(probabilities: np.ndarray) -> np.ndarray:
    """Top probability minus the runner-up, per row: ``[[0.5, 0.3, 0.2]]`` -> ``[0.2]``."""
    top_two = np.sort(probabilities, axis=1)[:, -2:]
    return top_two[:, 1] - top_two[:, 0]


def k_center_greedy(embeddings: np.ndarray, count: int, first: int = 0) -> list[int]:
    """Rows that cover ``embeddings`` best: start at ``first``, then repeatedly add the row
    farthest (cosine distance) from every row chosen so far."""
    count = min(count, len(embeddings))
    if count <= 0:
        return []
    chosen = [first]
    distance = 1.0 - embeddings @ embeddings[first]
    while len(chosen) < count:
        distance[chosen] = -np.inf
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, 1.0 - embeddings @ embeddings[nxt])
    return chosen


def balanced_quota(available: dict[str, int], budget: int) -> dict[str, int]:
    """Share ``budget`` as evenly as the labels' candidates allow; what a small label cannot
    use goes to the others: ``{"a": 1, "b": 9}, 6`` -> ``{"a": 1, "b": 5}``."""
    quota = dict.fromkeys(available, 0)
    left = min(budget, sum(available.values()))
    while left > 0:
        open_labels = sorted(label for label in available if quota[label] < available[label])
        share = max(1, left // len(open_labels))
        for label in open_labels:
            take = min(share, available[label] - quota[label], left)
            quota[label] += take
            left -= take
            if left == 0:
                break
    return quota


def choose(probabilities: np.ndarray, budget: int, strategy: str,
           embed: EmbedRows | None = None) -> list[int]:
    """Row indices to review, most uncertain first."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    if budget < 1:
        raise ValueError(f"budget must be at least 1, not {budget}")
    gaps = margins(probabilities)
    if strategy == "uncertainty":
        return list(np.argsort(probabilities.max(axis=1), kind="stable")[:budget])
    by_margin = np.argsort(gaps, kind="stable")
    if strategy == "margin":
        return list(by_margin[:budget])
    if embed is None:
        raise ValueError("the diverse strategy needs an embedding function")
    pool = by_margin[: budget * POOL_FACTOR]
    predicted = probabilities[pool].argmax(axis=1)
    groups = {int(label): pool[predicted == label] for label in np.unique(predicted)}
    quota = balanced_quota({str(label): len(rows) for label, rows in groups.items()}, budget)
    vectors = embed(pool)
    position = {int(row): index for index, row in enumerate(pool)}
    picked: list[int] = []
    for label, rows in groups.items():
        members = vectors[[position[int(row)] for row in rows]]
        picked.extend(int(rows[i]) for i in k_center_greedy(members, quota[str(label)]))
    return sorted(picked, key=lambda row: gaps[row])


def select_for_review(rows: Sequence[dict[str, Any]], labels: Sequence[str], budget: int,
                      strategy: str = "diverse", embed: EmbedTexts | None = None,
                      source: str | None = None) -> list[QueueItem]:
    """Queue items for the chosen rows of a scored output, each with the sentences around it
    and the guideline rule between the model's first two labels."""
    if not rows:
        raise ValueError("the scored output holds no sentences")
    missing = [f"p_{label}" for label in labels if f"p_{label}" not in rows[0]]
    if missing:
        raise ValueError(f"the scored output has no probability columns {', '.join(missing)}")
    probabilities = np.array([[float(row[f"p_{label}"]) for label in labels] for row in rows])
    texts = [str(row["text"]) for row in rows]
    articles = [str(row["article_id"]) for row in rows]
    positions = [int(row["sentence_index"]) for row in rows]
    neighbours = context_of(articles, positions, texts)
    gaps = margins(probabilities)
    items = []
    embed_rows = (lambda rows: embed([texts[row] for row in rows])) if embed else None
    for row in choose(probabilities, budget, strategy, embed_rows):
        first, second = np.argsort(probabilities[row])[::-1][:2]
        score = probabilities[row].max() if strategy == "uncertainty" else gaps[row]
        items.append(QueueItem(
            kind="selected", id=f"{articles[row]}#{positions[row]}", article_id=articles[row],
            sentence_index=positions[row], text=texts[row], gold=None, suggested=labels[first],
            score=round(float(score), 4), rule=deciding_rule(labels[first], labels[second]),
            probabilities={label: round(float(p), 4)
                           for label, p in zip(labels, probabilities[row], strict=True)},
            context=neighbours[row], source=source))
    return items
