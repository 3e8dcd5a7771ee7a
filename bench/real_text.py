"""The yardstick: stored models on real published reporting (../shared/real-dev.jsonl).

Run: .venv/bin/python bench/real_text.py [--model TAG ...] [--backend onnx-int8 --backend torch]
       [--data ../shared/real-dev.jsonl] [--json OUT]
Each model is scored on the path users get (a transformer through the served predictor, then
torch as a second row; a baseline through its own kind): macro-F1, accuracy, ECE, per-label F1,
each for all sentences and split by `selection` (run: consecutive lines of real pages;
targeted: rare labels and boundary cases), and the confusion matrix. The file is third-party
text kept outside the repository: measure and choose on it, never train or fit on it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from common import ROOT

DEFAULT_DATA = ROOT.parent / "shared" / "real-dev.jsonl"
DEFAULT_MODELS = ("warlens-classifier:latest", "warlens-baseline:latest")
TRANSFORMER_BACKENDS = ("onnx-int8", "torch")


def read_real_dev(path: Path) -> list[dict]:
    if not path.is_file():
        sys.exit(f"error: {path}: real-dev file not found. It lives in the project's shared folder "
                 "beside the repository (../shared/real-dev.jsonl); pass --data PATH if it is elsewhere.")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score_rows(rows: list[dict], classifier, labels: list[str]) -> dict:
    """Reports for all rows and for each `selection`, in the model's label order."""
    import numpy as np

    from training.metrics import evaluation_report

    probabilities = classifier.probabilities([row["text"] for row in rows])
    columns = [classifier.labels.index(label) for label in labels]
    probabilities = probabilities[:, columns]
    gold = np.asarray([labels.index(row["label"]) for row in rows])
    reports = {"all": evaluation_report(gold, probabilities, labels)}
    for selection in sorted({row["selection"] for row in rows}):
        keep = np.asarray([row["selection"] == selection for row in rows])
        reports[selection] = evaluation_report(gold[keep], probabilities[keep], labels)
    correct = probabilities.argmax(axis=1) == gold
    wrong_confidence = probabilities.max(axis=1)[~correct]
    share = float((wrong_confidence < 0.7).mean()) if wrong_confidence.size else 0.0
    reports["all"]["errors_under_0.7"] = share
    return reports


def table_row(name: str, reports: dict, labels: list[str]) -> str:
    overall = reports["all"]
    cells = [f"{overall['macro_f1']:.3f}", f"{overall['accuracy']:.3f}", f"{overall['ece']:.3f}",
             f"{overall['errors_under_0.7']:.0%}",
             *(f"{reports[s]['macro_f1']:.3f}" for s in ("run", "targeted") if s in reports),
             *(f"{overall['per_label'][label]['f1']:.2f}" for label in labels)]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", help="model tag or directory (repeatable)")
    parser.add_argument("--backend", action="append", help="transformer backends to run (repeatable)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", type=Path, help="also write every report here")
    args = parser.parse_args()
    rows = read_real_dev(args.data)

    from inference.artifact import ModelNotFound
    from training.kinds import load_classifier
    from training.metrics import confusion_table

    results = {}
    for ref in args.model or DEFAULT_MODELS:
        try:
            artifact, _ = load_classifier(ref, None)
        except ModelNotFound as err:
            sys.exit(f"error: {err}")
        transformer = artifact.metadata.kind == "transformer"
        backends = (args.backend or TRANSFORMER_BACKENDS) if transformer else (None,)
        for backend in backends:
            _, classifier = load_classifier(ref, backend)
            name = f"{artifact.tag} ({artifact.metadata.experiment}, {backend or artifact.metadata.kind})"
            results[name] = score_rows(rows, classifier, artifact.labels)
            print(f"\n{name}\n{confusion_table(results[name]['all'])}")
    labels = next(iter(results.values()))["all"]["labels"]
    print(f"\nreal-dev: {len(rows)} sentences ({args.data})\n")
    print("| model | macro-F1 | accuracy | ECE | errors under 0.7 | run F1 | targeted F1 | "
          + " | ".join(f"F1 {label}" for label in labels) + " |")
    print("|" + "---|" * (7 + len(labels)))
    for name, reports in results.items():
        print(table_row(name, reports, labels))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
