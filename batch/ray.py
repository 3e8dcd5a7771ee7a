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
from batch.output import BatchError, OutputFolder, summarise
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
                block.append({"article_id": record.article_id, "text": record.text, "error": ""})
            else:
                block.append({"article_id": "", "text": "", "error": json.dumps(asdict(record))})
            if len(block) == RECORDS_PER_BLOCK:
                yield _columns(block)
                block = []
        if block:
            yield _columns(block)


def _columns(rows: list[dict[str, Any]]) -> dict[str, list]:
    return {key: [row[key] for row in rows] for key in rows[0]}


def _segment(batch: dict[str, Any], context_words: int | None) -> dict[str, list]:
    """Sentences of each article, each with its context when the model reads one."""
    out: dict[str, list] = {"article_id": [], "sentence_index": [], "start": [], "end": [], "text": [],
                            "context": []}
    for article_id, text in zip(batch["article_id"], batch["text"], strict=True):
        spans = segment(text)
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

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        contexts = list(batch["context"]) if self.predictor.context_words else None
        probabilities = self.predictor.probabilities(list(batch["text"]), contexts)
        return {key: value for key, value in batch.items() if key != "context"} | label_columns(
            probabilities, self.predictor.labels)


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
                             fn_kwargs={"context_words": metadata.context_words})
        .map_batches(_Classify, fn_constructor_kwargs={"options": options, "threads": threads_per_actor},
                     batch_size=options.batch_size * 4, concurrency=pool, num_cpus=1)
    )
    scored.write_parquet(str(folder.path))
    bad = records.filter(lambda row: bool(row["error"])).take_all()
    folder.write_quarantine(row["error"] for row in bad)
    n_articles, sentences, counts = _count_rows(folder.path)
    summary = summarise("ray", articles=n_articles, sentences=sentences, label_counts=counts,
                        labels=metadata.labels, errors=len(bad),
                        wall_time=time.perf_counter() - started, scored_now=sentences)
    folder.write_summary(summary)
    return summary


def _count_rows(output: Path) -> tuple[int, int, Counter[str]]:
    """Articles, sentences and label counts of the Parquet parts Ray wrote."""
    import pyarrow.parquet as pq

    counts: Counter[str] = Counter()
    article_ids: set[str] = set()
    sentences = 0
    for part in output.glob("*.parquet"):
        table = pq.read_table(part, columns=["article_id", "label"])
        counts.update(table.column("label").to_pylist())
        article_ids.update(table.column("article_id").to_pylist())
        sentences += table.num_rows
    return len(article_ids), sentences, counts
