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
