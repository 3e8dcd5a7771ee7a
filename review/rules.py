"""Which rule of data/GUIDELINES.md decides between two labels, quoted from the file itself.

A reviewer looking at "gold says statistic, the model says incident_report" needs the rule
that separates the two, not the whole guide. The pairs below name the hard-case families
(section 9) written for each boundary; the rule text is read from the guidelines so the
queue always quotes the version in the repository.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DEFAULT_GUIDELINES = Path("data/GUIDELINES.md")
ORDER_SECTION = "8"

# Unordered label pair -> the hard-case families (section 9) written for that boundary.
PAIR_SECTIONS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({"incident_report", "statistic"}): ("9.1", "9.14", "9.10"),
    frozenset({"statistic", "captive_testimony"}): ("9.2", "9.13", "9.15"),
    frozenset({"forecast", "captive_testimony"}): ("9.3",),
    frozenset({"forecast", "incident_report"}): ("9.4",),
    frozenset({"forecast", "statistic"}): ("9.8", "9.4"),
    frozenset({"forecast", "other"}): ("9.5", "9.9"),
    frozenset({"captive_testimony", "incident_report"}): ("9.6", "9.11"),
    frozenset({"incident_report", "other"}): ("9.7", "9.10"),
    frozenset({"captive_testimony", "other"}): ("9.12",),
    frozenset({"statistic", "other"}): ("9.10",),
}

_HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)[.]? (.+)$")
_RULE = re.compile(r"\*\*Rule\.\*\*\s*(.+?)(?:\n\s*\n|$)", re.S)


@lru_cache(maxsize=4)
def guideline_sections(path: Path = DEFAULT_GUIDELINES) -> dict[str, tuple[str, str]]:
    """``{"9.1": ("A single incident with many numbers → `incident_report`", "<rule text>")}``.

    The rule text is the section's **Rule.** paragraph, or its first paragraph when it has none.
    """
    sections: dict[str, tuple[str, str]] = {}
    number, title, body = None, "", []

    def close() -> None:
        if number is None:
            return
        text = "\n".join(body)
        found = _RULE.search(text)
        paragraph = found.group(1) if found else next((p for p in text.split("\n\n") if p.strip()), "")
        sections[number] = (title, " ".join(paragraph.split()))

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        heading = _HEADING.match(line)
        if heading:
            close()
            number, title, body = heading.group(1), heading.group(2).strip(), []
        else:
            body.append(line)
    close()
    return sections


def deciding_rule(gold: str, suggested: str, path: Path = DEFAULT_GUIDELINES) -> str:
    """The guideline sections that decide between two labels, as one line a reviewer reads.

    Pairs without a hard-case family fall back to section 8 (the order of labels).
    """
    sections = guideline_sections(path)
    numbers = PAIR_SECTIONS.get(frozenset({gold, suggested}), ()) if gold != suggested else ()
    numbers = tuple(n for n in numbers if n in sections) or (ORDER_SECTION,)
    return " | ".join(f"§{n} {sections[n][0]}: {sections[n][1]}" if n != ORDER_SECTION
                      else f"§{n} {sections[n][0]}" for n in numbers if n in sections)
