"""The `warlens` command line: a thin layer over training/, batch/ and inference/.

Each command reads the settings (the environment) once, parses its flags, calls one library
function and prints. Heavy libraries are imported inside each command so `warlens --help`
answers at once.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from warlens.settings import Settings, SettingsError, load_settings

app = typer.Typer(help="Label sentences of conflict reporting.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
data_app = typer.Typer(help="Build and check the labelled corpus.", no_args_is_help=True)
app.add_typer(data_app, name="data")
review_app = typer.Typer(help="Pick scored sentences for a human label.", no_args_is_help=True)
app.add_typer(review_app, name="review")
# Rich wraps at 80 columns when piped; reports and tables read better wider in files and CI logs.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

MODEL_HELP = "Model-store tag or model directory (default $WARLENS_MODEL or the latest classifier)."
BACKEND_HELP = "Transformers only: onnx-int8 (the served default), onnx or torch; default $WARLENS_BACKEND."


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as err:
        raise fail(str(err)) from None


def open_classifier(model: str | None, backend: str | None, env: Settings):
    """The stored model and its classifier, as `warlens evaluate` and `predict` use them."""
    from inference.artifact import ModelNotFound
    from training.kinds import load_classifier

    try:
        artifact, classifier = load_classifier(model or env.model, backend)
    except (ModelNotFound, ValueError) as err:
        raise fail(str(err)) from None
    return artifact, classifier


def _report_table(reports: dict[str, dict]) -> Table:
    """One column per evaluated split; rows are the headline numbers, then F1 per label."""
    table = Table(title="Evaluation")
    table.add_column("metric")
    for name in reports:
        table.add_column(name, justify="right")
    first = next(iter(reports.values()))
    table.add_row("sentences", *(str(r["n"]) for r in reports.values()))
    for key, title in (("accuracy", "accuracy"), ("macro_f1", "macro-F1"), ("ece", "ECE")):
        table.add_row(title, *(f"{r[key]:.3f}" for r in reports.values()))
    for label in first["labels"]:
        table.add_row(f"F1 {label}", *(f"{r['per_label'][label]['f1']:.3f}" for r in reports.values()))
    return table


@app.command()
def train(
    config: Annotated[Path, typer.Option(help="Experiment config (YAML) under configs/.")],
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a config field, e.g. --set training.epochs=3 (repeatable).")] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars.")] = True,
) -> None:
    """Train a model from a config, evaluate it, track the run and store the model."""
    from training.config import ConfigError, load_config
    from training.data import DataError

    env = settings()
    try:
        cfg = load_config(config, set_ or [])
    except ConfigError as err:
        raise fail(str(err)) from None
    from training.train import train as run_training

    console.print(f"Training [bold]{cfg.name}[/] ({cfg.model.kind}, base {cfg.model.base})")
    try:
        result = run_training(cfg, progress=progress, tracking=env.mlflow_tracking_uri)
    except DataError as err:
        raise fail(str(err)) from None
    console.print(_report_table(result.reports))
    console.print(f"Stored model [bold]{result.model_tag}[/]; MLflow run {result.run_id}; "
                  f"{result.wall_time_s:.0f} s")


@app.command()
def evaluate(
    data: Annotated[Path, typer.Option(help="JSON Lines or CSV file with text and label.")],
    model: Annotated[str | None, typer.Option(help=MODEL_HELP)] = None,
    backend: Annotated[str | None, typer.Option(help=BACKEND_HELP)] = None,
    out: Annotated[Path | None, typer.Option(help="Write metrics, plots and errors here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Evaluate a stored model on a labelled file, on the path the service uses."""
    from training.data import DataError, load_labelled, with_context
    from training.evaluate import evaluate_texts, write_artifacts

    artifact, classifier = open_classifier(model, backend, settings())
    words = artifact.metadata.context_words
    try:
        dataset = load_labelled(data, classifier.labels)
        contexts = with_context(dataset, words)["context"] if words else None
        report, probabilities = evaluate_texts(classifier, dataset["text"], dataset["label_id"],
                                               classifier.labels, contexts)
    except (DataError, ValueError) as err:
        raise fail(str(err)) from None
    report["model"] = artifact.tag
    if out is not None:
        write_artifacts(report, dataset["text"], dataset["label_id"], probabilities, out)
    if as_json:
        keys = ("n", "accuracy", "macro_f1", "per_label", "ece", "model")
        sys.stdout.write(json.dumps({k: report[k] for k in keys}) + "\n")
        return
    console.print(_report_table({data.name: report}))
    from training.metrics import confusion_table

    console.print(confusion_table(report), highlight=False)
    if out is not None:
        console.print(f"Artifacts written to {out}")


@app.command()
def predict(
    sentences: Annotated[list[str], typer.Argument(help="One or more sentences.")],
    model: Annotated[str | None, typer.Option(help=MODEL_HELP)] = None,
    backend: Annotated[str | None, typer.Option(help=BACKEND_HELP)] = None,
    in_context: Annotated[bool, typer.Option(
        help="The sentences are consecutive lines of one article: a model trained with context "
             "reads each with its neighbours.")] = False,
) -> None:
    """Print the label and confidence for each sentence, as `POST /classify` gives them."""
    from inference.context import neighbour_contexts
    from inference.labels import predictions

    artifact, classifier = open_classifier(model, backend, settings())
    words = artifact.metadata.context_words
    contexts = neighbour_contexts(sentences, words) if in_context and words else None
    probabilities = classifier.probabilities(sentences, contexts)
    for sentence, prediction in zip(sentences, predictions(probabilities, classifier.labels), strict=True):
        console.print(f"{prediction.label:<18} {prediction.score:.3f}  {sentence}", highlight=False)


@app.command()
def explain(
    sentence: Annotated[str, typer.Argument(help="One sentence.")],
    label: Annotated[str | None, typer.Option(help="Label to explain (default: the predicted one).")] = None,
    method: Annotated[str, typer.Option(
        help="integrated-gradients (the default: more faithful) or occlusion (about 12x faster).")
    ] = "integrated-gradients",
    model: Annotated[str | None, typer.Option(help=MODEL_HELP)] = None,
    backend: Annotated[str | None, typer.Option(help=BACKEND_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, as POST /explain.")] = False,
) -> None:
    """Show which words carry a sentence's label, as `POST /explain` gives them."""
    from dataclasses import asdict

    from inference.artifact import ModelNotFound
    from inference.explain import Explainer

    env = settings()
    try:
        result = Explainer(env.load_predictor(model, backend)).explain(sentence, label, method)
    except (ModelNotFound, ValueError) as err:
        raise fail(str(err)) from None
    if as_json:
        sys.stdout.write(json.dumps(asdict(result) | {"top_words": [w.text for w in result.top_words()]},
                                    ensure_ascii=False) + "\n")
        return
    console.print(f"{result.label} {result.probability:.3f} (predicted {result.predicted}; {result.method})",
                  highlight=False)
    table = Table(show_header=True)
    table.add_column("word")
    table.add_column("score", justify="right")
    table.add_column("")
    for word in result.words:
        bar = ("+" if word.score > 0 else "-") * round(abs(word.score) * 20)
        table.add_row(word.text, f"{word.score:+.2f}", bar)
    console.print(table)


@app.command()
def runs(
    limit: Annotated[int, typer.Option(help="Show at most this many runs.")] = 20,
) -> None:
    """List tracked runs, newest first."""
    from training.tracking import list_runs, tracking_uri

    uri = tracking_uri(settings().mlflow_tracking_uri)
    rows = list_runs(uri)[:limit]
    if not rows:
        console.print("No runs yet: train one with `warlens train --config configs/minilm.yaml`.")
        return
    table = Table(title=f"Runs ({uri})")
    for column in ("experiment", "config", "date", "status", "data hash", "macro-F1", "accuracy",
                   "time (s)", "run id"):
        table.add_column(column, justify="right" if column in ("macro-F1", "accuracy", "time (s)")
                         else "left")

    def number(value: float | None, digits: int = 3) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    for row in rows:
        date = datetime.fromtimestamp(row["start_time"] / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M")
        table.add_row(row["experiment"], row["config"], date, row["status"], row["data_hash"],
                      number(row["macro_f1"]), number(row["accuracy"]),
                      number(row["wall_time_s"], 0), row["run_id"][:8])
    console.print(table)


@data_app.command("build")
def data_build(
    articles: Annotated[Path, typer.Option(help="Folder of article files.")] = Path("data/articles"),
    corpus: Annotated[Path, typer.Option(help="Where the splits go.")] = Path("data/corpus"),
    archive: Annotated[Path, typer.Option(help="Archive sample to write.")] = Path(
        "data/archive-sample/articles.jsonl"),
    reviewed: Annotated[Path, typer.Option(help="Reviewed archive sentences to add.")]
        = Path("data/reviewed"),
) -> None:
    """Rebuild the corpus splits and the archive sample from data/articles (and data/reviewed)."""
    from training.corpus import build_corpus

    if not articles.is_dir():
        raise fail(f"{articles}: folder not found")
    counts = build_corpus(articles, corpus, archive, reviewed)
    console.print(" ".join(f"{name}={count}" for name, count in counts.items()))


@data_app.command("issues")
def data_issues(
    config: Annotated[Path, typer.Option(help="Experiment config whose model kind scores the folds.")]
        = Path("configs/issues.yaml"),
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="Override a config field, e.g. --set data.train=other.jsonl (repeatable).")] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds (by article).")] = 5,
    out: Annotated[Path, typer.Option(help="Folder for queue.jsonl, queue.csv and summary.json.")]
        = Path("reviews/issues"),
    top: Annotated[int, typer.Option(min=1, help="Queue items shown here.")] = 10,
    progress: Annotated[bool, typer.Option(help="Show a progress bar over the folds.")] = True,
) -> None:
    """Rank likely label errors, near duplicates and outliers of the training split."""
    from tqdm import tqdm

    from review.label_issues import find_issues
    from review.queue import write_queue
    from training.config import ConfigError, load_config
    from training.data import DataError
    from training.train import load_splits

    try:
        cfg = load_config(config, set_ or [])
        train_split = load_splits(cfg)["train"]
    except (ConfigError, DataError) as err:
        raise fail(str(err)) from None
    bar = tqdm(total=folds, desc="folds", unit="fold", disable=not progress)
    report = find_issues(cfg, train_split, folds, on_fold=lambda _: bar.update())
    bar.close()
    queue_file, table_file = write_queue(report.queue, out)
    summary = {"config": str(config), "kind": cfg.model.kind, "folds": folds, **report.counts,
               "seconds": round(report.seconds, 1), "queue": str(queue_file), "table": str(table_file)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    table = Table(title=f"Likely label errors, most likely first ({report.counts['label_issues']} found)")
    for column in ("id", "gold", "suggested", "p(gold)", "text"):
        table.add_column(column)
    for item in [i for i in report.queue if i.kind == "label_issue"][:top]:
        table.add_row(item.id, item.gold, item.suggested, f"{item.score:.3f}", item.text)
    console.print(table)
    console.print(" ".join(f"{k}={v}" for k, v in summary.items()), highlight=False)


@data_app.command("apply-review")
def data_apply_review(
    decisions: Annotated[Path, typer.Argument(help="Decisions JSONL saved by the review view.")],
    articles: Annotated[Path, typer.Option(help="Folder of article files.")] = Path("data/articles"),
    changes: Annotated[Path, typer.Option(help="Where the relabel pass is recorded.")] = Path("data/changes"),
    reviewed: Annotated[Path, typer.Option(help="Where reviewed archive sentences go.")]
        = Path("data/reviewed"),
) -> None:
    """Relabel corpus sentences and add reviewed archive sentences; then run `warlens data build`."""
    from review.apply import apply_review
    from review.queue import read_jsonl
    from training.config import DEFAULT_LABELS

    if not decisions.is_file():
        raise fail(f"{decisions}: file not found")
    if not articles.is_dir():
        raise fail(f"{articles}: folder not found")
    try:
        report = apply_review(read_jsonl(decisions), DEFAULT_LABELS, articles_dir=articles,
                              changes_dir=changes, reviewed_dir=reviewed, source=decisions.name)
    except ValueError as err:
        raise fail(str(err)) from None
    console.print(f"relabelled={len(report.relabelled)} confirmed={report.confirmed} "
                  f"added={len(report.added)} already_added={report.already_added} skipped={report.skipped}",
                  highlight=False)
    for path in (report.change_file, report.reviewed_file):
        if path:
            console.print(f"wrote {path}", highlight=False)
    if report.change_file or report.reviewed_file:
        console.print("next: warlens data build && warlens data check", highlight=False)


@review_app.command("select")
def review_select(
    scored: Annotated[Path, typer.Argument(help="Output folder of `warlens score`.")],
    budget: Annotated[int, typer.Option(min=1, help="How many sentences to pick.")] = 50,
    strategy: Annotated[str, typer.Option(help="uncertainty, margin or diverse.")] = "diverse",
    model: Annotated[str | None, typer.Option(
        help="Model whose encoder spreads the diverse picks (default: the one that scored).")] = None,
    out: Annotated[Path | None, typer.Option(help="Queue folder (default: SCORED/review).")] = None,
) -> None:
    """Pick the scored sentences most worth a reviewer's label, with their context."""
    from batch.output import read_manifest, read_scored
    from review.queue import write_queue
    from review.select import STRATEGIES, select_for_review

    if strategy not in STRATEGIES:
        raise fail(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    manifest = read_manifest(scored) if scored.is_dir() else None
    if manifest is None and not any(scored.glob("part-*")):
        raise fail(f"{scored}: not a scored output folder")
    rows = list(read_scored(scored))
    labels = [key.removeprefix("p_") for key in rows[0] if key.startswith("p_")] if rows else []
    embed = None
    if strategy == "diverse":
        from inference.artifact import ModelNotFound, open_artifact
        from inference.embeddings import pooled_embeddings

        ref = model or ((manifest or {}).get("fingerprint", {}).get("model")) or settings().model
        try:
            artifact = open_artifact(ref)
        except ModelNotFound as err:
            raise fail(str(err)) from None
        embed = lambda texts: pooled_embeddings(artifact, texts)  # noqa: E731
    try:
        items = select_for_review(rows, labels, budget, strategy, embed, source=str(scored))
    except ValueError as err:
        raise fail(str(err)) from None
    queue_file, table_file = write_queue(items, out or scored / "review")
    counts = {label: sum(item.suggested == label for item in items) for label in labels}
    console.print(f"picked {len(items)} of {len(rows)} sentences by {strategy}: "
                  + ", ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)
    console.print(f"wrote {queue_file} and {table_file}", highlight=False)


@data_app.command("check")
def data_check(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Corpus files or folders (default data/corpus).")] = None,
    cues: Annotated[int, typer.Option(help="Top cue tokens shown per label.")] = 8,
    shape: Annotated[bool, typer.Option(
        help="Fail when the corpus misses a shape target of real reporting (--no-shape for "
             "partial files).")] = True,
    cue_allowlist: Annotated[Path, typer.Option(
        help="YAML list of definitional cues (cue, label, reason) the cue cap lets through.")]
        = Path("data/cue-allowlist.yaml"),
) -> None:
    """Validate the corpus; exit 0 only when it is clean and shaped like real reporting."""
    from training.config import DEFAULT_LABELS
    from training.datacheck import check_corpus, cue_report, read_cue_allowlist, summary_tables, valid_rows

    try:
        allowed = read_cue_allowlist(cue_allowlist, DEFAULT_LABELS) if cue_allowlist.is_file() else {}
    except ValueError as err:
        raise fail(str(err)) from None
    report = check_corpus(paths or [Path("data/corpus")], DEFAULT_LABELS, shape=shape, allowed_cues=allowed)
    if report.rows:
        tables = summary_tables(report, DEFAULT_LABELS)
        counts = Table(title=f"Sentences by label and split ({tables['articles']} articles)")
        counts.add_column("label")
        for split in tables["splits"]:
            counts.add_column(split, justify="right")
        counts.add_column("total", justify="right")
        counts.add_column("hard", justify="right")
        for label, row in tables["label_split"].items():
            counts.add_row(label, *(str(row[s]) for s in tables["splits"]), str(sum(row.values())),
                           f"{tables['hard_share'][label]:.0%}")
        console.print(counts)
        for key in ("conflicts", "registers"):
            console.print(f"[bold]{key}:[/] " + ", ".join(
                f"{name} {share:.1%}" for name, _, share in tables[key]), highlight=False)
        console.print("[bold]length (words):[/] " + ", ".join(
            f"{k} {v}" for k, v in tables["length_words"].items()), highlight=False)
        cue_table = Table(title="Cue report: tokens most predictive of each label (PMI)")
        cue_table.add_column("label")
        cue_table.add_column("token (PMI, share of its sentences with this label, count)")
        valid = valid_rows(report, DEFAULT_LABELS)
        for label, entries in cue_report(valid, DEFAULT_LABELS, top=cues).items():
            cue_table.add_row(label, ", ".join(f"{t} ({p:.2f}, {s:.0%}, {c})" for t, p, s, c in entries))
        console.print(cue_table)
    if report.shape:
        console.print(_shape_table(report.shape, len(allowed)))
    for warning in report.warnings[:20]:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
    if len(report.warnings) > 20:
        console.print(f"[yellow]... and {len(report.warnings) - 20} more warnings[/]")
    if not report.clean:
        for error in report.errors[:50]:
            err_console.print(f"[bold red]error:[/] {error}", highlight=False)
        raise fail(f"{len(report.errors)} problem(s) found", code=1)
    console.print(f"[green]clean:[/] {len(report.rows)} sentences")


def _shape_table(rows: list[tuple[str, object, str, bool]], allowed: int) -> Table:
    """The corpus' shape against real reporting: figure, value, target, met."""
    from training.datacheck import shown_value

    table = Table(title=f"Shape against real reporting (enforced; {allowed} definitional cues allow-listed)")
    for column in ("figure", "value", "target", "met"):
        table.add_column(column)
    for name, value, target, met in rows:
        table.add_row(name, shown_value(name, value), target, "yes" if met else "[red]no[/]")
    return table


@app.command()
def score(
    inputs: Annotated[list[Path], typer.Argument(
        help="JSON Lines (.jsonl, .jsonl.gz), CSV, Parquet files or folders of .txt files.")],
    output: Annotated[Path, typer.Option(help="Output folder for shards, manifest and summary.")],
    format: Annotated[str, typer.Option(help="parquet, jsonl or csv.")] = "parquet",
    engine: Annotated[str, typer.Option(help="local (resumable) or ray.")] = "local",
    text_field: Annotated[str, typer.Option(help="Field holding the article text.")] = "text",
    id_field: Annotated[str, typer.Option(help="Field holding the article id.")] = "id",
    published_field: Annotated[str, typer.Option(
        help="Field holding the publication date, written to the `published` column.")] = "published",
    keep_field: Annotated[list[str] | None, typer.Option(
        help="Another article field to write as a column of every row (repeatable), e.g. source.")] = None,
    model: Annotated[str | None, typer.Option(help=MODEL_HELP)] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Sentences per model call.")] = 64,
    shard_size: Annotated[int, typer.Option(min=1, help="Input records per output shard.")] = 500,
    max_errors: Annotated[int | None, typer.Option(help="Abort once more bad records than this.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Discard earlier results in the output folder.")] = False,
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster address (engine ray).")] = None,
    backend: Annotated[str | None, typer.Option(
        help="onnx-int8 (default), onnx or torch; default $WARLENS_BACKEND.")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Split archived articles into sentences, label them, and write one row per sentence."""
    from batch.local import ScoreOptions
    from batch.output import FORMATS, BatchError
    from batch.readers import Fields
    from inference.artifact import ModelNotFound

    env = settings()
    if format not in FORMATS:
        raise fail(f"--format {format!r}: choose one of {', '.join(FORMATS)}")
    if engine not in ("local", "ray"):
        raise fail(f"--engine {engine!r}: choose local or ray")
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise fail(f"input not found: {', '.join(missing)}")
    try:
        fields = Fields(text_field, id_field, published_field, tuple(keep_field or ()))
        options = ScoreOptions(
            tuple(inputs), output, format, fields, model or env.model, batch_size, shard_size, max_errors,
            overwrite, backend or env.backend, env.threads, env.int8_recheck_below, env.cache_dir)
    except (BatchError, ValueError) as err:
        raise fail(str(err)) from None
    try:
        if engine == "ray":
            from batch.ray import score_ray

            summary = score_ray(options, address=ray_address)
        else:
            from batch.local import score_local

            summary = score_local(options, progress=progress)
    except (BatchError, ModelNotFound, ValueError) as err:
        raise fail(str(err), code=1) from None
    if summary.get("already_complete"):
        console.print(f"Nothing to do: {output} already holds a finished run "
                      "(use --overwrite to score again).")
    table = Table(title=f"Scored into {output}")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key in ("engine", "articles", "sentences", "errors", "wall_time_s", "sentences_per_s"):
        table.add_row(key, str(summary.get(key)))
    for label, count in summary["labels"].items():
        table.add_row(f"label {label}", str(count))
    console.print(table)


@app.command("evaluate-archive")
def evaluate_archive(
    scored: Annotated[Path, typer.Option(help="Output folder of `warlens score`.")],
    gold: Annotated[Path, typer.Option(help="Gold sentences (JSON Lines with article_id, text, label).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure segmentation and labels end to end against gold sentences."""
    from batch.evaluate import evaluate_scored
    from batch.output import read_manifest, read_scored

    if read_manifest(scored) is None and not any(scored.glob("part-*")):
        raise fail(f"{scored}: not a scored output folder")
    if not gold.is_file():
        raise fail(f"{gold}: file not found")
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = sorted({row["label"] for row in rows})
    report = evaluate_scored(read_scored(scored), rows, labels)
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    table = Table(title="End-to-end evaluation (segment, then classify)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in ("gold_sentences", "scored_sentences", "matched"):
        table.add_row(key, str(report[key]))
    for key, value in report["segmentation"].items():
        table.add_row(f"segmentation {key}", f"{value:.3f}")
    for key, value in report["labels_on_matched"].items():
        table.add_row(f"labels {key} (matched)", f"{value:.3f}")
    table.add_row("end-to-end accuracy", f"{report['end_to_end_accuracy']:.3f}")
    console.print(table)


@app.command()
def report(
    scored: Annotated[Path, typer.Argument(help="Output folder of `warlens score`.")],
    by: Annotated[str, typer.Option(help="Period: day, week (ISO), month, quarter or year.")] = "month",
    by_field: Annotated[str | None, typer.Option(
        help="Also split each period by this row column (score with --keep-field FIELD).")] = None,
    out: Annotated[Path | None, typer.Option(help="Report folder (default: SCORED/report).")] = None,
    reference: Annotated[Path | None, typer.Option(
        help="Drift reference: labelled JSON Lines or an earlier run's summary.json "
             "(default: data/corpus/train.jsonl).")] = None,
    js_threshold: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Flag a period whose label mix is further than this (Jensen-Shannon).")] = 0.1,
    min_sentences: Annotated[int, typer.Option(
        min=1, help="Periods with fewer sentences are measured but not flagged.")] = 30,
    resamples: Annotated[int, typer.Option(min=1, help="Bootstrap resamples of articles.")] = 1000,
) -> None:
    """Label shares per period with 90% intervals, drift flags, charts and an HTML report."""
    from reports.build import ReportError, build_report

    try:
        result, written = build_report(scored, by, by_field, out, reference, js_threshold, resamples,
                                       min_sentences)
    except ReportError as err:
        raise fail(str(err)) from None
    labels = result["labels"]
    table = Table(title=f"Estimated label shares per {by} ({len(result['periods'])} periods)")
    for column in ("period", "articles", "sentences", *labels, "drift"):
        table.add_column(column, justify="left" if column in ("period", "drift") else "right")
    for period in result["periods"]:
        table.add_row(period["period"], str(period["articles"]), str(period["sentences"]),
                      *(f"{period['share'][label]:.0%}" for label in labels),
                      "[red]flagged[/]" if period["drift"]["flags"] else "")
    console.print(table)
    for flag in result["run"]["flags"]:
        console.print(f"[red]whole run:[/] {flag}", highlight=False)
    console.print("wrote " + ", ".join(str(path) for path in written), highlight=False)
