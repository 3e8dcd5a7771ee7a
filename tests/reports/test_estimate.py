import numpy as np
import pytest

from reports import estimate as module
from reports.estimate import article_totals, bootstrap, estimate, estimate_by


def test_probability_sums_differ_from_argmax_counts_on_a_hand_worked_example():
    # Three sentences, each 60% a and 40% b: argmax says all a; the sums say 1.8 a, 1.2 b.
    probabilities = np.array([[0.6, 0.4], [0.6, 0.4], [0.6, 0.4]])
    result = estimate(["x", "x", "y"], probabilities, resamples=50)
    assert result.sentences == 3 and result.articles == 2
    assert np.allclose(result.counts, [1.8, 1.2]) and np.allclose(result.shares, [0.6, 0.4])
    assert result.argmax_counts.tolist() == [3, 0] and np.allclose(result.argmax_shares, [1.0, 0.0])


def test_article_totals_sum_each_articles_sentences():
    sums, sentences = article_totals(["b", "a", "b"], np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]))
    assert np.allclose(sums, [[0.2, 0.8], [1.4, 0.6]]) and sentences.tolist() == [1, 2]


def articles(count: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """``count`` articles of 3-12 sentences, each article leaning to its own label."""
    ids, rows = [], []
    for article in range(count):
        lean = rng.dirichlet([0.5, 0.5, 0.5])
        for _ in range(rng.integers(3, 13)):
            ids.append(f"a{article}")
            rows.append(rng.dirichlet(lean * 20 + 0.1))
    return ids, np.array(rows)


def test_interval_holds_the_estimate_and_narrows_with_more_articles():
    rng = np.random.default_rng(7)
    few = estimate(*articles(8, rng))
    many = estimate(*articles(400, rng))
    for result in (few, many):
        assert np.all(result.share_low <= result.shares) and np.all(result.shares <= result.share_high)
        assert np.all(result.count_low <= result.counts) and np.all(result.counts <= result.count_high)
    assert np.all(many.share_high - many.share_low < (few.share_high - few.share_low) / 3)


def test_interval_is_deterministic_under_the_seed():
    ids, probabilities = articles(30, np.random.default_rng(1))
    first, again = estimate(ids, probabilities, seed=3), estimate(ids, probabilities, seed=3)
    other = estimate(ids, probabilities, seed=4)
    assert np.array_equal(first.share_low, again.share_low)
    assert np.array_equal(first.share_high, again.share_high)
    assert not np.array_equal(first.share_low, other.share_low)


def test_memory_chunking_does_not_change_the_interval(monkeypatch):
    ids, probabilities = articles(30, np.random.default_rng(2))
    whole = estimate(ids, probabilities, resamples=200)
    monkeypatch.setattr(module, "CHUNK_CELLS", 1)  # one resample at a time
    chunked = estimate(ids, probabilities, resamples=200)
    assert np.array_equal(whole.share_low, chunked.share_low)
    assert np.array_equal(whole.share_high, chunked.share_high)


def test_bootstrap_resamples_articles_not_sentences():
    # One article of 50 sentences: a sentence bootstrap would give its shares some width; drawing
    # whole articles draws the same article every time, so the interval is the point.
    halves = np.vstack([np.tile([[0.9, 0.1]], (25, 1)), np.tile([[0.1, 0.9]], (25, 1))])
    lone = estimate(["long"] * 50, halves)
    assert np.allclose(lone.share_low, lone.shares) and np.allclose(lone.share_high, lone.shares)
    # That article beside five one-sentence articles of label b: a sentence bootstrap would put
    # a's share near 50/55 every time; drawing articles leaves the long one out a third of the
    # time (5/6 to the 6th), so the interval reaches down to 0.
    ids = ["long"] * 50 + [f"short{i}" for i in range(5)]
    probabilities = np.vstack([np.tile([[1.0, 0.0]], (50, 1)), np.tile([[0.0, 1.0]], (5, 1))])
    mixed = estimate(ids, probabilities)
    assert mixed.shares[0] == pytest.approx(50 / 55)
    assert mixed.share_low[0] == 0.0 and mixed.share_high[0] == pytest.approx(50 / 55, abs=0.1)


def test_estimate_by_gives_one_estimate_per_key_with_its_own_articles():
    probabilities = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.5]])
    result = estimate_by(["2025-01", "2025-02", "2025-01", "undated"], ["a", "b", "c", "d"], probabilities,
                         resamples=20)
    assert list(result) == ["2025-01", "2025-02", "undated"]
    assert np.allclose(result["2025-01"].counts, [1.5, 0.5]) and result["2025-01"].articles == 2
    assert result["2025-02"].argmax_counts.tolist() == [0, 1]


def test_empty_input_and_bad_resamples():
    empty = estimate([], np.zeros((0, 3)))
    assert empty.sentences == 0 and empty.shares.tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="at least 1"):
        bootstrap(np.ones((2, 2)), np.array([1, 1]), resamples=0)
