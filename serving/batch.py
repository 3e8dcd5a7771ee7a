"""Batch-score archives on one machine: stream, segment, classify, write shards, resume.

The output folder holds `part-NNNNN.<format>` shards, each written under a temporary name and
renamed when complete, and `manifest.json`, rewritten atomically after every shard. A shard
covers a fixed run of input records, so after a crash the next run skips the records of the
committed shards and carries on: no row is written twice and none is lost.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from serving.archive import Article, BadRecord, Fields, Record, count_records, read_inputs
from serving.segment import segment

FORMATS = ("parquet", "jsonl", "csv")
MANIFEST = "manifest.json"
SUMMARY = "summary.json"
QUARANTINE = "quarantine.jsonl"


class BatchError(RuntimeError):
    """A run that cannot start or must stop; the message says why and what to do."""


@dataclass(frozen=True)
class ScoreOptions:
    inputs: tuple[Path, ...]
    output: Path
    format: Literal["parquet", "jsonl", "csv"] = "parquet"
    fields: Fields = field(default_factory=Fields)
    model: str | None = None
    batch_size: int = 64
    shard_records: int = 500
    max_errors: int | None = None
    overwrite: bool = False
    backend: str | None = None


def label_columns(probabilities: np.ndarray, labels: list[str]) -> dict[str, np.ndarray]:
    """The output columns derived from a probability matrix: label, score and one p_<label> each."""
    best = probabilities.argmax(axis=1)
    out = {"label": np.asarray(labels)[best],
           "score": probabilities.max(axis=1).astype(np.float32)}
    out.update({f"p_{label}": probabilities[:, i].astype(np.float32) for i, label in enumerate(labels)})
    return out


def score_articles(articles: list[Article], predictor) -> list[dict[str, Any]]:
    """Segment and classify a group of articles in one length-sorted predictor call."""
    spans_per_article = [segment(article.text) for article in articles]
    texts = [span.text for spans in spans_per_article for span in spans]
    derived = label_columns(predictor.probabilities(texts), predictor.labels)
    rows: list[dict[str, Any]] = []
    position = 0
    for article, spans in zip(articles, spans_per_article, strict=True):
        for index, span in enumerate(spans):
            record = {"article_id": article.article_id, "sentence_index": index, "start": span.start,
                      "end": span.end, "text": span.text}
            record.update({name: values[position].item() for name, values in derived.items()})
            rows.append(record)
            position += 1
    return rows


def columns(labels: list[str]) -> list[str]:
    return ["article_id", "sentence_index", "start", "end", "text", "label", "score",
            *(f"p_{label}" for label in labels)]


def _atomic_write(path: Path, write) -> None:
    partial = path.with_name(path.name + ".tmp")
    write(partial)
    os.replace(partial, path)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    _atomic_write(path, lambda target: target.write_text(json.dumps(data, indent=2), encoding="utf-8"))


def write_shard(path: Path, rows: list[dict[str, Any]], fmt: str, labels: list[str]) -> None:
    names = columns(labels)

    def parquet(target: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("article_id", pa.string()), ("sentence_index", pa.int32()),
                            ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
                            ("label", pa.string()), ("score", pa.float32()),
                            *((f"p_{label}", pa.float32()) for label in labels)])
        table = pa.Table.from_pydict({n: [r[n] for r in rows] for n in names}, schema=schema)
        pq.write_table(table, target)

    def jsonl(target: Path) -> None:
        with target.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    def as_csv(target: Path) -> None:
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=names)
            writer.writeheader()
            writer.writerows(rows)

    _atomic_write(path, {"parquet": parquet, "jsonl": jsonl, "csv": as_csv}[fmt])


def fingerprint(options: ScoreOptions, model_tag: str) -> dict[str, Any]:
    """What must match for a re-run to continue an earlier one."""
    inputs = []
    for path in options.inputs:
        stat = path.stat()
        inputs.append({"path": str(path.resolve()), "size": stat.st_size, "mtime": int(stat.st_mtime)})
    return {"inputs": inputs, "model": model_tag, "backend": options.backend, "format": options.format,
            "fields": asdict(options.fields), "shard_records": options.shard_records}


def read_manifest(output: Path) -> dict[str, Any] | None:
    path = output / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_manifest(output: Path, manifest: dict[str, Any]) -> None:
    write_json(output / MANIFEST, manifest)


def prepare_output(options: ScoreOptions, model_tag: str) -> dict[str, Any]:
    """Create, resume or refuse the output folder; returns the manifest to continue."""
    output = options.output
    if output.exists() and not output.is_dir():
        raise BatchError(f"{output}: exists and is not a folder")
    if options.overwrite and output.exists():
        for entry in output.iterdir():
            if entry.is_file() and (entry.name.startswith(("part-", "quarantine-")) or entry.name in (
                    MANIFEST, SUMMARY, QUARANTINE) or entry.suffix == ".tmp"):
                entry.unlink()
    output.mkdir(parents=True, exist_ok=True)
    wanted = fingerprint(options, model_tag)
    manifest = read_manifest(output)
    if manifest is None:
        if any(output.glob("part-*")):
            raise BatchError(f"{output}: holds shards but no manifest; use --overwrite to start afresh")
        return {"version": 1, "fingerprint": wanted, "shards": [], "complete": False}
    if manifest["fingerprint"] != wanted:
        raise BatchError(f"{output}: holds results of a different run (inputs, model or options "
                         "changed); use --overwrite to start afresh or choose another --output")
    for leftover in output.glob("*.tmp"):
        leftover.unlink()
    return manifest


def shards(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    while chunk := list(itertools.islice(records, size)):
        yield chunk


def merge_quarantine(output: Path, manifest: dict[str, Any]) -> None:
    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8") as handle:
            for shard in manifest["shards"]:
                if shard.get("quarantine"):
                    handle.write((output / shard["quarantine"]).read_text(encoding="utf-8"))

    _atomic_write(output / QUARANTINE, write)


def summarise(manifest: dict[str, Any], labels: list[str], wall_time: float, scored_now: int,
              engine: str) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for shard in manifest["shards"]:
        counts.update(shard["labels"])
    sentences = sum(s["sentences"] for s in manifest["shards"])
    return {
        "engine": engine,
        "articles": sum(s["articles"] for s in manifest["shards"]),
        "sentences": sentences,
        "labels": {label: counts[label] for label in labels},
        "errors": sum(s["errors"] for s in manifest["shards"]),
        "shards": len(manifest["shards"]),
        "wall_time_s": round(wall_time, 2),
        "sentences_scored_this_run": scored_now,
        "sentences_per_s": round(scored_now / wall_time, 1) if wall_time > 0 else 0.0,
    }


def score_local(options: ScoreOptions, predictor=None, progress: bool = True) -> dict[str, Any]:
    """Score every input record into ``options.output``; returns the run summary."""
    from tqdm import tqdm

    if predictor is None:
        from serving.predictor import Predictor

        predictor = Predictor.load(options.model, options.backend, batch_size=options.batch_size)
    labels = predictor.labels
    manifest = prepare_output(options, predictor.artifact.tag)
    if manifest["complete"]:
        summary = json.loads((options.output / SUMMARY).read_text(encoding="utf-8"))
        return {**summary, "already_complete": True}
    done = sum(shard["records"] for shard in manifest["shards"])
    errors = sum(shard["errors"] for shard in manifest["shards"])
    started = time.perf_counter()
    scored_now = 0
    total = count_records(list(options.inputs))
    records = itertools.islice(read_inputs(list(options.inputs), options.fields), done, None)
    bar = tqdm(total=total, initial=done, unit="article", disable=not progress, dynamic_ncols=True)
    try:
        for chunk in shards(records, options.shard_records):
            index = len(manifest["shards"])
            articles = [r for r in chunk if isinstance(r, Article)]
            bad = [r for r in chunk if isinstance(r, BadRecord)]
            errors += len(bad)
            if options.max_errors is not None and errors > options.max_errors:
                raise BatchError(f"{errors} bad records exceed --max-errors {options.max_errors}; "
                                 f"see {options.output / QUARANTINE} and the shards' quarantine files")
            rows = score_articles(articles, predictor)
            shard_file = f"part-{index:05d}.{options.format}"
            write_shard(options.output / shard_file, rows, options.format, labels)
            quarantine_file = None
            if bad:
                quarantine_file = f"quarantine-{index:05d}.jsonl"
                _atomic_write(options.output / quarantine_file, lambda target, bad=bad: target.write_text(
                    "".join(json.dumps(asdict(b), ensure_ascii=False) + "\n" for b in bad),
                    encoding="utf-8"))
            manifest["shards"].append({
                "index": index, "file": shard_file, "records": len(chunk), "articles": len(articles),
                "sentences": len(rows), "errors": len(bad), "quarantine": quarantine_file,
                "labels": dict(Counter(row["label"] for row in rows)),
            })
            write_manifest(options.output, manifest)
            scored_now += len(rows)
            bar.update(len(chunk))
            elapsed = time.perf_counter() - started
            bar.set_postfix(sentences_per_s=f"{scored_now / elapsed:.0f}", errors=errors)
    finally:
        bar.close()
    manifest["complete"] = True
    merge_quarantine(options.output, manifest)
    summary = summarise(manifest, labels, time.perf_counter() - started, scored_now, "local")
    write_json(options.output / SUMMARY, summary)
    write_manifest(options.output, manifest)
    return summary


def read_scored(output: Path) -> Iterable[dict[str, Any]]:
    """All rows of a scored output folder, shard by shard, in order."""
    import pyarrow.parquet as pq

    files = sorted(output.glob("*.parquet")) + sorted(output.glob("part-*.jsonl")) + sorted(
        output.glob("part-*.csv"))
    for path in files:
        if path.suffix == ".parquet":
            yield from pq.read_table(path).to_pylist()
        elif path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                yield from (json.loads(line) for line in handle)
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                yield from csv.DictReader(handle)
