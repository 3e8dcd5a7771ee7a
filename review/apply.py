"""`warlens data apply-review`: turn review decisions into corpus changes with provenance.

A decision on a sentence of the corpus (found by article id and text) relabels it in its
article file, like relabelling passes 1 and 2, and is recorded in
``data/changes/review-pass-N.jsonl``. A decision on a sentence from a scored archive becomes a
row of ``data/reviewed/review-pass-N.jsonl`` that `warlens data build` adds to the split of its
article. Applying the same decisions twice changes nothing the second time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from training.corpus import write_jsonl

SKIP = "skip"
REVIEWED_PREFIX = "reviewed:"
_PASS = re.compile(r"review-pass-(\d+)\.jsonl$")


@dataclass
class ApplyReport:
    relabelled: list[dict[str, Any]] = field(default_factory=list)
    confirmed: int = 0
    added: list[dict[str, Any]] = field(default_factory=list)
    already_added: int = 0
    skipped: int = 0
    change_file: Path | None = None
    reviewed_file: Path | None = None


def latest_decisions(decisions: Sequence[dict[str, Any]],
                     labels: Sequence[str]) -> list[dict[str, Any]]:
    """One decision per sentence (the last one made), each checked: a clear error names the
    first row without a text, an article id or a known label."""
    known = {*labels, SKIP}
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for number, decision in enumerate(decisions, start=1):
        for key in ("article_id", "text", "decision"):
            if not isinstance(decision.get(key), str) or not decision[key].strip():
                raise ValueError(f"decision {number}: missing or empty {key!r}")
        if decision["decision"] not in known:
            raise ValueError(f"decision {number}: unknown label {decision['decision']!r} "
                             f"(expected one of {', '.join(labels)} or {SKIP!r})")
        latest[(decision["article_id"], decision["text"].strip())] = decision
    return list(latest.values())


def next_pass_number(*folders: Path) -> int:
    """One more than the highest ``review-pass-N`` in any of the folders (1 when none)."""
    numbers = [int(match.group(1)) for folder in folders if folder.is_dir()
               for path in folder.iterdir() if (match := _PASS.search(path.name))]
    return max(numbers, default=0) + 1


Articles = dict[Path, list[dict[str, Any]]]


def _article_index(articles_dir: Path) -> tuple[Articles, dict[str, tuple[Path, int]]]:
    files, where = {}, {}
    for path in sorted(articles_dir.glob("*.jsonl")):
        articles = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        files[path] = articles
        for position, article in enumerate(articles):
            where[article["article_id"]] = (path, position)
    return files, where


def _unit_index(article: dict[str, Any], text: str, hint: Any) -> int | None:
    units = article["sentences"]
    if isinstance(hint, int) and 0 <= hint < len(units) and units[hint]["text"].strip() == text:
        return hint
    return next((i for i, unit in enumerate(units) if unit["text"].strip() == text), None)


def _reviewed_keys(reviewed_dir: Path) -> set[tuple[str, str]]:
    keys = set()
    for path in sorted(reviewed_dir.glob("*.jsonl")) if reviewed_dir.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                keys.add((row["provenance"]["article_id"], row["text"]))
    return keys


def apply_review(decisions: Sequence[dict[str, Any]], labels: Sequence[str], *, articles_dir: Path,
                 changes_dir: Path, reviewed_dir: Path, source: str) -> ApplyReport:
    """Apply the decisions; write the pass files only when they hold something."""
    files, where = _article_index(articles_dir)
    seen = _reviewed_keys(reviewed_dir)
    number = next_pass_number(changes_dir, reviewed_dir)
    applied_at = datetime.now(UTC).isoformat(timespec="seconds")
    report, touched = ApplyReport(), set()
    for decision in latest_decisions(decisions, labels):
        label, text, article_id = decision["decision"], decision["text"].strip(), decision["article_id"]
        if label == SKIP:
            report.skipped += 1
            continue
        provenance = {"decided_at": decision.get("decided_at", applied_at),
                      "reviewer": decision.get("reviewer", ""), "queue_kind": decision.get("kind", ""),
                      "model_label": decision.get("suggested", ""), "decisions_file": source}
        located = where.get(article_id)
        index = _unit_index(files[located[0]][located[1]], text, decision.get("sentence_index")) \
            if located else None
        if located and index is not None:
            unit = files[located[0]][located[1]]["sentences"][index]
            if unit["label"] == label:
                report.confirmed += 1
                continue
            report.relabelled.append({"article_id": article_id, "index": index, "old": unit["label"],
                                      "new": label, "rule": "review", "reason": "review decision",
                                      "text": text, **provenance})
            unit["label"] = label
            touched.add(located[0])
        elif (article_id, text) in seen:
            report.already_added += 1
        else:
            seen.add((article_id, text))
            position = decision.get("sentence_index", 0)
            report.added.append({
                "id": f"{REVIEWED_PREFIX}{article_id}-s{int(position):03d}",
                "article_id": f"{REVIEWED_PREFIX}{article_id}", "sentence_index": int(position),
                "text": text, "label": label, "hard": False, "conflict": decision.get("conflict", "unknown"),
                "register": "reviewed", "kind": "sentence",
                "provenance": {"archive": decision.get("source") or "", "article_id": article_id,
                               "sentence_index": int(position), **provenance}})
    for path in sorted(touched):
        write_jsonl(path, files[path])
    if report.relabelled:
        report.change_file = changes_dir / f"review-pass-{number}.jsonl"
        write_jsonl(report.change_file, report.relabelled)
    if report.added:
        report.reviewed_file = reviewed_dir / f"review-pass-{number}.jsonl"
        write_jsonl(report.reviewed_file, report.added)
    return report
