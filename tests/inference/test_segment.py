import json

import pytest

from inference.segment import segment

TRICKY = ('Lt. Col. Ana Ruiz said the U.S. convoy hit mine No. 3 near Żagań at 3 a.m. on Jan. 12, 2024. '
          'About 1.5 million people fled. "We will hold. They cannot pass," he said. '
          '\u201cNobody came. We waited,\u201d a detainee said.')


def test_tricky_abbreviations_numbers_and_quotes_stay_intact():
    assert [span.text for span in segment(TRICKY)] == [
        "Lt. Col. Ana Ruiz said the U.S. convoy hit mine No. 3 near Żagań at 3 a.m. on Jan. 12, 2024.",
        "About 1.5 million people fled.",
        '"We will hold. They cannot pass," he said.',
        "\u201cNobody came. We waited,\u201d a detainee said.",
    ]


@pytest.mark.parametrize("text", [TRICKY, "One.\n\nTwo!  Three?", "   Trailing space.   ",
                                  "Ünïcödé façade. Ωμέγα test."])
def test_offsets_slice_the_original_text(text):
    for span in segment(text):
        assert text[span.start:span.end] == span.text
        assert span.text == span.text.strip()


def test_empty_and_blank_input():
    assert segment("") == []
    assert segment(" \n\t ") == []


def test_unclosed_quote_at_the_end_does_not_drop_text():
    spans = segment('He said: "We will return. Maybe')
    assert "".join(s.text for s in spans).replace(" ", "") == 'Hesaid:"Wewillreturn.Maybe'


def test_seed_article_gives_15_sentences(root):
    text = (root / "data" / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    gold = [json.loads(line)["text"] for line in
            (root / "data" / "examples" / "seed-labels.jsonl").read_text().splitlines()]
    assert [span.text for span in segment(text)] == gold


def test_archive_sample_segments_back_into_gold_sentences(root):
    """Every archive article is its gold sentences joined: segmentation should recover them."""
    gold = {}
    for line in (root / "data" / "corpus" / "test.jsonl").read_text().splitlines():
        row = json.loads(line)
        gold.setdefault(row["article_id"], []).append(row["text"])
    matched = total = 0
    for line in (root / "data" / "archive-sample" / "articles.jsonl").read_text().splitlines():
        article = json.loads(line)
        found = {span.text for span in segment(article["text"])}
        matched += sum(sentence in found for sentence in gold[article["id"]])
        total += len(gold[article["id"]])
    assert total > 300
    assert matched / total >= 0.995  # 939 of 939 when written


def test_live_blog_stamps_dotted_abbreviations_and_said_clauses():
    text = ('Officials confirmed it, NATO said. 10:10: Jets struck again. The toll rose, residents said. '
            'U.N. monitors arrived. "Where would I go?" said Nina, 79. Mine No. 10:30 was odd.')
    assert [span.text for span in segment(text)] == [
        "Officials confirmed it, NATO said.",
        "10:10: Jets struck again.",
        "The toll rose, residents said.",
        "U.N. monitors arrived.",
        '"Where would I go?" said Nina, 79.',
        "Mine No. 10:30 was odd.",
    ]


def test_attribution_after_a_quoted_question_stays_with_it():
    text = ('"What else can I do when my children ask for bread?" Mahmoud said. "Run!" Lt. Col. Ivan '
            'Petrenko shouted. "Why?" He said nothing. Aid arrived.')
    assert [span.text for span in segment(text)] == [
        '"What else can I do when my children ask for bread?" Mahmoud said.',
        '"Run!" Lt. Col. Ivan Petrenko shouted.',
        '"Why?"',
        "He said nothing.",
        "Aid arrived.",
    ]


def test_stamps_after_quotes_times_and_letters_boundaries_after_in_and_dashes():
    text = ('Militants called the hotel a den of "apostate officials". 23:50 — Police arrived at 4 a.m. '
            "08:40 — The army wrote on X. 09:00 — Troops moved in. Government forces held the bridge. "
            "7:40 a.m. — About 1,200 soldiers took part.")
    assert [span.text for span in segment(text)] == [
        'Militants called the hotel a den of "apostate officials".',
        "23:50 — Police arrived at 4 a.m.",
        "08:40 — The army wrote on X.",
        "09:00 — Troops moved in.",
        "Government forces held the bridge.",
        "7:40 a.m. — About 1,200 soldiers took part.",
    ]


def test_line_breaks_end_units_but_hard_wraps_do_not():
    text = ("Drone hits grain terminal\nBy Jane Doe\nODESA (Wire) - A drone hit the terminal. It burned.\n"
            "Firefighters at the site. Photo: Wire/Name\n14:32 GMT\nThe strike was the third\nthis week.")
    assert [span.text for span in segment(text)] == [
        "Drone hits grain terminal", "By Jane Doe", "ODESA (Wire) - A drone hit the terminal.", "It burned.",
        "Firefighters at the site. Photo: Wire/Name", "14:32 GMT", "The strike was the third\nthis week."]
    assert all(text[span.start:span.end] == span.text for span in segment(text))


def test_a_paragraph_number_or_title_opens_the_next_sentence():
    assert [s.text for s in segment("41. The Commission met.\nDr. Adam works there.")] == [
        "41. The Commission met.", "Dr. Adam works there."]
