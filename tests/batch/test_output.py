import json

import pyarrow.parquet as pq
import pytest

from batch.output import (
    BatchError,
    add_mix_sums,
    check_kept_fields,
    columns,
    mix_sums,
    read_scored,
    summarise,
    write_shard,
)

LABELS = ["a", "b"]


def rows() -> list[dict]:
    return [{"article_id": "x", "sentence_index": i, "start": 0, "end": 1, "text": "t", "label": "a",
             "score": score, "p_a": score, "p_b": 1 - score, "published": published, "source": "Wire"}
            for i, (score, published) in enumerate([(0.9, "2025-01-03"), (0.6, None)])]


def test_columns_end_with_the_date_and_kept_fields():
    assert columns(LABELS, ("source",)) == ["article_id", "sentence_index", "start", "end", "text", "label",
                                            "score", "p_a", "p_b", "published", "source"]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_every_format_writes_published_and_kept_columns(tmp_path, fmt):
    write_shard(tmp_path / f"part-00000.{fmt}", rows(), fmt, LABELS, ("source",))
    read = list(read_scored(tmp_path))
    assert list(read[0]) == columns(LABELS, ("source",))
    assert read[0]["published"] == "2025-01-03" and read[0]["source"] == "Wire"
    assert read[1]["published"] in (None, "")  # CSV has no null
    if fmt == "parquet":
        schema = pq.read_schema(tmp_path / "part-00000.parquet")
        assert str(schema.field("published").type) == "string"


@pytest.mark.parametrize("name", ["text", "published", "p_other", "score"])
def test_a_kept_field_may_not_shadow_an_output_column(name):
    with pytest.raises(BatchError, match="clashes with an output column"):
        check_kept_fields(("source", name))
    check_kept_fields(("source", "conflict"))


def test_summary_records_the_drift_figures_and_shards_add_up():
    first = mix_sums({"a": [0.9, 0.4], "b": [0.1, 0.6]}, [0.9, 0.6], 0.7)
    assert first == {"probability_sums": {"a": 1.3, "b": 0.7}, "top_probability_sum": 1.5,
                     "low_confidence": 1}
    second = mix_sums({"a": [1.0], "b": [0.0]}, [1.0], 0.7)
    total = add_mix_sums([first, second], LABELS)
    summary = summarise("local", articles=2, sentences=3, label_counts={"a": 2, "b": 1}, labels=LABELS,
                        errors=0, wall_time=1.0, scored_now=3, sums=total, recheck_below=0.7)
    assert summary["label_mix"] == pytest.approx({"a": 2.3 / 3, "b": 0.7 / 3}, abs=1e-6)  # rounded to 6
    assert summary["mean_top_probability"] == pytest.approx(2.5 / 3, abs=1e-6)
    assert summary["low_confidence_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert summary["recheck_below"] == 0.7
    json.dumps(summary)
    empty = summarise("ray", articles=0, sentences=0, label_counts={}, labels=LABELS, errors=0, wall_time=0,
                      scored_now=0, sums=add_mix_sums([], LABELS), recheck_below=0.7)
    assert empty["label_mix"] == {"a": 0.0, "b": 0.0} and empty["low_confidence_share"] == 0.0
