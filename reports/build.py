"""Build a trend report from a `warlens score` output folder: read, estimate, judge drift, write.

`build_report` is the one entry point: it reads the rows and summary.json, and writes into the
output folder `report.json` (every number), `shares.png`, `labels.png` and `report.html`.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from batch.output import SUMMARY, read_scored
from inference.predictor import DEFAULT_RECHECK_BELOW
from reports import charts, html
from reports.drift import (
    JS_THRESHOLD,
    MIN_SENTENCES,
    PeriodTally,
    Reference,
    period_drift,
    reference_from_labels,
    reference_from_summary,
    run_drift,
)
from reports.estimate import LEVEL, RESAMPLES, SEED, estimate_by
from reports.periods import PERIODS, UNDATED, period_key, sort_key

DEFAULT_REFERENCE = Path(__file__).resolve().parents[1] / "data" / "corpus" / "train.jsonl"
EXAMPLES = 3
MISSING_GROUP = "(none)"


class ReportError(ValueError):
    """Input a report cannot be built from; the message says what was found and what to do."""


@dataclass
class Rows:
    """The scored rows reduced to what the report needs, plus the top examples seen so far."""

    labels: list[str]
    article_ids: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    probabilities: list[list[float]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    published: dict[str, str | None] = field(default_factory=dict)
    examples: dict[tuple[str, str], list] = field(default_factory=dict)

    def top_examples(self, period: str, label: str) -> list[dict[str, Any]]:
        """The most confident sentences labelled ``label`` in ``period``, surest first."""
        return [item[2] for item in sorted(self.examples.get((period, label), []), reverse=True)]


def collect(rows: Iterable[dict[str, Any]], by: str, by_field: str | None) -> Rows:
    """One pass over the rows: period and group of each, probabilities, top examples per label."""
    collected: Rows | None = None
    for position, row in enumerate(rows):
        if collected is None:
            collected = Rows([key.removeprefix("p_") for key in row if key.startswith("p_")])
            if not collected.labels:
                raise ReportError("the rows have no p_<label> columns; is this a `warlens score` output?")
            if by_field is not None and by_field not in row:
                raise ReportError(f"--by-field {by_field!r}: the rows have no such column (they have "
                                  f"{', '.join(row)}); score with --keep-field {by_field}")
        article_id = str(row["article_id"])
        published = row.get("published") or None
        period = period_key(published, by)
        probabilities = [float(row[f"p_{label}"]) for label in collected.labels]
        collected.article_ids.append(article_id)
        collected.periods.append(period)
        if by_field is not None:
            collected.groups.append(str(row[by_field]) if row[by_field] not in (None, "") else MISSING_GROUP)
        collected.probabilities.append(probabilities)
        collected.scores.append(float(row["score"]))
        collected.published.setdefault(article_id, published)
        best = int(np.argmax(probabilities))
        heap = collected.examples.setdefault((period, collected.labels[best]), [])
        example = {"article_id": article_id, "sentence_index": int(row["sentence_index"]),
                   "text": str(row["text"]), "probability": probabilities[best]}
        item = (probabilities[best], -position, example)
        (heapq.heappush if len(heap) < EXAMPLES else heapq.heappushpop)(heap, item)
    if collected is None:
        raise ReportError("the scored output holds no rows")
    return collected


def load_reference(path: Path | None, labels: list[str]) -> Reference | None:
    """The drift reference: labelled JSON Lines (a `label` per row), or an earlier run's
    summary.json (or its folder). Without a path, the training corpus when it is at hand."""
    if path is None and not DEFAULT_REFERENCE.is_file():
        return None
    source = str(path) if path else "training corpus, data/corpus/train.jsonl"
    path = path or DEFAULT_REFERENCE
    file = path / SUMMARY if path.is_dir() else path
    if not file.is_file():
        raise ReportError(f"--reference {path}: not found (give labelled JSON Lines or a summary.json)")
    try:
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".json":
            return reference_from_summary(source, json.loads(text), labels)
        gold = (json.loads(line)["label"] for line in text.splitlines() if line.strip())
        return reference_from_labels(source, gold, labels)
    except (KeyError, json.JSONDecodeError) as err:
        raise ReportError(f"--reference {path}: cannot read a label mix ({err!r})") from None
    except ValueError as err:
        raise ReportError(f"--reference {err}") from None


def read_summary(scored: Path) -> dict[str, Any]:
    if not scored.is_dir():
        raise ReportError(f"{scored}: not a folder; give the --output folder of `warlens score`")
    has_rows = any(scored.glob("part-*")) or any(scored.glob("*.parquet"))
    if not has_rows:
        raise ReportError(f"{scored}: not a scored output folder (no part-* shards); "
                          "run `warlens score ... --output` first")
    path = scored / SUMMARY
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def build_report(scored: Path, by: str = "month", by_field: str | None = None, out: Path | None = None,
                 reference: Path | None = None, js_threshold: float = JS_THRESHOLD,
                 resamples: int = RESAMPLES, min_sentences: int = MIN_SENTENCES,
                 seed: int = SEED) -> tuple[dict[str, Any], list[Path]]:
    """Write the report of ``scored`` into ``out`` (default SCORED/report); returns it and the files."""
    if by not in PERIODS:
        raise ReportError(f"--by {by!r}: choose one of {', '.join(PERIODS)}")
    summary = read_summary(scored)
    rows = collect(read_scored(scored), by, by_field)
    ref = load_reference(reference, rows.labels)
    # The run's own re-check threshold; a summary from before it was recorded gets the default.
    threshold = summary.get("recheck_below") or DEFAULT_RECHECK_BELOW
    report = {"source": str(scored), "by": by, "by_field": by_field,
              **assemble(rows, ref, threshold, js_threshold, resamples, min_sentences, seed)}
    return report, write_report(report, out or scored / "report")


def assemble(rows: Rows, reference: Reference | None, threshold: float, js_threshold: float,
             resamples: int, min_sentences: int, seed: int) -> dict[str, Any]:
    """Every number of the report, from the collected rows: per period (and group) estimates,
    drift records, examples, and the whole run's figures against the reference."""
    labels = rows.labels
    probabilities = np.asarray(rows.probabilities, dtype=np.float64)
    scores = np.asarray(rows.scores)
    estimates = estimate_by(rows.periods, rows.article_ids, probabilities, resamples, seed)
    order = sorted(estimates, key=sort_key)
    members: dict[str, list[int]] = {}
    for position, key in enumerate(rows.periods):
        members.setdefault(key, []).append(position)
    groups = (estimate_by(list(zip(rows.periods, rows.groups, strict=True)), rows.article_ids, probabilities,
                          resamples, seed) if rows.groups else {})
    tallies = [PeriodTally(key, estimates[key].sentences, estimates[key].counts,
                           int((scores[members[key]] < threshold).sum())) for key in order]
    drift = {record["period"]: record
             for record in period_drift(tallies, reference, js_threshold, min_sentences=min_sentences)}
    run = run_drift({"label_mix": dict(zip(labels, probabilities.mean(axis=0).tolist(), strict=True)),
                     "mean_top_probability": float(scores.mean()),
                     "low_confidence_share": float((scores < threshold).mean()), "recheck_below": threshold},
                    labels, reference, js_threshold)
    periods = []
    for key in order:
        in_period = sorted((g for (p, g) in groups if p == key), key=lambda g: -groups[(key, g)].sentences)
        periods.append({
            "period": key, **estimates[key].as_dict(labels),
            "mean_top_probability": float(scores[members[key]].mean()),
            "low_confidence_share": drift[key]["low_confidence_share"], "drift": drift[key],
            "groups": [{"group": g, **groups[(key, g)].as_dict(labels)} for g in in_period],
            "examples": {label: rows.top_examples(key, label) for label in labels}})
    cited = {e["article_id"]: {"published": rows.published[e["article_id"]], "period": p["period"]}
             for p in periods for examples in p["examples"].values() for e in examples}
    undated = estimates.get(UNDATED)
    return {
        "labels": labels, "articles": len(rows.published), "sentences": len(rows.scores),
        "undated_articles": undated.articles if undated else 0,
        "undated_sentences": undated.sentences if undated else 0,
        "level": LEVEL, "resamples": resamples, "seed": seed, "recheck_below": threshold,
        "js_threshold": js_threshold, "min_sentences": min_sentences,
        "run": run, "periods": periods, "articles_cited": dict(sorted(cited.items())),
    }


def write_report(report: dict[str, Any], out: Path) -> list[Path]:
    """report.json, the two charts (dated periods only) and report.html into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    labels = report["labels"]
    dated = [p for p in report["periods"] if p["period"] != UNDATED]
    names = [p["period"] for p in dated]

    def matrix(key: str) -> np.ndarray:
        return np.array([[p[key][label] for label in labels] for p in dated]).reshape(len(dated), len(labels))

    what = f"per {report['by']}, {len(names)} dated periods"
    files = {"shares.png": (f"Estimated label shares {what} (summed probabilities)",
                            lambda path: charts.shares_chart(path, names, labels, matrix("share"),
                                                             "Estimated label shares")),
             "labels.png": (f"Each label's estimated share {what}, with its {report['level']:.0%} interval",
                            lambda path: charts.labels_chart(path, names, labels, matrix("share"),
                                                             matrix("share_low"), matrix("share_high"),
                                                             "Share per label, with 90% bootstrap interval"))}
    written = []
    pictures = {}
    for name, (alt, draw) in files.items():
        draw(out / name)
        pictures[name] = ((out / name).read_bytes(), alt)
        written.append(out / name)
    (out / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    (out / "report.html").write_text(html.render(report, pictures), encoding="utf-8")
    return [*written, out / "report.json", out / "report.html"]
