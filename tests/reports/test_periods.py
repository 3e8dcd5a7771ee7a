from datetime import date

import pytest

from reports.periods import PERIODS, UNDATED, parse_published, period_key, sort_key


@pytest.mark.parametrize("value, expected", [
    ("2025-01-03", date(2025, 1, 3)),
    ("2025-01-03T23:30:00-05:00", date(2025, 1, 3)),  # the publisher's day, not UTC's
    ("2025-01-03 08:00:00", date(2025, 1, 3)),
    ("2025-01-03T08:00:00Z", date(2025, 1, 3)),
    ("  2025-01-03 ", date(2025, 1, 3)),
    (date(2025, 1, 3), date(2025, 1, 3)),
    (None, None), ("", None), ("   ", None), ("3 Jan 2025", None), ("2025-13-01", None), ("2025-02-30", None),
    (20250103, None),
])
def test_parse_published(value, expected):
    assert parse_published(value) == expected


def test_period_keys_for_each_granularity():
    keys = {by: period_key("2025-01-03", by) for by in PERIODS}
    assert keys == {"day": "2025-01-03", "week": "2025-W01", "month": "2025-01", "quarter": "2025-Q1",
                    "year": "2025"}
    # ISO weeks cross years: 30 December 2024 is in week 1 of 2025.
    assert period_key("2024-12-30", "week") == "2025-W01"
    assert period_key("2024-12-30", "month") == "2024-12"
    assert period_key("2024-10-01", "quarter") == "2024-Q4"


def test_missing_or_bad_dates_are_undated_and_sort_last():
    assert {period_key(value, "month") for value in (None, "", "yesterday", "2025-99-99")} == {UNDATED}
    keys = ["2025-02", UNDATED, "2024-12", "2025-01"]
    assert sorted(keys, key=sort_key) == ["2024-12", "2025-01", "2025-02", UNDATED]
    assert sorted(["2025-W10", "2025-W02", UNDATED, "2024-W52"], key=sort_key) == [
        "2024-W52", "2025-W02", "2025-W10", UNDATED]


def test_unknown_period_is_an_error():
    with pytest.raises(ValueError, match="choose one of day, week, month"):
        period_key("2025-01-03", "fortnight")
