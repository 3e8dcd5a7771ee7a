"""The yardstick: stored models on real published reporting (../shared/real-dev.jsonl).

Run: .venv/bin/python bench/real_text.py [--model TAG ...] [--backend onnx-int8 --backend torch]
       [--data ../shared/real-dev.jsonl] [--json OUT] [--plot PNG] [--average]
Each model is scored on the path users get (a transformer through the served predictor, then
torch as a second row; a baseline through its own kind): macro-F1, accuracy, ECE, per-label F1,
each for all sentences and split by `selection` (run: consecutive lines of real pages;
targeted: rare labels and boundary cases), and the confusion matrix. A model trained with context
reads each `run` row with its neighbours. --plot draws the first model's reliability diagrams on
the corpus test split and on real-dev side by side. --average adds a row for the mean of the
models' probabilities on each backend (an ensemble of seeds). The file is third-party
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


def real_dev_contexts(rows: list[dict], words: int) -> list[str]:
    """Each row's context: `run` rows of one source are consecutive lines of a page, so their
    neighbours in file order are their context; a `targeted` row stands alone."""
    from inference.context import neighbour_contexts

    contexts = [""] * len(rows)
    runs: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row["selection"] == "run":
            runs.setdefault(row["source"], []).append(index)
    for members in runs.values():
        for index, context in zip(members, neighbour_contexts([rows[i]["text"] for i in members], words),
                                  strict=True):
            contexts[index] = context
    return contexts


def real_dev_scores(rows: list[dict], classifier, labels: list[str], context_words: int | None = None):
    """``(probabilities, gold ids)`` of the rows, columns in ``labels`` order; a model that reads
    context gets each row's neighbours."""
    import numpy as np

    contexts = real_dev_contexts(rows, context_words) if context_words else None
    probabilities = classifier.probabilities([row["text"] for row in rows], contexts)
    columns = [classifier.labels.index(label) for label in labels]
    return probabilities[:, columns], np.asarray([labels.index(row["label"]) for row in rows])


def score_rows(rows: list[dict], probabilities, gold, labels: list[str]) -> dict:
    """Reports for all rows and for each `selection`."""
    import numpy as np

    from training.metrics import evaluation_report

    reports = {"all": evaluation_report(gold, probabilities, labels)}
    for selection in sorted({row["selection"] for row in rows}):
        keep = np.asarray([row["selection"] == selection for row in rows])
        reports[selection] = evaluation_report(gold[keep], probabilities[keep], labels)
    correct = probabilities.argmax(axis=1) == gold
    wrong_confidence = probabilities.max(axis=1)[~correct]
    share = float((wrong_confidence < 0.7).mean()) if wrong_confidence.size else 0.0
    reports["all"]["errors_under_0.7"] = share
    return reports


def test_split_scores(classifier, artifact) -> tuple:
    """``(probabilities, gold ids)`` on the corpus test split, in the model's label order."""
    import numpy as np

    from training.data import load_labelled, with_context

    words = artifact.metadata.context_words
    test = load_labelled(ROOT / "data" / "corpus" / "test.jsonl", artifact.labels)
    contexts = with_context(test, words)["context"] if words else None
    return classifier.probabilities(test["text"], contexts), np.asarray(test["label_id"])


def plot_reliability(panels: dict[str, tuple], path: Path, title: str) -> None:
    """One reliability diagram per ``name -> (probabilities, gold ids)``, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from training.metrics import expected_calibration_error, reliability_bins

    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 5), squeeze=False)
    for ax, (name, (probabilities, gold)) in zip(axes[0], panels.items(), strict=True):
        confidence, correct = probabilities.max(axis=1), probabilities.argmax(axis=1) == gold
        rows = reliability_bins(confidence, correct)
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect calibration")
        ax.bar([r["low"] for r in rows], [r["accuracy"] for r in rows],
               width=[r["high"] - r["low"] for r in rows], align="edge", alpha=0.7, edgecolor="black",
               label="accuracy in bin")
        ax.plot([r["confidence"] for r in rows], [r["accuracy"] for r in rows], "o", color="darkred",
                label="mean confidence")
        for row in rows:
            ax.annotate(str(row["count"]), (row["low"] + 0.005, 0.02), fontsize=7)
        ece = expected_calibration_error(confidence, correct)
        wrong = confidence[~correct]
        under = float((wrong < 0.7).mean()) if wrong.size else 0.0
        ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="accuracy",
               title=f"{name}: n={len(gold)}, ECE {ece:.3f}, errors under 0.7: {under:.0%}")
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def averaged(rows: list[dict], scored: dict[str | None, list[tuple]]) -> dict[str, dict]:
    """Reports of the mean probabilities of the models scored on each backend (an ensemble)."""
    import numpy as np

    reports = {}
    for backend, members in scored.items():
        if len(members) < 2:
            continue
        labels = members[0][0]
        if any(member[0] != labels for member in members):
            sys.exit("error: --average needs models with the same labels in the same order")
        mean = np.mean([probabilities for _, probabilities, _ in members], axis=0)
        reports[f"mean of {len(members)} models ({backend})"] = score_rows(rows, mean, members[0][2], labels)
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
    parser.add_argument("--average", action="store_true",
                        help="also score the mean of the models' probabilities, per backend")
    parser.add_argument("--plot", type=Path, help="write the first model's reliability diagrams here (PNG)")
    args = parser.parse_args()
    rows = read_real_dev(args.data)

    from inference.artifact import ModelNotFound
    from training.kinds import load_classifier
    from training.metrics import confusion_table

    results = {}
    plotted = False
    scored: dict[str | None, list[tuple]] = {}
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
            real = real_dev_scores(rows, classifier, artifact.labels, artifact.metadata.context_words)
            results[name] = score_rows(rows, *real, artifact.labels)
            scored.setdefault(backend, []).append((artifact.labels, *real))
            print(f"\n{name}\n{confusion_table(results[name]['all'])}")
            if args.plot and not plotted:
                panels = {"corpus test split": test_split_scores(classifier, artifact), "real-dev": real}
                plot_reliability(panels, args.plot, name)
                plotted = True
    if args.average:
        results |= averaged(rows, scored)
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
