"""Learning curve: test macro-F1 against the number of training sentences, from tracked runs.

Run: .venv/bin/python bench/learning_curve.py [--train] [--out docs/figures/learning-curve.png]
With --train it first runs `warlens train` on 10%, 25% and 50% of the training sentences
(stratified, seeded; calibration off so only the data changes; stored as `warlens-sweep`, so
the served default stays as it is). It then plots every finished
run named minilm-frac-* plus the full-data runs named minilm on the current corpus (same data
hash) from the MLflow stores given: the mean over seeds at each size, on the test split and, for
runs that bench/experiments.py --score-held-out has scored, on the out-of-style check set.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from common import ROOT, corpus_hash

FRACTIONS = (0.1, 0.25, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "figures" / "learning-curve.png")
    parser.add_argument("--tracking", action="append", default=None,
                        help="MLflow tracking URI to read (repeatable; default the current one)")
    parser.add_argument("--data-hash", help="Runs on this corpus hash (default: the corpus as it is now).")
    args = parser.parse_args()
    if args.train:
        for fraction in FRACTIONS:
            subprocess.run([sys.executable, "-m", "warlens", "train", "--config", "configs/minilm.yaml",
                            "--set", f"data.train_fraction={fraction}", "--set", "training.calibrate=false",
                            "--set", f"name=minilm-frac-{fraction}",
                            "--set", "model.store_name=warlens-sweep", "--no-progress"], cwd=ROOT, check=True)
    from training.tracking import list_runs, tracking_uri
    from warlens.settings import load_settings

    current = args.data_hash or corpus_hash()

    test: dict[int, list[float]] = {}
    ood: dict[int, list[float]] = {}
    import mlflow

    for uri in args.tracking or [tracking_uri(load_settings().mlflow_tracking_uri)]:
        for row in list_runs(uri):
            if row["status"] != "FINISHED" or row["data_hash"] != current or not (
                    row["config"] == "minilm" or row["config"].startswith("minilm-frac-")):
                continue
            run = mlflow.get_run(row["run_id"])
            n = int(run.data.metrics["n_train"])
            test.setdefault(n, []).append(run.data.metrics["test_macro_f1"])
            if "ood_macro_f1" in run.data.metrics:
                ood.setdefault(n, []).append(run.data.metrics["ood_macro_f1"])
    sizes = sorted(test)
    test_mean = {n: statistics.mean(values) for n, values in test.items()}
    ood_mean = {n: statistics.mean(values) for n, values in ood.items()}
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(sizes, [test_mean[n] for n in sizes], "s-", label="test split")
    if ood_mean:
        ood_sizes = sorted(ood_mean)
        ax.plot(ood_sizes, [ood_mean[n] for n in ood_sizes], "o--", label="out-of-style check set")
    ax.set_xscale("log")
    ax.set_xlabel("training sentences (log scale)")
    ax.set_ylabel("macro-F1")
    ax.set_title("all-MiniLM-L6-v2 fine-tuned, configs/minilm.yaml")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=120)
    for n in sizes:
        runs = f" (mean of {len(test[n])} runs)" if len(test[n]) > 1 else ""
        out_of_style = f", out-of-style {ood_mean[n]:.3f}" if n in ood_mean else ""
        print(f"{n:>6} training sentences: test macro-F1 {test_mean[n]:.3f}{out_of_style}{runs}")


if __name__ == "__main__":
    main()
