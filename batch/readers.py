"""Stream articles out of archives: JSON Lines (plain or gzip), CSV, Parquet, folders of .txt.

Readers yield one item per record, good or bad, in a stable order, so a record's position
identifies it across runs (that is what makes resuming exact). Nothing is loaded whole.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Article:
    """One readable record; ``published`` and ``extra`` (the kept fields) ride along to every
    sentence row, so reports can group by date or source without the archive at hand."""

    source: str
    line: int
    article_id: str
    text: str
    published: str | None = None
    extra: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class BadRecord:
    source: str
    line: int
    reason: str


Record = Article | BadRecord


@dataclass(frozen=True)
class Fields:
    """Which record fields hold the text, the id, the publication date, and what else to keep."""

    text: str = "text"
    id: str = "id"
    published: str = "published"
    keep: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "keep", tuple(self.keep))
        if len(set(self.keep)) != len(self.keep):
            raise ValueError(f"kept fields repeat a name: {', '.join(self.keep)}")

    def columns(self) -> list[str]:
        """The fields read from a record, for readers that pick columns."""
        return list(dict.fromkeys((self.text, self.id, self.published, *self.keep)))


def _as_text(value: object) -> str | None:
    """A field's value as a string; missing and empty are None: ``3`` -> ``"3"``, ``""`` -> None."""
    return None if value in (None, "") else str(value)


def _from_mapping(row: dict, source: str, line: int, fields: Fields) -> Record:
    text = row.get(fields.text)
    if text is None:
        return BadRecord(source, line, f"missing field '{fields.text}'")
    if not isinstance(text, str) or not text.strip():
        return BadRecord(source, line, f"empty text in field '{fields.text}'")
    article_id = _as_text(row.get(fields.id)) or f"{Path(source).name}:{line}"
    return Article(source, line, article_id, text, _as_text(row.get(fields.published)),
                   {name: _as_text(row.get(name)) for name in fields.keep})


def _jsonl_lines(path: Path) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(line number, raw bytes, error) per line; a broken gzip stream ends with an error."""
    opener = gzip.open if path.suffix == ".gz" else open
    number = 0
    with opener(path, "rb") as handle:
        try:
            for number, raw in enumerate(handle, start=1):  # noqa: B007
                yield number, raw, None
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as err:
            yield number + 1, None, f"corrupt gzip stream ({err})"


def read_jsonl(path: Path, fields: Fields) -> Iterator[Record]:
    source = str(path)
    for number, raw, error in _jsonl_lines(path):
        if error is not None:
            yield BadRecord(source, number, error)
            return
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            yield BadRecord(source, number, f"undecodable bytes ({err.reason} at byte {err.start})")
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            yield BadRecord(source, number, f"invalid JSON ({err.msg})")
            continue
        if not isinstance(row, dict):
            yield BadRecord(source, number, "expected a JSON object")
            continue
        yield _from_mapping(row, source, number, fields)


def read_csv(path: Path, fields: Fields) -> Iterator[Record]:
    source = str(path)
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", errors="strict", newline="")
        reader = csv.DictReader(text)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as err:
                yield BadRecord(source, reader.line_num + 1, f"undecodable bytes ({err.reason})")
                return
            except csv.Error as err:
                yield BadRecord(source, reader.line_num, f"invalid CSV ({err})")
                continue
            yield _from_mapping(row, source, reader.line_num, fields)


def read_parquet(path: Path, fields: Fields, batch_rows: int = 1024) -> Iterator[Record]:
    import pyarrow.parquet as pq

    source = str(path)
    parquet = pq.ParquetFile(path)
    columns = [c for c in fields.columns() if c in parquet.schema_arrow.names]
    row_number = 0
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
        for row in batch.to_pylist():
            row_number += 1
            yield _from_mapping(row, source, row_number, fields)


def read_text_folder(path: Path, fields: Fields) -> Iterator[Record]:
    for file in sorted(p for p in path.rglob("*.txt") if p.is_file()):
        relative = file.relative_to(path).as_posix()
        try:
            text = file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            yield BadRecord(str(file), 1, f"undecodable bytes ({err.reason} at byte {err.start})")
            continue
        if not text.strip():
            yield BadRecord(str(file), 1, "empty text")
            continue
        yield Article(str(file), 1, relative, text, extra=dict.fromkeys(fields.keep))


def read_input(path: Path, fields: Fields) -> Iterator[Record]:
    """Records of one input, chosen by its kind; raises ValueError for an unknown kind."""
    if path.is_dir():
        return read_text_folder(path, fields)
    name = path.name.lower()
    if name.endswith((".jsonl", ".jsonl.gz", ".json", ".ndjson", ".ndjson.gz")):
        return read_jsonl(path, fields)
    if name.endswith(".csv"):
        return read_csv(path, fields)
    if name.endswith(".parquet"):
        return read_parquet(path, fields)
    raise ValueError(f"{path}: unsupported input (use .jsonl[.gz], .csv, .parquet or a folder of .txt)")


def read_inputs(paths: Sequence[Path], fields: Fields) -> Iterator[Record]:
    for path in paths:
        yield from read_input(path, fields)


def count_records(paths: Sequence[Path]) -> int | None:
    """Total records when cheap to know (no gzip): lines, Parquet rows or .txt files."""
    total = 0
    for path in paths:
        name = path.name.lower()
        if path.is_dir():
            total += sum(1 for _ in path.rglob("*.txt"))
        elif name.endswith(".parquet"):
            import pyarrow.parquet as pq

            total += pq.ParquetFile(path).metadata.num_rows
        elif name.endswith(".gz"):
            return None
        elif name.endswith(".csv"):
            with path.open("rb") as handle:
                total += max(0, sum(1 for _ in handle) - 1)
        else:
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
    return total
