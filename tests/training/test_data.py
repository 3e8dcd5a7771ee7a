import json

import pytest

from training.config import DEFAULT_LABELS
from training.data import DataError, content_hash, find_problems, jsonl_records, load_labelled


def test_loads_jsonl_keeps_extra_fields_and_maps_labels(root):
    dataset = load_labelled(root / "tests" / "fixtures" / "tiny.jsonl", DEFAULT_LABELS)
    assert len(dataset) == 6
    assert dataset["label_id"] == [0, 1, 2, 3, 4, 0]
    assert "source" in dataset.column_names


def test_loads_csv(root):
    dataset = load_labelled(root / "tests" / "fixtures" / "tiny.csv", DEFAULT_LABELS)
    assert dataset["label"] == ["incident_report", "other"]


def write_lines(path, rows):
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


def test_unknown_label_names_file_and_line(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [{"text": "a b", "label": "other"},
                                              {"text": "c d", "label": "rumour"}])
    with pytest.raises(DataError, match=r"d\.jsonl:2: unknown label 'rumour'"):
        load_labelled(path, DEFAULT_LABELS)


def test_empty_text_and_missing_field(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [{"text": "  ", "label": "other"},
                                              {"text": "fine", "label": "other"},
                                              {"label": "other"}])
    with pytest.raises(DataError) as err:
        load_labelled(path, DEFAULT_LABELS)
    assert "d.jsonl:1: empty text" in str(err.value)
    assert "d.jsonl:3: missing field 'text'" in str(err.value)


def test_invalid_json_and_missing_file(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", [{"text": "a", "label": "other"}, "{oops"])
    with pytest.raises(DataError, match=r"d\.jsonl:2: invalid JSON"):
        load_labelled(path, DEFAULT_LABELS)
    with pytest.raises(DataError, match="file not found"):
        load_labelled(tmp_path / "absent.jsonl", DEFAULT_LABELS)
    with pytest.raises(DataError, match="unsupported file type"):
        load_labelled(write_lines(tmp_path / "d.txt", ["x"]), DEFAULT_LABELS)


def test_find_problems_is_pure():
    rows = [{"text": "ok", "label": "other"}, {"text": "", "label": "x"}]
    assert find_problems(rows, [5, 9], ["other"]) == [
        (9, "empty text in field 'text'"),
        (9, "unknown label 'x' (expected one of other)"),
    ]


def test_content_hash_changes_with_content(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("one")
    b.write_text("two")
    first = content_hash([a, b])
    assert len(first) == 12 and first == content_hash([a, b])
    b.write_text("three")
    assert content_hash([a, b]) != first


def test_jsonl_records_number_lines_and_name_bad_ones(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"a": 1}\n\n[2]\n{bad\n', encoding="utf-8")
    records = list(jsonl_records(path))
    assert records[:2] == [(1, {"a": 1}), (3, "expected a JSON object")]
    assert records[2][0] == 4 and records[2][1].startswith("invalid JSON")


def test_with_context_reads_neighbours_within_each_article_in_sentence_order():
    from datasets import Dataset

    from training.data import with_context

    rows = Dataset.from_list([
        {"text": "b one", "article_id": "b", "sentence_index": 0},
        {"text": "a two", "article_id": "a", "sentence_index": 1},
        {"text": "a one", "article_id": "a", "sentence_index": 0},
        {"text": "a three", "article_id": "a", "sentence_index": 2},
    ])
    assert with_context(rows, 1)["context"] == ["", "one / a", "/ a", "two /"]


def test_with_context_drops_a_seeded_share_and_needs_article_fields():
    from datasets import Dataset

    from training.data import with_context

    rows = Dataset.from_list([{"text": f"s{i} x", "article_id": "a", "sentence_index": i}
                              for i in range(400)])
    kept = with_context(rows, 2, dropout=0.25, seed=3)["context"]
    assert 0.18 < sum(context == "" for context in kept) / 400 < 0.32
    assert kept == with_context(rows, 2, dropout=0.25, seed=3)["context"]
    bare = Dataset.from_list([{"text": "alone"}, {"text": "also alone"}])
    assert with_context(bare, 2)["context"] == ["", ""]
