"""Load labelled sentence files with `datasets`, rejecting bad rows with file:line messages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasets import Dataset

SUPPORTED_SUFFIXES = {".jsonl": "json", ".json": "json", ".csv": "csv"}
MAX_REPORTED_PROBLEMS = 5


class DataError(ValueError):
    """A data file that cannot be used; the message names the file and the line."""


def _loader(path: Path) -> str:
    try:
        return SUPPORTED_SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise DataError(
            f"{path}: unsupported file type '{path.suffix}' (use .jsonl, .json or .csv)"
        ) from None


def jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """``(line number, object)`` for every non-blank line, or ``(line number, problem)`` for a line
    that is not a JSON object: ``'{"a": 1}\\n\\n[2]'`` -> ``(1, {"a": 1}), (3, "expected a JSON object")``."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                yield number, f"invalid JSON ({err.msg})"
                continue
            yield number, record if isinstance(record, dict) else "expected a JSON object"


def _jsonl_line_numbers(path: Path) -> list[int]:
    """Line numbers of the non-blank lines; the first line that is not a JSON object is an error."""
    numbers = []
    for number, record in jsonl_records(path):
        if isinstance(record, str):
            raise DataError(f"{path}:{number}: {record}")
        numbers.append(number)
    return numbers


def find_problems(
    rows: Iterable[dict[str, Any]],
    line_numbers: Sequence[int],
    labels: Sequence[str],
    text_field: str = "text",
    label_field: str = "label",
) -> list[tuple[int, str]]:
    """Return ``(line, problem)`` for every row that cannot be trained or evaluated on.

    >>> find_problems([{"text": "", "label": "other"}], [3], ["other"])
    [(3, "empty text in field 'text'")]
    """
    known = set(labels)
    problems = []
    for row, line in zip(rows, line_numbers, strict=True):
        text, label = row.get(text_field), row.get(label_field)
        if text is None:
            problems.append((line, f"missing field '{text_field}'"))
        elif not isinstance(text, str) or not text.strip():
            problems.append((line, f"empty text in field '{text_field}'"))
        if label is None:
            problems.append((line, f"missing field '{label_field}'"))
        elif label not in known:
            problems.append((line, f"unknown label {label!r} (expected one of {', '.join(labels)})"))
    return problems


def load_labelled(
    path: str | Path,
    labels: Sequence[str],
    text_field: str = "text",
    label_field: str = "label",
) -> Dataset:
    """Load one labelled split; adds ``label_id`` (index into ``labels``), keeps extra fields."""
    from datasets import load_dataset

    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    kind = _loader(path)
    if kind == "json":
        line_numbers = _jsonl_line_numbers(path)
        if not line_numbers:
            raise DataError(f"{path}: no rows")
    try:
        dataset = load_dataset(kind, data_files=str(path), split="train", keep_in_memory=True)
    except Exception as err:  # datasets wraps parser errors in several types
        raise DataError(f"{path}: could not be read ({err})") from None
    if kind == "csv":
        line_numbers = list(range(2, len(dataset) + 2))
    for field in (text_field, label_field):
        if field not in dataset.column_names:
            raise DataError(f"{path}:{line_numbers[0]}: missing field '{field}'")
    problems = find_problems(dataset, line_numbers, labels, text_field, label_field)
    if problems:
        shown = "; ".join(f"{path}:{line}: {what}" for line, what in problems[:MAX_REPORTED_PROBLEMS])
        more = len(problems) - MAX_REPORTED_PROBLEMS
        raise DataError(shown + (f"; and {more} more" if more > 0 else ""))
    label_to_id = {label: index for index, label in enumerate(labels)}
    if text_field != "text":
        dataset = dataset.rename_column(text_field, "text")
    return dataset.map(
        lambda row: {"label_id": label_to_id[row[label_field]]}, keep_in_memory=True
    )


def with_context(dataset: Dataset, words: int, dropout: float = 0.0, seed: int = 0) -> Dataset:
    """Add a ``context`` column: each row's neighbours in its article (rows grouped by
    ``article_id``, in ``sentence_index`` order), and for a seeded share ``dropout`` of the rows
    none, as a lone sentence has. Rows of files without those fields get no context."""
    import numpy as np

    from inference.context import neighbour_contexts

    contexts = [""] * len(dataset)
    if {"article_id", "sentence_index"} <= set(dataset.column_names):
        articles: dict[str, list[tuple[int, int]]] = {}
        for row, (article, position) in enumerate(zip(dataset["article_id"], dataset["sentence_index"],
                                                      strict=True)):
            articles.setdefault(article, []).append((position, row))
        texts = dataset["text"]
        for members in articles.values():
            rows = [row for _, row in sorted(members)]
            for row, context in zip(rows, neighbour_contexts([texts[r] for r in rows], words), strict=True):
                contexts[row] = context
    if dropout:
        dropped = np.random.default_rng(seed).random(len(dataset)) < dropout
        contexts = ["" if drop else context for drop, context in zip(dropped, contexts, strict=True)]
    return dataset.add_column("context", contexts)


def content_hash(paths: Iterable[str | Path]) -> str:
    """Short SHA-256 over the files' bytes, in the order given: identifies the data a run saw."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def data_passes(folders: Iterable[str | Path]) -> dict[str, str]:
    """Every pass file (``*-pass-N.jsonl``) in ``folders``, by path, with its content hash: which
    relabel, reshape and review passes the corpus a run trains on went through."""
    return {str(path): content_hash([path]) for folder in folders if Path(folder).is_dir()
            for path in sorted(Path(folder).glob("*-pass-*.jsonl"))}
