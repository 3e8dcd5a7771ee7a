"""The output folder of a scoring run, shared by the local and Ray engines.

It holds `part-NNNNN.<format>` shards, `manifest.json` (local engine: what is done, for resuming),
`quarantine.jsonl` (records that could not be read) and `summary.json`. Every file is written
under a temporary name and renamed when complete, so a crash never leaves half a file behind.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

FORMATS = ("parquet", "jsonl", "csv")
MANIFEST = "manifest.json"
SUMMARY = "summary.json"
QUARANTINE = "quarantine.jsonl"


class BatchError(RuntimeError):
    """A run that cannot start or must stop; the message says why and what to do."""


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    partial = path.with_name(path.name + ".tmp")
    write(partial)
    os.replace(partial, path)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    atomic_write(path, lambda target: target.write_text(json.dumps(data, indent=2), encoding="utf-8"))


SENTENCE_COLUMNS = ("article_id", "sentence_index", "start", "end", "text", "label", "score")


def columns(labels: list[str], keep: tuple[str, ...] = ()) -> list[str]:
    """Row columns: the sentence, its label and probabilities, then the article's date and kept fields."""
    return [*SENTENCE_COLUMNS, *(f"p_{label}" for label in labels), "published", *keep]


def check_kept_fields(keep: tuple[str, ...]) -> None:
    """Kept article fields become columns, so they must not shadow a row column or look like ``p_*``."""
    clashes = [name for name in keep if name in (*SENTENCE_COLUMNS, "published") or name.startswith("p_")]
    if clashes:
        raise BatchError(f"--keep-field {', '.join(clashes)}: clashes with an output column "
                         f"({', '.join(SENTENCE_COLUMNS)}, published, p_<label>); keep another field")


def write_shard(path: Path, rows: list[dict[str, Any]], fmt: str, labels: list[str],
                keep: tuple[str, ...] = ()) -> None:
    names = columns(labels, keep)

    def parquet(target: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = pa.schema([("article_id", pa.string()), ("sentence_index", pa.int32()),
                            ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()),
                            ("label", pa.string()), ("score", pa.float32()),
                            *((f"p_{label}", pa.float32()) for label in labels),
                            ("published", pa.string()), *((name, pa.string()) for name in keep)])
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

    atomic_write(path, {"parquet": parquet, "jsonl": jsonl, "csv": as_csv}[fmt])


def mix_sums(probabilities: dict[str, Sequence[float]], scores: Sequence[float],
             recheck_below: float) -> dict[str, Any]:
    """The sums the summary's drift figures are made of, for one shard or part.

    They add across shards (`add_mix_sums`), so the local engine keeps them in the manifest and a
    resumed run's summary still covers every row. ``{"a": [0.9, 0.4], "b": [0.1, 0.6]}``, scores
    ``[0.9, 0.6]``, threshold 0.7 -> sums a 1.3, b 0.7, top 1.5, 1 under the threshold.
    """
    import numpy as np

    top = np.asarray(scores, dtype=np.float64)
    return {"probability_sums": {label: float(np.sum(np.asarray(values, dtype=np.float64)))
                                 for label, values in probabilities.items()},
            "top_probability_sum": float(top.sum()),
            "low_confidence": int((top < recheck_below).sum())}


def add_mix_sums(parts: Iterable[dict[str, Any]], labels: list[str]) -> dict[str, Any]:
    """The sums of several shards' `mix_sums`, as one."""
    parts = list(parts)
    return {"probability_sums": {label: sum(p["probability_sums"].get(label, 0.0) for p in parts)
                                 for label in labels},
            "top_probability_sum": sum(p["top_probability_sum"] for p in parts),
            "low_confidence": sum(p["low_confidence"] for p in parts)}


def summarise(engine: str, *, articles: int, sentences: int, label_counts: dict[str, int],
              labels: list[str], errors: int, wall_time: float, scored_now: int, sums: dict[str, Any],
              recheck_below: float, shards: int | None = None) -> dict[str, Any]:
    """The run summary both engines write and `warlens score` prints.

    Besides counts it records what `warlens report` watches for drift: the label mix (summed
    probabilities over sentences), the mean top probability and the share of sentences whose
    top probability is under ``recheck_below``.
    """
    per = 1 / sentences if sentences else 0.0
    summary: dict[str, Any] = {
        "engine": engine,
        "articles": articles,
        "sentences": sentences,
        "labels": {label: label_counts.get(label, 0) for label in labels},
        "label_mix": {label: round(sums["probability_sums"].get(label, 0.0) * per, 6) for label in labels},
        "mean_top_probability": round(sums["top_probability_sum"] * per, 6),
        "recheck_below": recheck_below,
        "low_confidence_share": round(sums["low_confidence"] * per, 6),
        "errors": errors,
    }
    if shards is not None:
        summary["shards"] = shards
    return summary | {
        "wall_time_s": round(wall_time, 2),
        "sentences_scored_this_run": scored_now,
        "sentences_per_s": round(scored_now / wall_time, 1) if wall_time > 0 else 0.0,
    }


class OutputFolder:
    """One run's output folder: create or clear it, read and write its manifest and summary."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self, overwrite: bool) -> None:
        """Make sure the folder exists; with ``overwrite``, drop the results of earlier runs."""
        if self.path.exists() and not self.path.is_dir():
            raise BatchError(f"{self.path}: exists and is not a folder")
        if overwrite and self.path.exists():
            for entry in self.path.iterdir():
                if entry.is_file() and self._is_result(entry):
                    entry.unlink()
        self.path.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _is_result(entry: Path) -> bool:
        return (entry.name.startswith(("part-", "quarantine-")) or entry.suffix in (".tmp", ".parquet")
                or entry.name in (MANIFEST, SUMMARY, QUARANTINE))

    def has_results(self) -> bool:
        return any(self._is_result(entry) for entry in self.path.iterdir())

    def has_shards(self) -> bool:
        return any(self.path.glob("part-*"))

    def drop_partial_files(self) -> None:
        for leftover in self.path.glob("*.tmp"):
            leftover.unlink()

    def read_manifest(self) -> dict[str, Any] | None:
        return read_manifest(self.path)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json(self.path / MANIFEST, manifest)

    def read_summary(self) -> dict[str, Any]:
        return json.loads((self.path / SUMMARY).read_text(encoding="utf-8"))

    def write_summary(self, summary: dict[str, Any]) -> None:
        write_json(self.path / SUMMARY, summary)

    def write_quarantine(self, lines: Iterable[str], name: str = QUARANTINE) -> None:
        """Write bad-record lines (JSON, one per line) to ``name``, atomically."""
        atomic_write(self.path / name, lambda target: target.write_text(
            "".join(line + "\n" for line in lines), encoding="utf-8"))


def read_manifest(output: Path) -> dict[str, Any] | None:
    path = output / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


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
