import pytest

from batch.evaluate import evaluate_scored


def test_hand_worked_end_to_end_scores():
    gold = [{"article_id": "a", "text": "One.", "label": "x"},
            {"article_id": "a", "text": "Two.", "label": "y"},
            {"article_id": "a", "text": "Three.", "label": "x"}]
    scored = [{"article_id": "a", "text": "One.", "label": "x"},
              {"article_id": "a", "text": "Two. Three.", "label": "y"},
              {"article_id": "other", "text": "Ignored.", "label": "x"}]
    report = evaluate_scored(scored, gold, ["x", "y"])
    assert (report["gold_sentences"], report["scored_sentences"], report["matched"]) == (3, 2, 1)
    assert report["segmentation"]["precision"] == 0.5
    assert report["segmentation"]["recall"] == pytest.approx(1 / 3)
    assert report["labels_on_matched"]["accuracy"] == 1.0
    assert report["end_to_end_accuracy"] == pytest.approx(1 / 3)
