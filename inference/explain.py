"""Why a sentence got its label: a score per word for one label.

Two methods, both on the stored model:

- ``integrated-gradients`` (the default): captum's Integrated Gradients of the label's
  temperature-scaled logit over the torch model's token embeddings, from a baseline where every
  word piece is padding; the pieces of a word are summed into the word. The logit, not the
  probability: the softmax saturates along the path, so the probability's integral needs more
  steps to add up (at 64 steps the logit's attributions add up within 0.1%, the probability's
  up to 7% off).
- ``occlusion``: drop one word at a time and score every variant in one predictor call, so it
  runs on whatever backend serves (the int8 graph included); a word's score is how far the
  label's probability falls without it.

docs/explanations.md compares them on deletion curves and latency: Integrated Gradients finds
the words whose deletion sinks the label more surely, occlusion answers about 12x faster.
Scores are divided by the largest absolute score, so the strongest word is 1 (or -1: a word
that argues against the label).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from inference.predictor import Predictor

METHODS = ("integrated-gradients", "occlusion")
DEFAULT_METHOD = "integrated-gradients"
IG_STEPS = 64
# A word: letters and digits, with inner apostrophes, hyphens, dots and commas ("don't",
# "al-Shabaab", "U.S", "1,200", "3.5"); punctuation between words carries no score.
WORD = re.compile(r"\w+(?:['’.,-]\w+)*")


@dataclass(frozen=True)
class WordScore:
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Explanation:
    label: str
    probability: float
    predicted: str
    method: str
    words: list[WordScore]

    def top_words(self, k: int = 5) -> list[WordScore]:
        """The ``k`` words that most support the label, strongest first."""
        supporting = [w for w in self.words if w.score > 0]
        return sorted(supporting, key=lambda w: -w.score)[:k]


def word_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in WORD.finditer(text)]


def without_words(text: str, spans: list[tuple[int, int]], drop: set[int]) -> str:
    """``text`` with the words at indexes ``drop`` cut out and the spaces left behind closed."""
    pieces, last = [], 0
    for index in sorted(drop):
        start, end = spans[index]
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return re.sub(r"\s{2,}", " ", "".join(pieces)).strip()


def normalised(raw: np.ndarray) -> np.ndarray:
    peak = float(np.abs(raw).max()) if raw.size else 0.0
    return raw / peak if peak > 0 else np.zeros_like(raw)


def occlusion_probabilities(predictor: Predictor, text: str, spans: list[tuple[int, int]]) -> np.ndarray:
    """Probabilities of the whole sentence (row 0), then of the sentence without each word in
    turn, scored in one predictor call."""
    variants = [without_words(text, spans, {index}) for index in range(len(spans))]
    return predictor.probabilities([text, *variants])


def pieces_to_words(piece_scores: np.ndarray, offsets: list[tuple[int, int]],
                    spans: list[tuple[int, int]]) -> np.ndarray:
    """Sum each word piece's score into the word its characters fall in; special tokens (empty
    offsets) and pieces outside every word (punctuation) are dropped."""
    words = np.zeros(len(spans))
    starts = np.array([start for start, _ in spans])
    for score, (start, end) in zip(piece_scores, offsets, strict=True):
        if end <= start:
            continue
        index = int(np.searchsorted(starts, start, side="right")) - 1
        if index >= 0 and start < spans[index][1]:
            words[index] += score
    return words


class IntegratedGradients:
    """Integrated Gradients of one label's logit on the stored model's torch weights, loaded on
    first use (a served int8 predictor holds no torch model)."""

    def __init__(self, predictor: Predictor, steps: int = IG_STEPS) -> None:
        self.predictor = predictor
        self.steps = steps
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from transformers import AutoModelForSequenceClassification

                self._model = AutoModelForSequenceClassification.from_pretrained(
                    self.predictor.artifact.directory).eval()
            return self._model

    def scores(self, text: str, spans: list[tuple[int, int]], column: int) -> np.ndarray:
        import torch
        from captum.attr import LayerIntegratedGradients

        model, tokenizer = self._loaded(), self.predictor.tokenizer
        encoded = tokenizer(text, truncation=True, max_length=self.predictor.max_length,
                            return_offsets_mapping=True, return_tensors="pt")
        offsets = [tuple(pair) for pair in encoded.pop("offset_mapping")[0].tolist()]
        ids, mask = encoded["input_ids"], encoded["attention_mask"]
        special = torch.tensor([end <= start for start, end in offsets])
        baseline = torch.where(special, ids, torch.full_like(ids, tokenizer.pad_token_id))
        temperature = self.predictor.temperature

        def scaled_logits(input_ids, attention_mask):
            return model(input_ids=input_ids, attention_mask=attention_mask).logits / temperature

        integrated = LayerIntegratedGradients(scaled_logits, model.get_input_embeddings())
        attributions = integrated.attribute(ids, baselines=baseline, target=column,
                                            additional_forward_args=(mask,), n_steps=self.steps,
                                            internal_batch_size=self.steps)
        return pieces_to_words(attributions.sum(dim=-1)[0].detach().numpy(), offsets, spans)


class Explainer:
    """Explains the labels of one predictor's model."""

    def __init__(self, predictor: Predictor) -> None:
        self.predictor = predictor
        self.integrated_gradients = IntegratedGradients(predictor)

    def explain(self, text: str, label: str | None = None, method: str = DEFAULT_METHOD) -> Explanation:
        """Word scores for ``label`` (default: the predicted label) by ``method``."""
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}: choose one of {', '.join(METHODS)}")
        if label is not None and label not in self.predictor.labels:
            raise ValueError(f"unknown label {label!r}: choose one of {', '.join(self.predictor.labels)}")
        if not text.strip():
            raise ValueError("the sentence is blank")
        spans = word_spans(text)
        occluded = occlusion_probabilities(self.predictor, text, spans) if method == "occlusion" else None
        whole = occluded[0] if occluded is not None else self.predictor.probabilities([text])[0]
        column = self.predictor.labels.index(label) if label else int(whole.argmax())
        if occluded is not None:
            raw = occluded[0, column] - occluded[1:, column]
        else:
            raw = self.integrated_gradients.scores(text, spans, column)
        scores = normalised(np.asarray(raw, dtype=float))
        return Explanation(
            label=self.predictor.labels[column], probability=float(whole[column]),
            predicted=self.predictor.labels[int(whole.argmax())], method=method,
            words=[WordScore(text[s:e], s, e, round(float(v), 4)) for (s, e), v in zip(spans, scores,
                                                                                      strict=True)])

