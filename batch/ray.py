"""Batch scoring on Ray Data, for archives that outgrow one machine.

The same readers, segmenter and predictor as the local engine, arranged as a Ray Data
pipeline: read (one task per input file, records streamed out in blocks), segment, classify
in an actor pool that loads the model once per actor, write Parquet. It runs on a local Ray
instance by default, or on a cluster given its address. Unlike the local engine it is not
resumable: a re-run needs --overwrite.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from batch.local import ScoreOptions
from batch.output import BatchError, OutputFolder, add_mix_sums, columns, mix_sums, summarise
from batch.readers import Article, Fields, read_input
from inference.artifact import open_artifact
from inference.context import neighbour_contexts
from inference.labels import label_columns
from inference.segment import segment

RECORDS_PER_BLOCK = 256


def _read_file(batch: dict[str, Any], fields: dict[str, str]):
    """Generator UDF: one input path in, blocks of articles (and bad records) out."""
    for path in batch["path"]:
        block: list[dict[str, Any]] = []
        for record in read_input(Path(path), Fields(**fields)):
            if isinstance(record, Article):
                block.append({"article_id": record.article_id, "text": record.text,
                              "published": record.published, **record.extra, "error": ""})
            else:
                block.append({"article_id": "", "text": "", "published": None,
                              **dict.fromkeys(fields["keep"]), "error": json.dumps(asdict(record))})
            if len(block) == RECORDS_PER_BLOCK:
                yield _columns(block)
                block = []
        if block:
            yield _columns(block)


def _columns(rows: list[dict[str, Any]]) -> dict[str, list]:
    return {key: [row[key] for row in rows] for key in rows[0]}


def _segment(batch: dict[str, Any], context_words: int | None,
             carried: tuple[str, ...] = ()) -> dict[str, list]:
    """Sentences of each article, each with its context when the model reads one, and the
    ``carried`` article fields (publication date, kept fields) repeated on each."""
    out: dict[str, list] = {"article_id": [], "sentence_index": [], "start": [], "end": [], "text": [],
                            "context": [], **{name: [] for name in carried}}
    for position, (article_id, text) in enumerate(zip(batch["article_id"], batch["text"], strict=True)):
        spans = segment(text)
        for name in carried:
            out[name].extend([batch[name][position]] * len(spans))
        units = [span.text for span in spans]
        contexts = neighbour_contexts(units, context_words) if context_words else [""] * len(spans)
        for index, (span, context) in enumerate(zip(spans, contexts, strict=True)):
            out["article_id"].append(article_id)
            out["sentence_index"].append(index)
            out["start"].append(span.start)
            out["end"].append(span.end)
            out["text"].append(span.text)
            out["context"].append(context)
    return out


class _Classify:
    """Actor: loads the predictor once, then labels batches of sentences."""

    def __init__(self, options: ScoreOptions, threads: int) -> None:
        self.predictor = options.load_predictor(threads)
        self.columns = columns(self.predictor.labels, options.fields.keep)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """The batch's columns in the local engine's order, with the label columns in place of the context."""
        contexts = list(batch["context"]) if self.predictor.context_words else None
        probabilities = self.predictor.probabilities(list(batch["text"]), contexts)
        out = {key: value for key, value in batch.items() if key != "context"} | label_columns(
            probabilities, self.predictor.labels)
        return {name: out[name] for name in self.columns if name in out}


def score_ray(options: ScoreOptions, address: str | None = None, actors: int | None = None,
              threads_per_actor: int = 2) -> dict[str, Any]:
    """Run the pipeline and write `part-*.parquet`, `quarantine.jsonl` and `summary.json`."""
    import ray

    if options.format != "parquet":
        raise BatchError("the ray engine writes Parquet only; use --format parquet")
    folder = OutputFolder(options.output)
    if folder.path.is_dir() and folder.has_results() and not options.overwrite:
        raise BatchError(f"{folder.path}: holds results; the ray engine does not resume, use --overwrite")
    folder.open(options.overwrite)
    started = time.perf_counter()
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 num_cpus=None if address else os.cpu_count())
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.execution_options.preserve_order = True
    paths = [str(p.resolve()) for p in options.inputs]
    records = ray.data.from_items([{"path": p} for p in paths]).map_batches(
        _read_file, batch_size=1, fn_kwargs={"fields": asdict(options.fields)})
    articles = records.filter(lambda row: not row["error"])
    # Each actor books one CPU in Ray's accounting but runs ``threads_per_actor`` ONNX threads;
    # half the CPUs stay bookable for the read and segment tasks that feed it.
    pool = actors or max(1, int(ray.available_resources().get("CPU", 2)) // 2)
    metadata = open_artifact(options.model).metadata
    scored = (
        articles.map_batches(_segment, batch_size=64,
                             fn_kwargs={"context_words": metadata.context_words,
                                        "carried": ("published", *options.fields.keep)})
        .map_batches(_Classify, fn_constructor_kwargs={"options": options, "threads": threads_per_actor},
                     batch_size=options.batch_size * 4, concurrency=pool, num_cpus=1)
    )
    scored.write_parquet(str(folder.path))
    bad = records.filter(lambda row: bool(row["error"])).take_all()
    folder.write_quarantine(row["error"] for row in bad)
    n_articles, sentences, counts, sums = _count_rows(folder.path, metadata.labels,
                                                      options.low_confidence_below)
    summary = summarise("ray", articles=n_articles, sentences=sentences, label_counts=counts,
                        labels=metadata.labels, errors=len(bad),
                        wall_time=time.perf_counter() - started, scored_now=sentences, sums=sums,
                        recheck_below=options.low_confidence_below)
    folder.write_summary(summary)
    return summary


def _count_rows(output: Path, labels: list[str],
                low_confidence_below: float) -> tuple[int, int, Counter[str], dict[str, Any]]:
    """Articles, sentences, label counts and drift sums of the Parquet parts Ray wrote."""
    import pyarrow.parquet as pq

    counts: Counter[str] = Counter()
    article_ids: set[str] = set()
    sentences = 0
    parts = []
    for part in output.glob("*.parquet"):
        table = pq.read_table(part, columns=["article_id", "label", "score",
                                             *(f"p_{label}" for label in labels)])
        counts.update(table.column("label").to_pylist())
        article_ids.update(table.column("article_id").to_pylist())
        sentences += table.num_rows
        parts.append(mix_sums({label: table.column(f"p_{label}").to_numpy() for label in labels},
                              table.column("score").to_numpy(), low_confidence_below))
    return len(article_ids), sentences, counts, add_mix_sums(parts, labels)
