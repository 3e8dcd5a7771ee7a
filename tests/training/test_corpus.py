import json

from training.corpus import archive_record, article_text, build_corpus, sentence_rows, split_of

ARTICLE = {
    "article_id": "t-001", "title": "T", "conflict": "sudan", "register": "wire",
    "published": "2024-05-01", "source": "Test Wire",
    "sentences": [{"text": " Shelling hit the market. ", "label": "incident_report", "hard": False},
                  {"text": "Talks may resume next week.", "label": "forecast", "hard": True}],
}


def test_sentence_rows_carry_article_fields_and_order():
    rows = sentence_rows(ARTICLE)
    assert [r["id"] for r in rows] == ["t-001-s00", "t-001-s01"]
    assert rows[0]["text"] == "Shelling hit the market."
    assert rows[1] == {"id": "t-001-s01", "article_id": "t-001", "sentence_index": 1,
                       "text": "Talks may resume next week.", "label": "forecast", "hard": True,
                       "conflict": "sudan", "register": "wire", "kind": "sentence"}


def test_archive_record_joins_sentences_as_prose():
    assert archive_record(ARTICLE)["text"] == "Shelling hit the market. Talks may resume next week."


def test_article_text_puts_lines_that_are_not_sentences_on_their_own():
    units = [{"text": "Shelling hits market", "kind": "headline"}, {"text": "By A. Writer", "kind": "byline"},
             {"text": "Shells hit the market."}, {"text": "Two died.", "kind": "sentence"},
             {"text": "The market on Monday. Photo: Wire", "kind": "caption"}, {"text": "Talks stalled."}]
    assert article_text(units) == ("Shelling hits market\nBy A. Writer\nShells hit the market. Two died.\n"
                                   "The market on Monday. Photo: Wire\nTalks stalled.")
    assert sentence_rows({**ARTICLE, "sentences": [{**units[0], "label": "incident_report"}]})[0]["kind"] == \
        "headline"


def test_split_is_stable_and_roughly_70_15_15():
    ids = [f"a-{i:04d}" for i in range(2000)]
    splits = [split_of(i) for i in ids]
    assert splits == [split_of(i) for i in ids]
    shares = {name: splits.count(name) / len(ids) for name in ("train", "validation", "test")}
    assert 0.66 < shares["train"] < 0.74
    assert 0.12 < shares["validation"] < 0.18 and 0.12 < shares["test"] < 0.18


def test_build_writes_splits_and_test_archive(tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    with (articles / "a.jsonl").open("w") as handle:
        for i in range(40):
            handle.write(json.dumps({**ARTICLE, "article_id": f"t-{i:03d}"}) + "\n")
    counts = build_corpus(articles, tmp_path / "corpus", tmp_path / "archive.jsonl")
    assert counts["train"] + counts["validation"] + counts["test"] == 80
    test_articles = {json.loads(line)["article_id"] for line in (tmp_path / "corpus" / "test.jsonl").open()}
    archived = {json.loads(line)["id"] for line in (tmp_path / "archive.jsonl").open()}
    assert archived == test_articles and counts["archive_articles"] == len(archived)


def test_committed_corpus_matches_articles(root, tmp_path):
    """The committed splits are exactly what `warlens data build` makes from data/articles."""
    build_corpus(root / "data" / "articles", tmp_path / "corpus", tmp_path / "archive.jsonl")
    for name in ("train", "validation", "test"):
        assert (tmp_path / "corpus" / f"{name}.jsonl").read_text() == \
            (root / "data" / "corpus" / f"{name}.jsonl").read_text()
    assert (tmp_path / "archive.jsonl").read_text() == \
        (root / "data" / "archive-sample" / "articles.jsonl").read_text()
