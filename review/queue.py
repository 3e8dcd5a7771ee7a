"""The review queue: one item per sentence worth a human look, written as JSON Lines and CSV.

`warlens data issues` and `warlens review select` both write it, the explorer's review view
reads it, and `warlens data apply-review` reads the decisions made on it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from training.data import jsonl_records

QUEUE_KINDS = ("label_issue", "near_duplicate", "outlier", "selected")


@dataclass
class QueueItem:
    """``gold`` is the corpus label (None for archive sentences); ``suggested`` is what the
    model or the check proposes; ``score`` is the ranking value (lower: look first, except
    for near duplicates, where it is the cosine)."""

    kind: str
    id: str
    article_id: str
    sentence_index: int
    text: str
    gold: str | None
    suggested: str
    score: float
    rule: str
    probabilities: dict[str, float]
    context: dict[str, str]
    other: dict[str, Any] | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def context_of(articles: Sequence[str], positions: Sequence[int],
               texts: Sequence[str]) -> list[dict[str, str]]:
    """For every row, the text of the rows just before and after it in its article:
    ``["a", "a"], [0, 1], ["X.", "Y."]`` ->
    ``[{"previous": "", "next": "Y."}, {"previous": "X.", "next": ""}]``."""
    where = {(article, int(position)): row for row, (article, position) in
             enumerate(zip(articles, positions, strict=True))}

    def text_at(article: str, position: int) -> str:
        row = where.get((article, position))
        return texts[row] if row is not None else ""

    return [{"previous": text_at(article, int(position) - 1), "next": text_at(article, int(position) + 1)}
            for article, position in zip(articles, positions, strict=True)]


def write_queue(items: Iterable[QueueItem], out_dir: Path, name: str = "queue") -> tuple[Path, Path]:
    """``<name>.jsonl`` (everything, for the review view) and ``<name>.csv`` (flat, for a
    spreadsheet: probabilities as columns, context and the duplicate's text inlined)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [asdict(item) for item in items]
    jsonl, table = out_dir / f"{name}.jsonl", out_dir / f"{name}.csv"
    with jsonl.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    labels = sorted({label for row in rows for label in row["probabilities"]})
    names = ["kind", "id", "article_id", "sentence_index", "text", "gold", "suggested", "score", "rule",
             *(f"p_{label}" for label in labels), "previous", "next", "other_id", "other_text"]
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=names)
        writer.writeheader()
        for row in rows:
            other = row["other"] or {}
            writer.writerow({**{k: row[k] for k in names[:9]},
                             **{f"p_{label}": row["probabilities"].get(label) for label in labels},
                             "previous": row["context"]["previous"], "next": row["context"]["next"],
                             "other_id": other.get("id", ""), "other_text": other.get("text", "")})
    return jsonl, table


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON Lines file; a clear error naming the first line that is not one."""
    rows = []
    for number, record in jsonl_records(Path(path)):
        if isinstance(record, str):
            raise ValueError(f"{path}:{number}: {record}")
        rows.append(record)
    return rows
