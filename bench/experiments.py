"""The experiments table of docs/experiments.md, from tracked runs on the current corpus.

Run: BENTOML_HOME=... MLFLOW_TRACKING_URI=... .venv/bin/python bench/experiments.py --score-held-out
With --score-held-out, every finished run on the current corpus that lacks them first gets
two extra metrics, logged into its MLflow run: macro-F1 on the out-of-style check set
(data/ood/check.jsonl) and the number of seed-article sentences labelled right (a model trained
with context reads each seed sentence with its neighbours). Neither set
is used for training or selection; they are scored after the fact, for the report only.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import ROOT, corpus_hash

HELD_OUT = {"ood_macro_f1": ROOT / "data" / "ood" / "check.jsonl",
            "seed_correct": ROOT / "data" / "examples" / "seed-labels.jsonl"}
LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


def config_files() -> dict[str, str]:
    """Experiment name -> config file that defines it."""
    import yaml

    names = {}
    for path in sorted((ROOT / "configs").rglob("*.yaml")):
        name = (yaml.safe_load(path.read_text()) or {}).get("name")
        if name:
            names[name] = str(path.relative_to(ROOT))
    return names


def score_held_out(client, run) -> None:
    """Evaluate the run's stored model on the held-out sets and log the two metrics."""
    from inference.context import neighbour_contexts
    from training.data import load_labelled
    from training.evaluate import evaluate_texts
    from training.kinds import load_classifier

    artifact, classifier = load_classifier(run.data.tags["model_tag"])
    words = artifact.metadata.context_words
    for metric, path in HELD_OUT.items():
        data = load_labelled(path, classifier.labels)
        # The seed article's sentences are one article in reading order; the OOD lines stand alone.
        contexts = neighbour_contexts(data["text"], words) if words and metric == "seed_correct" else None
        report, _ = evaluate_texts(classifier, data["text"], data["label_id"], classifier.labels, contexts)
        value = report["macro_f1"] if metric == "ood_macro_f1" else round(report["accuracy"] * report["n"])
        client.log_metric(run.info.run_id, metric, float(value))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--score-held-out", action="store_true")
    parser.add_argument("--json", type=Path, help="Also write the rows as JSON here.")
    parser.add_argument("--data-hash", help="Runs on this corpus hash (default: the corpus as it is now).")
    args = parser.parse_args()

    import mlflow

    from training.tracking import tracking_uri
    from warlens.settings import load_settings

    current = args.data_hash or corpus_hash()
    mlflow.set_tracking_uri(tracking_uri(load_settings().mlflow_tracking_uri))
    client = mlflow.MlflowClient()
    experiments = [e.experiment_id for e in client.search_experiments()]
    runs = client.search_runs(experiments, filter_string=f"tags.data_hash = '{current}'",
                              order_by=["attributes.start_time ASC"])
    runs = [run for run in runs if run.info.status == "FINISHED" and "model_tag" in run.data.tags]
    if args.score_held_out:
        for run in runs:
            if "ood_macro_f1" not in run.data.metrics:
                score_held_out(client, run)
        runs = [client.get_run(run.info.run_id) for run in runs]
    files = config_files()
    rows = []
    for run in runs:
        metrics, params = run.data.metrics, run.data.params
        name = params.get("name", run.info.run_name)
        rows.append({
            "config": files.get(name, name), "seed": params.get("training.seed"),
            "kind": params.get("model.kind"), "n_train": metrics.get("n_train"),
            "val": metrics.get("val_macro_f1"), "test": metrics.get("test_macro_f1"),
            "ood": metrics.get("ood_macro_f1"), "seed_correct": metrics.get("seed_correct"),
            "ece": metrics.get("test_ece"), "time_s": metrics.get("wall_time_s"),
            **{label: metrics.get(f"test_f1_{label}") for label in LABELS},
        })
    header = ("| config | seed | val | test | OOD | seed article | test F1 incident / statistic / captive / "
              "forecast / other | test ECE | time |")
    print(header)
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|")

    def fmt(value, digits=3):
        return "-" if value is None else f"{value:.{digits}f}"

    for row in rows:
        per_label = " / ".join(fmt(row[label]) for label in LABELS)
        seed_correct = "-" if row["seed_correct"] is None else f"{row['seed_correct']:.0f}/15"
        print(f"| `{row['config']}` | {row['seed']} | {fmt(row['val'])} | {fmt(row['test'])} | "
              f"{fmt(row['ood'])} | {seed_correct} | {per_label} | {fmt(row['ece'])} | "
              f"{fmt(row['time_s'], 0)} s |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
