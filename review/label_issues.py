"""`warlens data issues`: out-of-fold probabilities, then cleanlab's ranked label issues,
near-duplicate pairs and outliers, as one queue a reviewer works through.

Folds are grouped by article, so a sentence is always scored by a model that never saw its
article (a neighbour's wording would otherwise vouch for its label).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from review.queue import QueueItem, context_of
from review.rules import deciding_rule
from training.corpus import BOILERPLATE_KINDS
from training.kinds import get_kind

if TYPE_CHECKING:
    from datasets import Dataset

    from training.config import ExperimentConfig

NEAR_DUPLICATE_COSINE = 0.9
OUTLIER_SHARE = 0.005
# Headings and bylines recur by nature; a short line ("Kyiv, Ukraine") matches by chance.
MIN_DUPLICATE_WORDS = 6


@dataclass
class IssueReport:
    queue: list[QueueItem]
    counts: dict[str, int]
    seconds: float


def out_of_fold_probabilities(cfg: ExperimentConfig, train: Dataset, folds: int,
                              on_fold: Callable[[int], None] | None = None) -> np.ndarray:
    """Each row's probabilities from the fold model that did not see its article.

    Folds are stratified by label and grouped by ``article_id`` (each row its own group when
    the file has none); each fold model is fitted by the config's model kind as `warlens
    train` would, with the held-out fold as its validation split.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.asarray(train["label_id"])
    groups = train["article_id"] if "article_id" in train.column_names else list(range(len(train)))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=cfg.training.seed)
    kind = get_kind(cfg.model.kind)
    out = np.zeros((len(train), len(cfg.labels)), dtype=np.float32)
    for fold, (fit_rows, held_rows) in enumerate(splitter.split(np.zeros(len(labels)), labels, groups)):
        held = train.select(held_rows)
        with tempfile.TemporaryDirectory() as scratch:
            fitted = kind.fit(cfg, {"train": train.select(fit_rows), "validation": held},
                              Path(scratch), lambda metrics, step: None, False)
            contexts = held["context"] if "context" in held.column_names else None
            out[held_rows] = fitted.classifier.probabilities(held["text"], contexts)
        if on_fold:
            on_fold(fold)
    return out


def ranked_label_issues(labels: Sequence[int], probabilities: np.ndarray) -> np.ndarray:
    """Rows cleanlab flags as likely mislabelled, most likely first (lowest self-confidence).

    ``prune_by_class`` flags, per given label, as many rows as the confident joint estimates
    are mislabelled there; with 5% of labels flipped it found more of them in the top k than
    cleanlab's default (0.724 against 0.708, three seeds, docs/review.md)."""
    from cleanlab.filter import find_label_issues

    return find_label_issues(np.asarray(labels), probabilities, filter_by="prune_by_class",
                             return_indices_ranked_by="self_confidence")


def near_duplicates(texts: Sequence[str], articles: Sequence[str], labels: Sequence[int],
                    eligible: Sequence[bool], threshold: float = NEAR_DUPLICATE_COSINE
                    ) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, cosine)`` of eligible sentences from different articles whose word and
    bigram TF-IDF vectors are at least ``threshold`` alike, pairs with different labels first: a
    copied sentence inflates a label's cue, and two labels on one sentence is a label error."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    similar = (vectors @ vectors.T).tocoo()
    triples = zip(similar.row, similar.col, similar.data, strict=True)
    pairs = ((int(i), int(j), float(v)) for i, j, v in triples
             if i < j and v >= threshold and articles[i] != articles[j] and eligible[i] and eligible[j])
    return sorted(pairs, key=lambda pair: (labels[pair[0]] == labels[pair[1]], -pair[2]))


def outliers(texts: Sequence[str], share: float = OUTLIER_SHARE) -> list[tuple[int, float]]:
    """The ``share`` of rows least like the rest, by cleanlab's out-of-distribution score on
    dense features (TF-IDF reduced to 128 dimensions): ``(row, score)``, lowest score first."""
    from cleanlab.outlier import OutOfDistribution
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2).fit_transform(texts)
    components = min(128, tfidf.shape[1] - 1, len(texts) - 1)
    features = normalize(TruncatedSVD(components, random_state=0).fit_transform(tfidf))
    scores = OutOfDistribution().fit_score(features=features, verbose=False)
    count = max(1, round(share * len(texts)))
    return [(int(row), float(scores[row])) for row in np.argsort(scores, kind="stable")[:count]]


def find_issues(cfg: ExperimentConfig, train: Dataset, folds: int,
                on_fold: Callable[[int], None] | None = None) -> IssueReport:
    """Everything `warlens data issues` writes: the ranked queue and the out-of-fold matrix."""
    started = time.perf_counter()
    label_names = list(cfg.labels)
    gold = np.asarray(train["label_id"])
    texts = list(train["text"])
    articles = list(train["article_id"]) if "article_id" in train.column_names else [str(i) for i in
                                                                                      range(len(texts))]
    positions = list(train["sentence_index"]) if "sentence_index" in train.column_names else [0] * len(texts)
    ids = list(train["id"]) if "id" in train.column_names else [str(i) for i in range(len(texts))]
    probabilities = out_of_fold_probabilities(cfg, train, folds, on_fold)
    neighbours = context_of(articles, positions, texts)

    def item(row: int, kind: str, suggested: str, score: float, **extra: Any) -> QueueItem:
        gold_label = label_names[gold[row]]
        return QueueItem(
            kind=kind, id=ids[row], article_id=articles[row], sentence_index=int(positions[row]),
            text=texts[row], gold=gold_label, suggested=suggested, score=round(float(score), 4),
            rule=deciding_rule(gold_label, suggested),
            probabilities={name: round(float(p), 4) for name, p in zip(label_names, probabilities[row],
                                                                        strict=True)},
            context=neighbours[row], **extra)

    queue = [item(row, "label_issue", label_names[int(np.argmax(probabilities[row]))],
                  probabilities[row, gold[row]])
             for row in ranked_label_issues(gold, probabilities)]
    kinds = train["kind"] if "kind" in train.column_names else ["sentence"] * len(texts)
    eligible = [kind not in BOILERPLATE_KINDS and len(text.split()) >= MIN_DUPLICATE_WORDS
                for kind, text in zip(kinds, texts, strict=True)]
    duplicates = near_duplicates(texts, articles, gold, eligible)
    for first, second, cosine in duplicates:
        queue.append(item(first, "near_duplicate", label_names[gold[second]], cosine,
                          other={"id": ids[second], "text": texts[second],
                                 "gold": label_names[gold[second]]}))
    strange = outliers(texts)
    queue.extend(item(row, "outlier", label_names[int(np.argmax(probabilities[row]))], score)
                 for row, score in strange)
    counts = {"sentences": len(texts), "label_issues": len(queue) - len(duplicates) - len(strange),
              "near_duplicates": len(duplicates), "outliers": len(strange)}
    return IssueReport(queue, counts, time.perf_counter() - started)
