"""What reading each sentence in context costs in served time: batch scoring of the archive
sample by a model that reads context and one that does not, paired in alternating rounds.

Run: PYTHONPATH=. .venv/bin/python bench/context_cost.py --with-context TAG --without TAG [--rounds 3]
Both go through `batch.local.score_articles` (segment, then one length-sorted predictor call per
group of articles) on the default backend; the context model also builds each unit's context
and reads the longer pair input. Prints JSON: sentences/s of each per round, and the ratio of
the medians (the issue "Real text" allows context at most 1.5x the time per sentence).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from common import ROOT

from batch.local import score_articles
from batch.readers import Article
from inference.predictor import Predictor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--with-context", required=True, help="model tag or directory reading context")
    parser.add_argument("--without", required=True, help="model tag or directory reading sentences alone")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--group", type=int, default=50, help="articles per predictor call")
    args = parser.parse_args()
    lines = (ROOT / "data" / "archive-sample" / "articles.jsonl").read_text().splitlines()
    articles = [Article("archive-sample", number, record["id"], record["text"])
                for number, record in enumerate(map(json.loads, lines), start=1)]
    predictors = {"with_context": Predictor.load(args.with_context), "without": Predictor.load(args.without)}
    if not predictors["with_context"].context_words or predictors["without"].context_words:
        parser.error("--with-context needs a model trained with context, --without one without")
    rates: dict[str, list[float]] = {name: [] for name in predictors}
    for predictor in predictors.values():  # warm-up: graphs built and loaded, caches filled
        score_articles(articles[: args.group], predictor)
    for _ in range(args.rounds):
        for name, predictor in predictors.items():
            started, sentences = time.perf_counter(), 0
            for start in range(0, len(articles), args.group):
                sentences += len(score_articles(articles[start:start + args.group], predictor))
            rates[name].append(sentences / (time.perf_counter() - started))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    print(json.dumps({"sentences": sentences, "sentences_per_s": rates, "median": medians,
                      "time_per_sentence_ratio": medians["without"] / medians["with_context"]}, indent=2))


if __name__ == "__main__":
    main()
