"""`warlens data check`: is the corpus clean, shaped like real reporting, and where could a
label leak through wording?

Pure functions return findings; `check_corpus` gathers them into a `CheckReport` that the CLI
prints. Errors make the check fail; warnings are printed for a person to judge. With
``shape=True`` every shape target (issue "Corpus v7") that the corpus misses is an error, and so
is every cue over the cap that the allow-list (`data/cue-allowlist.yaml`) does not excuse.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from training.config import DEFAULT_LABELS
from training.corpus import BOILERPLATE_KINDS, UNIT_KINDS
from training.data import jsonl_records

REQUIRED_FIELDS = {
    "id": str, "article_id": str, "sentence_index": int, "text": str, "label": str,
    "hard": bool, "conflict": str, "register": str,
}
MAX_TEXT_CHARS = 600
# Register slugs are lower_snake_case ("ngo_report"), so reports group them under one spelling.
REGISTER_SLUG = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)*")
NEAR_DUPLICATE_JACCARD = 0.8
TOKEN = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


@dataclass
class Row:
    split: str
    source: str
    line: int
    record: dict[str, Any]


@dataclass
class CheckReport:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    shape: list[tuple[str, Any, str, bool]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.errors


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens: ``"U.S.-led strikes, 2024"`` -> ``["u", "s", "led", "strikes", "2024"]``."""
    return TOKEN.findall(text.lower())


def normalise(text: str) -> str:
    """Text reduced to its tokens, for exact-duplicate detection that ignores case and punctuation."""
    return " ".join(tokens(text))


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float = NEAR_DUPLICATE_JACCARD
) -> list[tuple[int, int, float]]:
    """Index pairs whose token sets have Jaccard >= threshold, found with prefix filtering.

    Two sets can only reach the threshold if they share one of their rarest
    ``|x| - ceil(threshold * |x|) + 1`` tokens, so only those are indexed.
    """
    sets = [set(tokens(text)) for text in texts]
    frequency = Counter(token for s in sets for token in s)
    index: dict[str, list[int]] = defaultdict(list)
    pairs = []
    for i, token_set in enumerate(sets):
        ordered = sorted(token_set, key=lambda t: (frequency[t], t))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
        candidates = {j for token in prefix for j in index[token]}
        for j in sorted(candidates):
            score = jaccard(token_set, sets[j])
            if score >= threshold:
                pairs.append((j, i, score))
        for token in prefix:
            index[token].append(i)
    return pairs


def schema_problems(record: dict[str, Any], labels: Sequence[str]) -> list[str]:
    """What is wrong with one corpus row, as short phrases; empty when the row is valid."""
    problems = []
    for name, kind in REQUIRED_FIELDS.items():
        if name not in record:
            problems.append(f"missing field '{name}'")
        elif not isinstance(record[name], kind) or (kind is int and isinstance(record[name], bool)):
            problems.append(f"field '{name}' should be {kind.__name__}")
    text = record.get("text")
    if isinstance(text, str):
        if not text.strip():
            problems.append("empty text")
        elif len(text) > MAX_TEXT_CHARS:
            problems.append(f"text over {MAX_TEXT_CHARS} characters ({len(text)})")
    label = record.get("label")
    if isinstance(label, str) and label not in labels:
        problems.append(f"unknown label {label!r}")
    register = record.get("register")
    if isinstance(register, str) and not REGISTER_SLUG.fullmatch(register):
        problems.append(f"register {register!r} is not a lower_snake_case slug")
    if record.get("kind", "sentence") not in UNIT_KINDS:
        problems.append(f"unknown kind {record.get('kind')!r} (expected one of {', '.join(UNIT_KINDS)})")
    return problems


def read_rows(paths: Sequence[Path], report: CheckReport) -> None:
    """Read every JSON Lines file (folders expand to their `*.jsonl`); split = file stem."""
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.is_file():
            files.append(path)
        else:
            report.errors.append(f"{path}: not found")
    if not files and not report.errors:
        report.errors.append(f"no .jsonl files in {', '.join(map(str, paths))}")
    for file in files:
        for number, record in jsonl_records(file):
            if isinstance(record, str):
                report.errors.append(f"{file}:{number}: {record}")
            else:
                report.rows.append(Row(file.stem, str(file), number, record))


def check_rows(report: CheckReport, labels: Sequence[str]) -> None:
    """Schema, duplicate ids, articles across splits, exact and near duplicates."""
    for row in report.rows:
        for problem in schema_problems(row.record, labels):
            report.errors.append(f"{row.source}:{row.line}: {problem}")
    valid = [row for row in report.rows if isinstance(row.record.get("text"), str)]
    seen_ids: dict[str, Row] = {}
    article_splits: dict[str, set[str]] = defaultdict(set)
    for row in valid:
        row_id = row.record.get("id")
        if row_id in seen_ids:
            first = seen_ids[row_id]
            report.errors.append(f"{row.source}:{row.line}: duplicate id {row_id!r} "
                                 f"(first at {first.source}:{first.line})")
        seen_ids.setdefault(row_id, row)
        article_splits[row.record.get("article_id")].add(row.split)
    for article, splits in sorted(article_splits.items(), key=lambda kv: str(kv[0])):
        if len(splits) > 1:
            report.errors.append(f"article {article!r} is in several splits: {sorted(splits)}")
    by_text: dict[str, Row] = {}
    checked = [row for row in valid if row.record.get("kind") not in BOILERPLATE_KINDS]
    for row in checked:
        key = normalise(row.record["text"])
        if key in by_text:
            first = by_text[key]
            report.errors.append(f"{row.source}:{row.line}: exact duplicate of {first.source}:{first.line}")
        else:
            by_text[key] = row
    for i, j, score in near_duplicate_pairs([row.record["text"] for row in checked]):
        a, b = checked[i], checked[j]
        if normalise(a.record["text"]) == normalise(b.record["text"]):
            continue
        where = f"{a.source}:{a.line} and {b.source}:{b.line} (Jaccard {score:.2f})"
        if a.split != b.split:
            report.errors.append(f"near-duplicates across splits: {where}")
        else:
            report.warnings.append(f"near-duplicates within {a.split}: {where}")


def cue_report(rows: Sequence[Row], labels: Sequence[str], top: int = 8,
               min_count: int = 15) -> dict[str, list[tuple[str, float, float, int]]]:
    """Per label, the tokens with the highest pointwise mutual information.

    Each entry is ``(token, pmi, share of the token's sentences carrying the label, count)``;
    a share near 1.0 on a common token is a cue that could decide the label alone.
    """
    label_counts = Counter(row.record["label"] for row in rows)
    token_counts: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    for row in rows:
        for token in set(tokens(row.record["text"])):
            token_counts[token] += 1
            joint[(token, row.record["label"])] += 1
    total = len(rows)
    out: dict[str, list[tuple[str, float, float, int]]] = {}
    for label in labels:
        if not label_counts[label]:
            out[label] = []
            continue
        scored = []
        for token, count in token_counts.items():
            together = joint[(token, label)]
            if count < min_count or not together:
                continue
            pmi = math.log2(together * total / (count * label_counts[label]))
            scored.append((token, pmi, together / count, count))
        out[label] = sorted(scored, key=lambda item: (-item[1], -item[3]))[:top]
    return out


def check_corpus(paths: Sequence[Path], labels: Sequence[str] = DEFAULT_LABELS, shape: bool = False,
                 allowed_cues: dict[str, str] | None = None) -> CheckReport:
    """Read and check the corpus; ``shape`` adds the shape targets, ``allowed_cues`` maps a
    definitional cue to the label it may decide."""
    report = CheckReport()
    read_rows(paths, report)
    check_rows(report, labels)
    if shape and report.clean:
        report.shape = shape_report(shape_figures(valid_rows(report, labels), labels), allowed_cues)
        report.errors.extend(shape_errors(report.shape))
    return report


def valid_rows(report: CheckReport, labels: Sequence[str]) -> list[Row]:
    """Rows with a known label and a text, the ones every figure is computed on."""
    return [row for row in report.rows
            if row.record.get("label") in labels and isinstance(row.record.get("text"), str)]


def summary_tables(report: CheckReport, labels: Sequence[str]) -> dict[str, Any]:
    """Counts by label and split, conflict and register shares, and sentence length statistics."""
    rows = [row for row in report.rows if isinstance(row.record.get("text"), str)]
    splits = sorted({row.split for row in rows}, key=lambda s: ("train", "validation", "test",
                                                               s).index(s) if s in (
        "train", "validation", "test") else 3)
    by_label_split = Counter((row.record.get("label"), row.split) for row in rows)
    hard = Counter(row.record.get("label") for row in rows if row.record.get("hard") is True)
    lengths = sorted(len(row.record["text"].split()) for row in rows)
    total = len(rows) or 1

    def share(key: str) -> list[tuple[str, int, float]]:
        counts = Counter(str(row.record.get(key)) for row in rows)
        return [(name, count, count / total) for name, count in counts.most_common()]

    def percentile(q: float) -> int:
        return lengths[min(len(lengths) - 1, int(q * len(lengths)))] if lengths else 0

    return {
        "splits": splits,
        "label_split": {label: {split: by_label_split[(label, split)] for split in splits}
                        for label in labels},
        "hard_share": {label: hard[label] / max(1, sum(by_label_split[(label, s)] for s in splits))
                       for label in labels},
        "conflicts": share("conflict"),
        "registers": share("register"),
        "articles": len({row.record.get("article_id") for row in rows}),
        "length_words": {"min": percentile(0), "median": percentile(0.5),
                         "p95": percentile(0.95), "max": lengths[-1] if lengths else 0},
    }


# Words that mark a forecast on their own; real forecasts often do without them ("hinges on").
MODAL_CUES = re.compile(
    r"\b(?:may|might|could|would|will|shall|can|likely|unlikely|expect\w*|probabl\w*|possibl\w*|"
    r"potential\w*|poised|set to|going to)\b|'ll\b", re.IGNORECASE)
CUE_MIN_COUNT = 50


def cue_caps(rows: Sequence[Row], labels: Sequence[str], cap: float = 0.85,
             min_count: int = CUE_MIN_COUNT) -> list[tuple[str, str, float, int]]:
    """Tokens and bigrams seen in at least ``min_count`` sentences whose share of one label is
    above ``cap``: ``(cue, label, share, count)``, most decisive first."""
    counts: Counter[str] = Counter()
    joint: Counter[tuple[str, str]] = Counter()
    for row in rows:
        words = tokens(row.record["text"])
        for cue in {*words, *(" ".join(pair) for pair in zip(words, words[1:], strict=False))}:
            counts[cue] += 1
            joint[(cue, row.record["label"])] += 1
    found = []
    for cue, count in counts.items():
        if count < min_count:
            continue
        label, together = max(((label, joint[(cue, label)]) for label in labels), key=lambda item: item[1])
        if together / count > cap:
            found.append((cue, label, together / count, count))
    return sorted(found, key=lambda item: (-item[2], -item[3], item[0]))


def shape_figures(rows: Sequence[Row], labels: Sequence[str]) -> dict[str, Any]:
    """How much the corpus looks like real reporting (issue "Corpus v7"): label mix, articles
    with every label, where forecasts sit, sentence length, and label cues."""
    by_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_article[row.record["article_id"]].append(row.record)
    label_counts = Counter(row.record["label"] for row in rows)
    total = len(rows) or 1
    forecasts = late = 0
    for units in by_article.values():
        story = [u for u in sorted(units, key=lambda u: u["sentence_index"])
                 if u.get("kind", "sentence") == "sentence"]
        for position, unit in enumerate(story):
            if unit["label"] == "forecast":
                forecasts += 1
                late += position >= 0.75 * len(story)
    lengths = sorted(len(row.record["text"].split()) for row in rows)

    def share_of(label: str, test) -> float:
        texts = [row.record["text"] for row in rows if row.record["label"] in label.split("|")]
        return sum(bool(test(text)) for text in texts) / (len(texts) or 1)

    return {
        "label_share": {label: label_counts[label] / total for label in labels},
        "other_and_incident": (label_counts["other"] + label_counts["incident_report"]) / total,
        "articles_with_all_labels": sum(len({u["label"] for u in units}) == len(labels)
                                        for units in by_article.values()) / (len(by_article) or 1),
        "forecasts_in_last_quarter": late / (forecasts or 1),
        "mean_words": sum(lengths) / (len(lengths) or 1),
        "p90_words": lengths[int(0.9 * len(lengths))] if lengths else 0,
        "forecasts_without_modal": share_of("forecast", lambda t: not MODAL_CUES.search(t)),
        "statistics_without_digits": share_of("statistic", lambda t: not re.search(r"\d", t)),
        "other_or_testimony_with_digits": share_of("other|captive_testimony", lambda t: re.search(r"\d", t)),
        "cues_over_cap": cue_caps(rows, labels),
    }


# The shape corpus v7 aims at (issue "Corpus v7"): (figure, target as text, test of the value).
SHAPE_TARGETS = (
    ("other_and_incident", ">= 50%", lambda v: v >= 0.50),
    ("smallest_label_share", ">= 10%", lambda v: v >= 0.10),
    ("articles_with_all_labels", "<= 30%", lambda v: v <= 0.30),
    ("forecasts_in_last_quarter", "<= 40%", lambda v: v <= 0.40),
    ("mean_words", "20 to 23", lambda v: 20 <= v <= 23),
    ("p90_words", "<= 31", lambda v: v <= 31),
    ("forecasts_without_modal", ">= 10%", lambda v: v >= 0.10),
    ("statistics_without_digits", ">= 10%", lambda v: v >= 0.10),
    ("other_or_testimony_with_digits", ">= 10%", lambda v: v >= 0.10),
    ("cues_over_cap", "none over 0.85 (count >= 50)", lambda v: not v),
)


def shape_report(figures: dict[str, Any],
                 allowed_cues: dict[str, str] | None = None) -> list[tuple[str, Any, str, bool]]:
    """``(figure, value, target, met)`` for every shape target; cues on the allow-list for the
    label they decide are left out of ``cues_over_cap``."""
    allowed = allowed_cues or {}
    values = {**figures, "smallest_label_share": min(figures["label_share"].values()),
              "cues_over_cap": [cue for cue in figures["cues_over_cap"] if allowed.get(cue[0]) != cue[1]]}
    return [(name, values[name], target, test(values[name])) for name, target, test in SHAPE_TARGETS]


def shown_value(name: str, value: Any) -> str:
    """A shape figure as the report prints it: shares in percent, cues with their label."""
    if isinstance(value, list):
        worst = ", ".join(f"{cue!r} {label} {share:.0%}" for cue, label, share, _ in value[:6])
        return f"{len(value)}: {worst}"
    if isinstance(value, float) and name != "mean_words":
        return f"{value:.1%}"
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def shape_errors(shape: Sequence[tuple[str, Any, str, bool]]) -> list[str]:
    """One error per missed shape target of a `shape_report`, and one per cue over the cap."""
    errors = []
    for name, value, target, met in shape:
        if met:
            continue
        if name == "cues_over_cap":
            errors.extend(f"shape: cue {cue!r} is {label} in {share:.0%} of {count} units (cap 85%); "
                          "write it under other labels, or allow-list it if it is definitional"
                          for cue, label, share, count in value)
        else:
            errors.append(f"shape: {name} is {shown_value(name, value)}, target {target}")
    return errors


def read_cue_allowlist(path: Path, labels: Sequence[str]) -> dict[str, str]:
    """The allow-list file: a YAML list of ``{cue, label, reason}``, every field required.

    Returns ``{cue: label}``; raises ``ValueError`` naming the entry that is malformed.
    """
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as err:
        raise ValueError(f"{path}: invalid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of entries with cue, label and reason")
    allowed = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or set(entry) != {"cue", "label", "reason"}:
            raise ValueError(f"{path}: entry {number} needs exactly the keys cue, label and reason")
        if entry["label"] not in labels:
            raise ValueError(f"{path}: entry {number}: unknown label {entry['label']!r}")
        if not str(entry["reason"]).strip():
            raise ValueError(f"{path}: entry {number}: give the reason the cue is definitional")
        allowed[str(entry["cue"]).lower()] = entry["label"]
    return allowed
