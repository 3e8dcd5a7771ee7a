"""From an article's `published` value to the period it is counted in.

Dates are taken as written (the publisher's calendar day, no time-zone conversion): a story
stamped 23:30 on the 1st belongs to the 1st wherever the reader is. A value that is missing or
does not parse goes to the "undated" period, which is counted like any other and sorts last.
"""

from __future__ import annotations

from datetime import date, datetime

PERIODS = ("day", "week", "month", "quarter", "year")
UNDATED = "undated"


def parse_published(value: object) -> date | None:
    """The calendar date of an ISO date or date-time, else None.

    ``"2025-01-03"``, ``"2025-01-03T23:30:00-05:00"``, ``"2025-01-03 08:00:00"`` -> 2025-01-03;
    ``""``, ``None``, ``"3 Jan"``, ``"2025-13-01"`` -> None.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        return None


def period_key(value: object, by: str) -> str:
    """The period holding ``value``: ``"2025-01-03"`` -> day ``2025-01-03``, week ``2025-W01``
    (ISO week), month ``2025-01``, quarter ``2025-Q1``, year ``2025``; unparseable -> ``undated``."""
    if by not in PERIODS:
        raise ValueError(f"unknown period {by!r}: choose one of {', '.join(PERIODS)}")
    day = parse_published(value)
    if day is None:
        return UNDATED
    if by == "day":
        return day.isoformat()
    if by == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if by == "year":
        return f"{day.year:04d}"
    return f"{day.year:04d}-{day.month:02d}"


def sort_key(key: str) -> tuple[bool, str]:
    """Chronological order for period keys, "undated" last: keys of one kind sort as text."""
    return (key == UNDATED, key)
