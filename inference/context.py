"""A sentence's context: what its neighbours in the article say, cut to a word budget.

A line of a freed captive's account ("I remember the gunfire and everyone running.") is
testimony only because of the lines around it. A context model reads each unit as the first
segment and its context as the second: the last words of the previous unit, a slash, and the
first words of the next. The budget keeps the input short, so context costs little served time.
"""

from __future__ import annotations

from collections.abc import Sequence

SEPARATOR = " / "


def neighbour_context(previous: str | None, following: str | None, words: int) -> str:
    """``"The guards came at dawn.", "Nobody spoke.", 3`` -> ``"came at dawn. / Nobody spoke."``;
    a missing neighbour leaves its side empty."""
    before = " ".join(previous.split()[-words:]) if previous else ""
    after = " ".join(following.split()[:words]) if following else ""
    return f"{before}{SEPARATOR}{after}".strip() if before or after else ""


def neighbour_contexts(units: Sequence[str], words: int) -> list[str]:
    """The context of every unit of one article, given in reading order."""
    return [neighbour_context(units[i - 1] if i else None, units[i + 1] if i + 1 < len(units) else None,
                              words) for i in range(len(units))]
