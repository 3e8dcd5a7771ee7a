"""Load labelled sentence files with `datasets`, rejecting bad rows with file:line messages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from datasets import Dataset, load_dataset

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


def _jsonl_line_numbers(path: Path) -> list[int]:
    """Line numbers of the non-blank lines, checking each parses as a JSON object."""
    numbers = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"{path}:{number}: invalid JSON ({err.msg})") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: expected a JSON object per line")
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


def content_hash(paths: Iterable[str | Path]) -> str:
    """Short SHA-256 over the files' bytes, in the order given: identifies the data a run saw."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]
