import numpy as np
import pytest

from review.select import balanced_quota, choose, k_center_greedy, margins, select_for_review

LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


def test_margins_are_the_gap_between_the_first_two():
    assert margins(np.array([[0.5, 0.3, 0.2], [0.9, 0.05, 0.05]])) == pytest.approx([0.2, 0.85])


def test_k_center_greedy_takes_far_points_before_near_copies():
    points = np.array([[1, 0], [0.999, 0.045], [0, 1], [-1, 0]], dtype=np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    assert k_center_greedy(points, 3) == [0, 3, 2]  # the near copy of row 0 comes last


def test_balanced_quota_gives_what_a_small_label_cannot_use_to_the_others():
    assert balanced_quota({"a": 1, "b": 9}, 6) == {"a": 1, "b": 5}
    assert balanced_quota({"a": 4, "b": 4, "c": 4}, 6) == {"a": 2, "b": 2, "c": 2}
    assert sum(balanced_quota({"a": 2, "b": 1}, 10).values()) == 3


def probabilities_for(rows: list[tuple[int, float, int, float]]) -> np.ndarray:
    """One row per (top label, top p, second label, second p), the rest spread evenly."""
    out = []
    for top, p, second, q in rows:
        row = np.full(5, (1 - p - q) / 3)
        row[top], row[second] = p, q
        out.append(row)
    return np.array(out)


def test_uncertainty_and_margin_rank_differently():
    probabilities = probabilities_for([(0, 0.40, 1, 0.39), (0, 0.34, 1, 0.17), (2, 0.9, 0, 0.05)])
    assert choose(probabilities, 2, "uncertainty") == [1, 0]
    assert choose(probabilities, 2, "margin") == [0, 1]


def test_diverse_spreads_over_labels_and_skips_near_copies():
    # Ten unsure incident sentences that are copies of one another and four unsure others.
    rows = [(0, 0.45, 1, 0.40)] * 10 + [(1, 0.5, 0, 0.4), (2, 0.5, 0, 0.4), (3, 0.5, 4, 0.4),
                                        (4, 0.5, 3, 0.4)]
    probabilities = probabilities_for(rows)
    texts = ["copy"] * 10 + ["s", "t", "f", "o"]

    vectors = {"copy": [1, 0, 0, 0, 0], "s": [0, 1, 0, 0, 0], "t": [0, 0, 1, 0, 0],
               "f": [0, 0, 0, 1, 0], "o": [0, 0, 0, 0, 1]}
    picked = choose(probabilities, 5, "diverse", lambda rows: np.array([vectors[texts[r]] for r in rows],
                                                                        dtype=np.float32))
    assert len(picked) == 5
    assert {int(probabilities[i].argmax()) for i in picked} == {0, 1, 2, 3, 4}
    margin_only = choose(probabilities, 5, "margin")
    assert all(i < 10 for i in margin_only)  # margin alone spends the budget on the copies


def test_select_for_review_returns_context_and_the_rule_between_the_top_two():
    rows = [{"article_id": "a1", "sentence_index": i, "text": t, **{f"p_{label}": p for label, p in zip(
        LABELS, probs, strict=True)}} for i, (t, probs) in enumerate([
            ("First.", [0.9, 0.025, 0.025, 0.025, 0.025]),
            ("Second.", [0.45, 0.44, 0.05, 0.03, 0.03]),
            ("Third.", [0.8, 0.05, 0.05, 0.05, 0.05])])]
    [item] = select_for_review(rows, LABELS, 1, "margin", source="out")
    assert (item.text, item.suggested, item.gold) == ("Second.", "incident_report", None)
    assert item.kind == "selected"
    assert item.context == {"previous": "First.", "next": "Third."}
    assert item.rule.startswith("§9.1") and item.score == pytest.approx(0.01, abs=1e-4)


def test_select_for_review_refuses_outputs_without_probabilities():
    with pytest.raises(ValueError, match="no probability columns p_statistic"):
        select_for_review([{"article_id": "a", "sentence_index": 0, "text": "x",
                            "p_incident_report": 1.0}],
                          LABELS[:2], 1, "margin")
    with pytest.raises(ValueError, match="holds no sentences"):
        select_for_review([], LABELS, 1)
    with pytest.raises(ValueError, match="unknown strategy"):
        choose(np.ones((1, 5)) / 5, 1, "random")
