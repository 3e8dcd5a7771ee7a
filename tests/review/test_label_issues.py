import numpy as np

from review.label_issues import near_duplicates, outliers, ranked_label_issues


def test_near_duplicates_pair_sentences_of_different_articles_conflicting_labels_first():
    texts = ["Two drones struck the fuel depot near the port overnight, officials said.",
             "two drones struck the fuel depot near the port overnight officials said",
             "Two drones struck the fuel depot near the port overnight, officials said.",
             "Talks on a ceasefire are expected to resume in Geneva next month."]
    pairs = near_duplicates(texts, ["a", "b", "c", "d"], [0, 0, 4, 3], [True] * 4)
    assert {(i, j) for i, j, _ in pairs[:2]} == {(0, 2), (1, 2)}  # the label conflicts come first
    assert {(i, j) for i, j, _ in pairs} == {(0, 2), (1, 2), (0, 1)}
    assert near_duplicates(texts, ["a", "a", "a", "d"], [0, 0, 4, 3], [True] * 4) == []  # same article
    assert near_duplicates(texts, ["a", "b", "c", "d"], [0, 0, 4, 3], [True, False, False, True]) == []


def test_the_odd_sentence_out_is_the_outlier():
    texts = [f"Shelling hit the {place} district of the city overnight, killing {n} people."
             for place in ("northern", "southern", "eastern", "western", "central") for n in ("two", "three")]
    texts += ["Recipe: whisk the eggs with sugar until pale and fold in the flour."]
    [(row, _)] = outliers(texts, share=1 / len(texts))
    assert row == len(texts) - 1


def test_label_issues_rank_the_least_self_confident_first():
    labels = np.array([0, 0, 1, 1, 0, 1] * 10)
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.1, 0.9], [0.05, 0.95], [0.7, 0.3]] * 10)
    ranked = ranked_label_issues(labels, probabilities)
    assert set(ranked) <= {4 + 6 * k for k in range(10)} | {5 + 6 * k for k in range(10)}
    assert probabilities[ranked[0], labels[ranked[0]]] == 0.05
