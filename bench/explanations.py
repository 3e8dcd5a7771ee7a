"""How faithful and how fast the explanation methods are.

Run: PYTHONPATH=. .venv/bin/python bench/explanations.py [--model TAG] [--sentences 200] [--json OUT]
       [--plot PNG]
Faithfulness (deletion curves): for each of the first N test sentences (fixed shuffle, at least
4 words), delete the top 0, 10, ..., 50% of words by attribution and record the probability of
the label the model predicted for the whole sentence; do the same in 5 random orders. The area
between the random curve and the method's curve (fraction of words on x, mean probability on y)
is the score: the larger, the more the attributed words matter. Latency: `Explainer.explain` on
test sentences of 23-27 words, p50 and p95, on the default backend. Also how often the two
methods agree on the top word.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np
from common import ROOT, corpus_sentences, summarise

from inference.explain import METHODS, Explainer, without_words, word_spans
from inference.predictor import DEFAULT_BACKEND, Predictor

FRACTIONS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
RANDOM_ORDERS = 5


def deletion_curve(predictor: Predictor, text: str, order: list[int], column: int) -> np.ndarray:
    """The label's probability after deleting the first ``ceil(f * n)`` words of ``order``, per
    fraction ``f``, in one predictor call."""
    spans = word_spans(text)
    counts = [int(np.ceil(f * len(spans))) for f in FRACTIONS]
    variants = [without_words(text, spans, set(order[:k])) for k in counts]
    return predictor.probabilities(variants)[:, column]


def area(curve: np.ndarray) -> float:
    return float(np.trapezoid(curve, FRACTIONS))


def faithfulness(explainer: Explainer, texts: list[str]) -> dict:
    predictor, rng = explainer.predictor, random.Random(0)
    curves: dict[str, list[np.ndarray]] = {method: [] for method in METHODS} | {"random": []}
    top_agree = 0
    for text in texts:
        column = int(predictor.probabilities([text])[0].argmax())
        tops = []
        for method in METHODS:
            scores = [w.score for w in explainer.explain(text, method=method).words]
            order = sorted(range(len(scores)), key=lambda i: -scores[i])
            tops.append(order[0])
            curves[method].append(deletion_curve(predictor, text, order, column))
        top_agree += tops[0] == tops[1]
        randoms = []
        for _ in range(RANDOM_ORDERS):
            order = list(range(len(word_spans(text))))
            rng.shuffle(order)
            randoms.append(deletion_curve(predictor, text, order, column))
        curves["random"].append(np.mean(randoms, axis=0))
    means = {name: np.mean(rows, axis=0) for name, rows in curves.items()}
    return {
        "sentences": len(texts),
        "fractions": list(FRACTIONS),
        "mean_curves": {name: [round(float(v), 4) for v in curve] for name, curve in means.items()},
        "area_between_random_and_method": {
            method: round(area(means["random"]) - area(means[method]), 4) for method in METHODS},
        "top_word_agreement": round(top_agree / len(texts), 3),
    }


def latency(explainer: Explainer, texts: list[str], repeats: int) -> dict:
    out = {}
    for method in METHODS:
        explainer.explain(texts[0], method=method)
        samples = []
        for _ in range(repeats):
            for text in texts:
                start = time.perf_counter()
                explainer.explain(text, method=method)
                samples.append((time.perf_counter() - start) * 1000)
        out[method] = {k: round(v, 1) for k, v in summarise(samples).items()}
    return out


def plot(result: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    styles = {"occlusion": ("o-", "tab:blue"), "integrated-gradients": ("s--", "tab:orange"),
              "random": ("^:", "grey")}
    for name, curve in result["faithfulness"]["mean_curves"].items():
        style, colour = styles[name]
        ax.plot(FRACTIONS, curve, style, color=colour, label=name)
    ax.set(xlabel="share of words deleted (most attributed first)",
           ylabel="probability of the predicted label",
           title=f"Deletion curves, {result['faithfulness']['sentences']} test sentences")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="warlens-classifier:latest")
    parser.add_argument("--backend", default=DEFAULT_BACKEND)
    parser.add_argument("--sentences", type=int, default=200, help="0: measure latency only")
    parser.add_argument("--repeats", type=int, default=3, help="latency passes over the 25-word sentences")
    parser.add_argument("--json", help="write the result here too")
    parser.add_argument("--plot", help="draw the mean deletion curves here (PNG)")
    args = parser.parse_args()

    explainer = Explainer(Predictor.load(args.model, args.backend))
    texts = [t for t in corpus_sentences("test") if len(word_spans(t)) >= 4]
    random.Random(0).shuffle(texts)
    long_ones = [t for t in texts if 23 <= len(word_spans(t)) <= 27][:40]
    result = {"model": explainer.predictor.artifact.tag, "backend": args.backend}
    if args.sentences:
        result["faithfulness"] = faithfulness(explainer, texts[: args.sentences])
    result |= {"latency_ms_25_words": latency(explainer, long_ones, args.repeats),
               "latency_sentences": len(long_ones)}
    print(json.dumps(result, indent=2))
    if args.json:
        (ROOT / args.json).write_text(json.dumps(result, indent=2), encoding="utf-8")
    if args.plot and args.sentences:
        plot(result, ROOT / args.plot)


if __name__ == "__main__":
    main()
