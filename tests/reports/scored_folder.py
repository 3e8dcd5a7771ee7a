"""A small scored output folder written by hand the way `warlens score` writes one: no model needed."""

from __future__ import annotations

from pathlib import Path

from batch.output import mix_sums, summarise, write_json, write_shard

LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
STEADY = [0.3, 0.2, 0.15, 0.1, 0.25]
# (article id, published, source, mix its sentences lean to); March leans hard to forecasts.
ARTICLES = [
    ("jan-1", "2025-01-04", "Wire", STEADY), ("jan-2", "2025-01-15T10:00:00Z", "Wire", STEADY),
    ("jan-3", "2025-01-28", "Daily", STEADY), ("feb-1", "2025-02-02", "Wire", STEADY),
    ("feb-2", "2025-02-11", "Daily", STEADY), ("feb-3", "2025-02-20", "Daily", STEADY),
    ("mar-1", "2025-03-05", "Think tank", [0.05, 0.05, 0.05, 0.8, 0.05]),
    ("mar-2", "2025-03-19", "Think tank", [0.05, 0.05, 0.05, 0.8, 0.05]),
    ("no-date", None, "Wire", STEADY), ("bad-date", "last Tuesday", None, STEADY),
]
SENTENCES = 12


def scored_rows() -> list[dict]:
    """Twelve sentences per article; sentence i is most sure of label i % 5, weighted by the lean."""
    rows = []
    for article_id, published, source, lean in ARTICLES:
        for index in range(SENTENCES):
            weights = [share * (4.0 if position == index % 5 else 1.0) for position, share in enumerate(lean)]
            probabilities = [w / sum(weights) for w in weights]
            best = max(range(len(LABELS)), key=lambda i: probabilities[i])
            text = f"Sentence {index} of {article_id}." if index else f"<b>Headline</b> & {article_id}"
            rows.append({"article_id": article_id, "sentence_index": index, "start": 0, "end": len(text),
                         "text": text, "label": LABELS[best], "score": probabilities[best],
                         **{f"p_{label}": p for label, p in zip(LABELS, probabilities, strict=True)},
                         "published": published, "source": source})
    return rows


def write_scored(folder: Path, fmt: str = "jsonl") -> Path:
    rows = scored_rows()
    folder.mkdir(parents=True)
    write_shard(folder / f"part-00000.{fmt}", rows, fmt, LABELS, ("source",))
    sums = mix_sums({label: [row[f"p_{label}"] for row in rows] for label in LABELS},
                    [row["score"] for row in rows], 0.5)
    counts = {label: sum(row["label"] == label for row in rows) for label in LABELS}
    write_json(folder / "summary.json", summarise(
        "local", articles=len(ARTICLES), sentences=len(rows), label_counts=counts, labels=LABELS, errors=0,
        wall_time=1.0, scored_now=len(rows), sums=sums, recheck_below=0.5, shards=1))
    return folder
