import numpy as np
import pytest

from reports.drift import (
    PeriodTally,
    Reference,
    js_distance,
    period_drift,
    reference_from_labels,
    reference_from_summary,
    run_drift,
)

LABELS = ["a", "b", "c"]
REFERENCE = Reference("train", np.array([0.5, 0.3, 0.2]))


def tally(period: str, mix, sentences: int = 100, low: int = 10) -> PeriodTally:
    return PeriodTally(period, sentences, np.asarray(mix, dtype=float) * sentences, low)


def test_js_distance_is_zero_for_the_same_mix_and_one_for_disjoint_mixes():
    assert js_distance([0.5, 0.3, 0.2], [50, 30, 20]) == pytest.approx(0.0, abs=1e-7)  # counts or shares
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_distance([0, 0], [1, 0]) is None


def test_a_steady_archive_raises_no_flag():
    tallies = [tally(f"2025-0{m}", [0.5, 0.3, 0.2]) for m in range(1, 5)]
    records = period_drift(tallies, REFERENCE)
    assert [r["flags"] for r in records] == [[], [], [], []]
    assert records[0]["js_earlier"] is None and records[0]["earlier_low_confidence_share"] is None
    assert all(r["js_reference"] == pytest.approx(0.0, abs=1e-7) for r in records)


def test_a_shifted_period_is_flagged_against_reference_and_earlier_periods():
    tallies = [tally("2025-01", [0.5, 0.3, 0.2]), tally("2025-02", [0.5, 0.3, 0.2]),
               tally("2025-03", [0.1, 0.2, 0.7])]
    records = period_drift(tallies, REFERENCE, js_threshold=0.1)
    assert records[0]["flags"] == [] and records[1]["flags"] == []
    assert records[2]["js_reference"] > 0.3 and records[2]["js_earlier"] > 0.3
    assert [flag.split(" (")[0].split(" from ")[1] for flag in records[2]["flags"]] == [
        "the reference", "earlier periods"]
    # A looser threshold lets the same shift pass.
    assert period_drift(tallies, REFERENCE, js_threshold=0.5)[2]["flags"] == []


def test_a_doubled_low_confidence_share_is_flagged_and_a_smaller_rise_is_not():
    same = [0.5, 0.3, 0.2]
    doubled = period_drift([tally("1", same, low=10), tally("2", same, low=10), tally("3", same, low=20)],
                           REFERENCE)
    assert doubled[2]["earlier_low_confidence_share"] == pytest.approx(0.1)
    assert doubled[2]["flags"] == ["low-confidence share 20%, at least 2x earlier periods' 10%"]
    risen = period_drift([tally("1", same, low=10), tally("2", same, low=19)], REFERENCE)
    assert risen[1]["flags"] == []


def test_small_periods_are_measured_but_not_flagged_and_earlier_pools_every_period():
    tallies = [tally("2025-01", [0.5, 0.3, 0.2], sentences=100), tally("2025-02", [0, 0, 1], sentences=10),
               tally("undated", [0.5, 0.3, 0.2], sentences=100)]
    records = period_drift(tallies, REFERENCE, min_sentences=30)
    assert records[1]["js_reference"] > 0.5 and not records[1]["judged"] and records[1]["flags"] == []
    # The undated period is compared with all the dated ones pooled: 110 sentences.
    pooled = np.array([50, 30, 30]) / 110
    assert records[2]["js_earlier"] == pytest.approx(js_distance([0.5, 0.3, 0.2], pooled))


def test_without_a_reference_only_earlier_periods_count():
    records = period_drift([tally("1", [0.5, 0.3, 0.2]), tally("2", [0.1, 0.1, 0.8])], None)
    assert records[1]["js_reference"] is None and len(records[1]["flags"]) == 1


def test_references_from_gold_labels_and_from_a_summary():
    gold = reference_from_labels("train.jsonl", ["a", "a", "b", "a"], LABELS)
    assert gold.mix.tolist() == [0.75, 0.25, 0.0] and gold.low_confidence_share is None
    with pytest.raises(ValueError, match="labels d are not the scored labels"):
        reference_from_labels("x", ["a", "d"], LABELS)
    summary = {"label_mix": {"a": 0.2, "b": 0.2, "c": 0.6}, "mean_top_probability": 0.9,
               "low_confidence_share": 0.1}
    earlier = reference_from_summary("summary.json", summary, LABELS)
    assert earlier.mix.tolist() == pytest.approx([0.2, 0.2, 0.6]) and earlier.low_confidence_share == 0.1
    old = reference_from_summary("old.json", {"labels": {"a": 3, "b": 1, "c": 0}}, LABELS)
    assert old.mix.tolist() == [0.75, 0.25, 0.0]


def test_run_drift_compares_the_whole_run_with_the_reference():
    summary = {"label_mix": {"a": 0.5, "b": 0.3, "c": 0.2}, "mean_top_probability": 0.9,
               "low_confidence_share": 0.3, "recheck_below": 0.9}
    steady = run_drift(summary, LABELS, REFERENCE)
    assert steady["flags"] == [] and steady["js_reference"] == pytest.approx(0.0, abs=1e-7)
    earlier = Reference("earlier", np.array([0.1, 0.1, 0.8]), 0.95, 0.1)
    moved = run_drift(summary, LABELS, earlier)
    assert moved["flags"][0].startswith("label mix") and moved["flags"][1] == (
        "low-confidence share 30%, at least 2x the reference's 10%")
    assert "reference" not in run_drift(summary, LABELS, None)
