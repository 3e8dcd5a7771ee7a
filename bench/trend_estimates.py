"""Is the trend report right? Label shares per period from summed probabilities vs argmax counts,
both against the gold labels of an archive whose every sentence is labelled.

Run: .venv/bin/python bench/trend_estimates.py [--model TAG] [--by month --by quarter --by year]
       [--real-dev ../shared/real-dev.jsonl] [--json OUT]
Scores data/archive-sample/articles.jsonl (the test-split articles, with their own `published`
dates) with the served predictor, matches each scored sentence to its gold label in
data/corpus/test.jsonl (article id and stripped text, as `warlens evaluate-archive` does), and
per period compares the gold share of each label with the probability-sum share and the argmax
share over the same sentences. It reports the mean absolute error over labels and periods, the
same pooled over the whole archive, how often the report's 90% interval holds the gold share,
and how many periods the report's drift rule flags on this archive, which has no drift by
construction (its articles are one random split). With real-dev at hand it also compares the two
estimators' shares over real published sentences (one pool: real-dev has no dates).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from common import ROOT

from batch.local import ScoreOptions, score_local
from batch.output import read_scored
from inference.artifact import DEFAULT_MODEL
from reports.build import build_report
from reports.estimate import estimate
from reports.periods import UNDATED, period_key

ARCHIVE = ROOT / "data" / "archive-sample" / "articles.jsonl"
GOLD = ROOT / "data" / "corpus" / "test.jsonl"


def matched_rows(scored: Path, gold_path: Path) -> tuple[list[dict], list[str], list[str]]:
    """Scored rows with a gold label, the gold labels, and the labels in output order."""
    gold = {(str(g["article_id"]), g["text"].strip()): g["label"]
            for g in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines())}
    rows, labels_of_rows = [], []
    scored_rows = list(read_scored(scored))
    labels = [key.removeprefix("p_") for key in scored_rows[0] if key.startswith("p_")]
    for row in scored_rows:
        label = gold.get((str(row["article_id"]), str(row["text"]).strip()))
        if label is not None:
            rows.append(row)
            labels_of_rows.append(label)
    return rows, labels_of_rows, labels


def compare(rows: list[dict], gold: list[str], labels: list[str], by: str) -> dict:
    """Per-period and pooled errors of both estimators against the gold shares, and interval coverage."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        groups[period_key(row.get("published"), by)].append(index)
    probabilities = np.array([[float(row[f"p_{label}"]) for label in labels] for row in rows])
    article_ids = [str(row["article_id"]) for row in rows]
    gold_ids = np.array([labels.index(label) for label in gold])

    def errors(members: list[int]) -> dict:
        chosen = estimate([article_ids[i] for i in members], probabilities[members])
        truth = np.bincount(gold_ids[members], minlength=len(labels)) / len(members)
        return {"articles": chosen.articles, "sentences": chosen.sentences,
                "sum_error": np.abs(chosen.shares - truth),
                "argmax_error": np.abs(chosen.argmax_shares - truth),
                "covered": (chosen.share_low <= truth) & (truth <= chosen.share_high),
                "bias_sum": chosen.shares - truth, "bias_argmax": chosen.argmax_shares - truth}

    periods = {key: errors(members) for key, members in groups.items() if key != UNDATED}
    several = [p for p in periods.values() if p["articles"] > 1]
    pooled = errors(list(range(len(rows))))
    return {
        "by": by, "periods": len(periods),
        "periods_with_2+_articles": len(several),
        "mae_sum": float(np.mean([p["sum_error"].mean() for p in periods.values()])),
        "mae_argmax": float(np.mean([p["argmax_error"].mean() for p in periods.values()])),
        "periods_where_sum_is_closer": int(sum(p["sum_error"].mean() < p["argmax_error"].mean()
                                               for p in periods.values())),
        "interval_coverage_2+_articles": float(np.mean([p["covered"].mean() for p in several])) if several
        else None,
        "pooled_mae_sum": float(pooled["sum_error"].mean()),
        "pooled_mae_argmax": float(pooled["argmax_error"].mean()),
        "pooled_bias_sum": dict(zip(labels, np.round(pooled["bias_sum"], 4).tolist(), strict=True)),
        "pooled_bias_argmax": dict(zip(labels, np.round(pooled["bias_argmax"], 4).tolist(), strict=True)),
    }


def real_dev_comparison(path: Path, model: str) -> dict:
    """Both estimators' shares against the gold shares of real-dev, all rows and `run` rows."""
    from real_text import read_real_dev, real_dev_scores

    from training.kinds import load_classifier

    rows = read_real_dev(path)
    artifact, classifier = load_classifier(model, "onnx-int8")
    probabilities, gold = real_dev_scores(rows, classifier, artifact.labels, artifact.metadata.context_words)
    out, n_labels = {}, len(artifact.labels)
    for name, keep in (("all", np.ones(len(rows), dtype=bool)),
                       ("run", np.array([row["selection"] == "run" for row in rows]))):
        truth = np.bincount(gold[keep], minlength=n_labels) / keep.sum()
        by_sum = probabilities[keep].mean(axis=0)
        by_argmax = np.bincount(probabilities[keep].argmax(axis=1), minlength=n_labels) / keep.sum()
        out[name] = {"sentences": int(keep.sum()), "mae_sum": float(np.abs(by_sum - truth).mean()),
                     "mae_argmax": float(np.abs(by_argmax - truth).mean())}
    return out


def flags(scored: Path, by: str, out: Path) -> dict:
    """How many periods the report judges and flags on this archive."""
    report, _ = build_report(scored, by, out=out / by)
    judged = [p for p in report["periods"] if p["drift"]["judged"]]
    return {"judged_periods": len(judged), "flagged_periods": sum(bool(p["drift"]["flags"]) for p in judged)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--by", action="append", help="periods to compare at (repeatable); "
                        "default month, quarter and year")
    parser.add_argument("--real-dev", type=Path, default=ROOT.parent / "shared" / "real-dev.jsonl",
                        help="real-dev sentences; skipped when the file is absent")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scored = Path(tmp) / "scored"
        options = ScoreOptions(inputs=(ARCHIVE,), output=scored, model=args.model)
        predictor = options.load_predictor()
        summary = score_local(options, predictor, progress=False)
        rows, gold, labels = matched_rows(scored, GOLD)
        results = {"model": predictor.artifact.tag, "backend": predictor.backend,
                   "scored_sentences": summary["sentences"], "matched_sentences": len(rows),
                   "articles": summary["articles"],
                   "comparisons": [compare(rows, gold, labels, by) | flags(scored, by, Path(tmp) / "report")
                                   for by in args.by or ("month", "quarter", "year")]}
    if args.real_dev.is_file():
        results["real_dev"] = real_dev_comparison(args.real_dev, args.model)
    print(json.dumps(results, indent=2))
    print("\n| periods | count | 2+ articles | MAE probability sum | MAE argmax | sum closer in | "
          "90% interval holds gold | flagged / judged |")
    print("|---|---|---|---|---|---|---|---|")
    for c in results["comparisons"]:
        coverage = c["interval_coverage_2+_articles"]
        print(f"| {c['by']} | {c['periods']} | {c['periods_with_2+_articles']} | {c['mae_sum']:.4f} | "
              f"{c['mae_argmax']:.4f} | {c['periods_where_sum_is_closer']} of {c['periods']} | "
              f"{'—' if coverage is None else f'{coverage:.0%}'} | "
              f"{c['flagged_periods']} / {c['judged_periods']} |")
    first = results["comparisons"][0]
    print(f"\nwhole archive: MAE probability sum {first['pooled_mae_sum']:.4f}, "
          f"argmax {first['pooled_mae_argmax']:.4f}")
    print(f"bias (estimate - gold), probability sum: {first['pooled_bias_sum']}")
    print(f"bias (estimate - gold), argmax: {first['pooled_bias_argmax']}")
    for name, real in results.get("real_dev", {}).items():
        print(f"real-dev {name} ({real['sentences']} sentences): MAE probability sum {real['mae_sum']:.4f}, "
              f"argmax {real['mae_argmax']:.4f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
