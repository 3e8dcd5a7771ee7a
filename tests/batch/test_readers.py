import csv
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from batch.readers import Article, BadRecord, Fields, count_records, read_input, read_inputs


def test_jsonl_every_kind_of_bad_record(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join([
        json.dumps({"id": "ok-1", "text": "A drone hit a depot."}).encode() + b"\n",
        b"{not json\n",
        json.dumps({"id": "no-text"}).encode() + b"\n",
        json.dumps({"id": "empty", "text": "  "}).encode() + b"\n",
        b'{"id": "bytes", "text": "caf\xe9"}\n',
        b"[1, 2]\n",
        b"\n",
        json.dumps({"text": "No id here."}).encode() + b"\n",
    ]))
    records = list(read_input(path, Fields()))
    assert records[0] == Article(str(path), 1, "ok-1", "A drone hit a depot.")
    reasons = [(r.line, r.reason.split(" (")[0]) for r in records if isinstance(r, BadRecord)]
    assert reasons == [(2, "invalid JSON"), (3, "missing field 'text'"), (4, "empty text in field 'text'"),
                       (5, "undecodable bytes"), (6, "expected a JSON object")]
    assert records[-1] == Article(str(path), 8, "a.jsonl:8", "No id here.")


def test_corrupt_gzip_tail_is_quarantined_after_good_records(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    lines = "".join(json.dumps({"id": str(i), "text": f"Sentence {i} here. " * 40}) + "\n"
                    for i in range(200))
    data = gzip.compress(lines.encode())
    path.write_bytes(data[: len(data) * 2 // 3])
    records = list(read_input(path, Fields()))
    good = [r for r in records if isinstance(r, Article)]
    assert 0 < len(good) < 200
    assert isinstance(records[-1], BadRecord) and "corrupt gzip" in records[-1].reason


def test_csv_parquet_and_text_folder(tmp_path):
    with (tmp_path / "a.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["doc", "body"])
        writer.writerow(["c1", "Shelling hit the market."])
        writer.writerow(["c2", ""])
    pq.write_table(pa.table({"doc": ["p1"], "body": ["Rebels took the town."]}), tmp_path / "a.parquet")
    folder = tmp_path / "txt"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "one.txt").write_text("A convoy was ambushed.")
    (folder / "two.txt").write_bytes(b"\xff\xfe bad")
    fields = Fields(text="body", id="doc")
    records = list(read_inputs([tmp_path / "a.csv", tmp_path / "a.parquet", folder], fields))
    articles = [(r.article_id, r.text) for r in records if isinstance(r, Article)]
    assert articles == [("c1", "Shelling hit the market."), ("p1", "Rebels took the town."),
                        ("sub/one.txt", "A convoy was ambushed.")]
    bad = [r for r in records if isinstance(r, BadRecord)]
    assert [(r.line, r.reason.split(" (")[0]) for r in bad] == [(3, "empty text in field 'body'"),
                                                                (1, "undecodable bytes")]
    assert count_records([tmp_path / "a.csv", tmp_path / "a.parquet", folder]) == 5


def test_unknown_input_kind(tmp_path):
    with pytest.raises(ValueError, match="unsupported input"):
        read_input(tmp_path / "a.docx", Fields())


def test_publication_date_and_kept_fields_ride_along_in_every_format(tmp_path):
    import datetime

    (tmp_path / "a.jsonl").write_text(json.dumps({"id": "j1", "text": "A raid.", "date": "2025-01-03",
                                                  "source": "Wire", "desk": 7}) + "\n"
                                      + json.dumps({"id": "j2", "text": "A tally.", "date": ""}) + "\n")
    with (tmp_path / "a.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows([["id", "text", "date", "source"], ["c1", "A siege.", "2025-02-01", ""]])
    pq.write_table(pa.table({"id": ["p1"], "text": ["A strike."], "date": [datetime.date(2025, 3, 1)],
                             "source": ["Daily"], "unused": [1]}), tmp_path / "a.parquet")
    (tmp_path / "txt").mkdir()
    (tmp_path / "txt" / "t.txt").write_text("A convoy.")
    fields = Fields(published="date", keep=("source", "desk"))
    paths = [tmp_path / name for name in ("a.jsonl", "a.csv", "a.parquet", "txt")]
    records = list(read_inputs(paths, fields))
    assert [(r.article_id, r.published, r.extra) for r in records] == [
        ("j1", "2025-01-03", {"source": "Wire", "desk": "7"}),
        ("j2", None, {"source": None, "desk": None}),
        ("c1", "2025-02-01", {"source": None, "desk": None}),
        ("p1", "2025-03-01", {"source": "Daily", "desk": None}),
        ("t.txt", None, {"source": None, "desk": None}),
    ]


def test_fields_refuse_a_kept_field_twice():
    with pytest.raises(ValueError, match="repeat"):
        Fields(keep=("source", "source"))
    assert Fields(keep=["source"]).keep == ("source",)
