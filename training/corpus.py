"""Build the corpus splits and the archive sample from the hand-written article files.

`data/articles/*.jsonl` hold one article per line with its labelled sentences; they are the
source of truth. Splits are assigned per article from a hash of its id, so adding articles
never moves an existing one to another split.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SPLIT_BOUNDS = (("train", 70), ("validation", 85), ("test", 100))
# What a unit of an article is: a story sentence, or a line of raw article text that is not
# one (data/GUIDELINES.md, section 2a). Each is labelled by what it says.
UNIT_KINDS = ("sentence", "headline", "byline", "caption", "read_more", "timestamp", "editor_note",
              "section_heading")
# Lines that recur from article to article by nature ("By ...", "14:32 GMT", "Background"):
# repeats of them are not duplicated sentences.
BOILERPLATE_KINDS = ("byline", "timestamp", "editor_note", "section_heading")


def split_of(article_id: str) -> str:
    """Stable split for an article: a bucket 0-99 from SHA-256 of its id, cut at 70/85/100."""
    bucket = int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16) % 100
    return next(name for name, bound in SPLIT_BOUNDS if bucket < bound)


def read_articles(directory: str | Path) -> list[dict[str, Any]]:
    """All articles of all `*.jsonl` files in ``directory``, sorted by article id."""
    articles = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            articles.extend(json.loads(line) for line in handle if line.strip())
    return sorted(articles, key=lambda article: article["article_id"])


def sentence_rows(article: dict[str, Any]) -> list[dict[str, Any]]:
    """One corpus row per sentence of an article, in reading order."""
    return [
        {
            "id": f"{article['article_id']}-s{index:02d}",
            "article_id": article["article_id"],
            "sentence_index": index,
            "text": sentence["text"].strip(),
            "label": sentence["label"],
            "hard": bool(sentence.get("hard", False)),
            "conflict": article["conflict"],
            "register": article["register"],
            "kind": sentence.get("kind", "sentence"),
        }
        for index, sentence in enumerate(article["sentences"])
    ]


def archive_record(article: dict[str, Any]) -> dict[str, Any]:
    """The article as an archive holds it: metadata and the sentences joined as prose."""
    return {
        "id": article["article_id"],
        "title": article["title"],
        "published": article["published"],
        "source": article["source"],
        "text": article_text(article["sentences"]),
    }


def article_text(units: list[dict[str, Any]]) -> str:
    """The units as raw text: story sentences run on as prose, every other line on its own.

    ``[headline "T", sentence "A.", sentence "B.", caption "C"]`` -> ``"T\\nA. B.\\nC"``.
    """
    lines: list[list[str]] = []
    previous_was_sentence = False
    for unit in units:
        is_sentence = unit.get("kind", "sentence") == "sentence"
        if is_sentence and previous_was_sentence:
            lines[-1].append(unit["text"].strip())
        else:
            lines.append([unit["text"].strip()])
        previous_was_sentence = is_sentence
    return "\n".join(" ".join(line) for line in lines)


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` as JSON Lines (UTF-8, non-ASCII kept), creating the folder; return the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def reviewed_rows(reviewed_dir: str | Path | None) -> list[dict[str, Any]]:
    """Corpus rows of the archive sentences reviewers labelled (`warlens data apply-review`),
    without their provenance, which stays in ``data/reviewed/``."""
    if reviewed_dir is None or not Path(reviewed_dir).is_dir():
        return []
    rows = []
    for path in sorted(Path(reviewed_dir).glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            rows.extend({k: v for k, v in json.loads(line).items() if k != "provenance"}
                        for line in handle if line.strip())
    return rows


def build_corpus(articles_dir: str | Path, corpus_dir: str | Path, archive_path: str | Path,
                 reviewed_dir: str | Path | None = None) -> dict[str, int]:
    """Write train/validation/test JSON Lines and the test-split archive sample; return counts.

    Reviewed archive sentences join the split their archive article hashes to, after the
    written articles' rows.
    """
    articles = read_articles(articles_dir)
    by_split: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in SPLIT_BOUNDS}
    for article in articles:
        by_split[split_of(article["article_id"])].append(article)
    reviewed = reviewed_rows(reviewed_dir)
    counts = {}
    for name, members in by_split.items():
        extra = [row for row in reviewed if split_of(row["article_id"]) == name]
        rows = [row for article in members for row in sentence_rows(article)] + extra
        counts[name] = write_jsonl(Path(corpus_dir) / f"{name}.jsonl", rows)
    counts["archive_articles"] = write_jsonl(
        Path(archive_path), (archive_record(a) for a in by_split["test"])
    )
    counts["reviewed"] = len(reviewed)
    return counts
