"""Batch-score archives on one machine: stream, segment, classify, write shards, resume.

A shard covers a fixed run of input records and the manifest is rewritten after every shard,
so after a crash the next run skips the records of the committed shards and carries on: no
row is written twice and none is lost.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from batch.output import (
    QUARANTINE,
    BatchError,
    OutputFolder,
    add_mix_sums,
    check_kept_fields,
    mix_sums,
    summarise,
    write_shard,
)
from batch.readers import Article, BadRecord, Fields, Record, count_records, read_inputs
from inference.artifact import DEFAULT_MODEL
from inference.labels import label_columns
from inference.predictor import DEFAULT_BACKEND, DEFAULT_RECHECK_BELOW, Predictor
from inference.segment import segment


@dataclass(frozen=True)
class ScoreOptions:
    inputs: tuple[Path, ...]
    output: Path
    format: Literal["parquet", "jsonl", "csv"] = "parquet"
    fields: Fields = field(default_factory=Fields)
    model: str = DEFAULT_MODEL
    batch_size: int = 64
    shard_records: int = 500
    max_errors: int | None = None
    overwrite: bool = False
    backend: str = DEFAULT_BACKEND
    threads: int | None = None
    recheck_below: float = DEFAULT_RECHECK_BELOW
    graph_cache: Path | None = None

    def __post_init__(self) -> None:
        check_kept_fields(self.fields.keep)

    @property
    def low_confidence_below(self) -> float:
        """The summary's low-confidence threshold: the int8 re-check's, or its default when it is off."""
        return self.recheck_below or DEFAULT_RECHECK_BELOW

    def load_predictor(self, threads: int | None = None) -> Predictor:
        return Predictor.load(self.model, self.backend, threads=threads or self.threads,
                              batch_size=self.batch_size, recheck_below=self.recheck_below,
                              graph_cache=self.graph_cache)


def score_articles(articles: list[Article], predictor: Predictor) -> list[dict[str, Any]]:
    """Segment and classify a group of articles in one length-sorted predictor call."""
    spans_per_article = [segment(article.text) for article in articles]
    texts = [span.text for spans in spans_per_article for span in spans]
    contexts = None
    if predictor.context_words:
        contexts = [context for spans in spans_per_article
                    for context in predictor.article_contexts([span.text for span in spans])]
    derived = label_columns(predictor.probabilities(texts, contexts), predictor.labels)
    rows: list[dict[str, Any]] = []
    position = 0
    for article, spans in zip(articles, spans_per_article, strict=True):
        for index, span in enumerate(spans):
            record = {"article_id": article.article_id, "sentence_index": index, "start": span.start,
                      "end": span.end, "text": span.text}
            record.update({name: values[position].item() for name, values in derived.items()})
            record.update({"published": article.published, **article.extra})
            rows.append(record)
            position += 1
    return rows


def fingerprint(options: ScoreOptions, model_tag: str) -> dict[str, Any]:
    """What must match for a re-run to continue an earlier one."""
    inputs = []
    for path in options.inputs:
        stat = path.stat()
        inputs.append({"path": str(path.resolve()), "size": stat.st_size, "mtime": int(stat.st_mtime)})
    return {"inputs": inputs, "model": model_tag, "backend": options.backend, "format": options.format,
            "fields": {**asdict(options.fields), "keep": list(options.fields.keep)},
            "shard_records": options.shard_records}


def resume_manifest(folder: OutputFolder, options: ScoreOptions, model_tag: str) -> dict[str, Any]:
    """Create, resume or refuse the output folder; returns the manifest to continue."""
    folder.open(options.overwrite)
    wanted = fingerprint(options, model_tag)
    manifest = folder.read_manifest()
    if manifest is None:
        if folder.has_shards():
            raise BatchError(f"{folder.path}: holds shards but no manifest; use --overwrite to start afresh")
        return {"version": 1, "fingerprint": wanted, "shards": [], "complete": False}
    if manifest["fingerprint"] != wanted:
        raise BatchError(f"{folder.path}: holds results of a different run (inputs, model or options "
                         "changed); use --overwrite to start afresh or choose another --output")
    folder.drop_partial_files()
    return manifest


def shards(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while chunk := list(itertools.islice(records, size)):
        yield chunk


def write_chunk(folder: OutputFolder, index: int, chunk: list[Record], predictor: Predictor,
                options: ScoreOptions) -> dict[str, Any]:
    """Score one chunk of records into shard ``index``; returns its manifest entry."""
    articles = [r for r in chunk if isinstance(r, Article)]
    bad = [r for r in chunk if isinstance(r, BadRecord)]
    rows = score_articles(articles, predictor)
    shard_file = f"part-{index:05d}.{options.format}"
    write_shard(folder.path / shard_file, rows, options.format, predictor.labels, options.fields.keep)
    quarantine_file = None
    if bad:
        quarantine_file = f"quarantine-{index:05d}.jsonl"
        folder.write_quarantine((json.dumps(asdict(b), ensure_ascii=False) for b in bad), quarantine_file)
    return {"index": index, "file": shard_file, "records": len(chunk), "articles": len(articles),
            "sentences": len(rows), "errors": len(bad), "quarantine": quarantine_file,
            "labels": dict(Counter(row["label"] for row in rows)),
            "mix": mix_sums({label: [row[f"p_{label}"] for row in rows] for label in predictor.labels},
                            [row["score"] for row in rows], options.low_confidence_below)}


def finish(folder: OutputFolder, manifest: dict[str, Any], labels: list[str], wall_time: float,
           scored_now: int, low_confidence_below: float) -> dict[str, Any]:
    """Merge the shards' quarantine files, write the summary, mark the manifest complete."""
    manifest["complete"] = True
    folder.write_quarantine(line for shard in manifest["shards"] if shard.get("quarantine")
                            for line in (folder.path / shard["quarantine"]).read_text(
                                encoding="utf-8").splitlines())
    counts: Counter[str] = Counter()
    for shard in manifest["shards"]:
        counts.update(shard["labels"])
    summary = summarise(
        "local", articles=sum(s["articles"] for s in manifest["shards"]),
        sentences=sum(s["sentences"] for s in manifest["shards"]), label_counts=counts, labels=labels,
        errors=sum(s["errors"] for s in manifest["shards"]), wall_time=wall_time, scored_now=scored_now,
        sums=add_mix_sums((s["mix"] for s in manifest["shards"]), labels),
        recheck_below=low_confidence_below, shards=len(manifest["shards"]))
    folder.write_summary(summary)
    folder.write_manifest(manifest)
    return summary


def score_local(options: ScoreOptions, predictor: Predictor | None = None,
                progress: bool = True) -> dict[str, Any]:
    """Score every input record into ``options.output``; returns the run summary."""
    from tqdm import tqdm

    predictor = predictor or options.load_predictor()
    folder = OutputFolder(options.output)
    manifest = resume_manifest(folder, options, predictor.artifact.tag)
    if manifest["complete"]:
        return {**folder.read_summary(), "already_complete": True}
    done = sum(shard["records"] for shard in manifest["shards"])
    errors = sum(shard["errors"] for shard in manifest["shards"])
    started = time.perf_counter()
    scored_now = 0
    records = itertools.islice(read_inputs(list(options.inputs), options.fields), done, None)
    bar = tqdm(total=count_records(list(options.inputs)), initial=done, unit="article",
               disable=not progress, dynamic_ncols=True)
    try:
        for chunk in shards(records, options.shard_records):
            errors += sum(isinstance(r, BadRecord) for r in chunk)
            if options.max_errors is not None and errors > options.max_errors:
                raise BatchError(f"{errors} bad records exceed --max-errors {options.max_errors}; "
                                 f"see {options.output / QUARANTINE} and the shards' quarantine files")
            entry = write_chunk(folder, len(manifest["shards"]), chunk, predictor, options)
            manifest["shards"].append(entry)
            folder.write_manifest(manifest)
            scored_now += entry["sentences"]
            bar.update(len(chunk))
            bar.set_postfix(sentences_per_s=f"{scored_now / (time.perf_counter() - started):.0f}",
                            errors=errors)
    finally:
        bar.close()
    return finish(folder, manifest, predictor.labels, time.perf_counter() - started, scored_now,
                  options.low_confidence_below)
