"""Word attributions: word splitting, occlusion on a predictor whose reasons are known, and
Integrated Gradients on a real trained model."""

from __future__ import annotations

import numpy as np
import pytest

from inference.explain import (
    Explainer,
    IntegratedGradients,
    normalised,
    pieces_to_words,
    without_words,
    word_spans,
)

LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


class CueWordPredictor:
    """Scores a sentence by cue words: 'missile' pushes incident_report, 'since' statistic,
    'may' forecast. Occlusion must find exactly those words."""

    labels = LABELS
    CUES = {"missile": 0, "since": 1, "may": 3}

    def probabilities(self, texts, contexts=None):
        logits = np.zeros((len(texts), len(LABELS)))
        for row, text in enumerate(texts):
            for word in text.lower().split():
                column = self.CUES.get(word.strip(".,"))
                if column is not None:
                    logits[row, column] += 3.0
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)


def test_words_keep_numbers_names_and_contractions_whole():
    text = "Some 1,200 al-Shabaab fighters didn't leave the U.S. base, officials said."
    words = [text[s:e] for s, e in word_spans(text)]
    assert words == ["Some", "1,200", "al-Shabaab", "fighters", "didn't", "leave", "the", "U.S", "base",
                     "officials", "said"]


def test_without_words_closes_the_gap():
    text = "A missile hit the depot."
    spans = word_spans(text)
    assert without_words(text, spans, {1}) == "A hit the depot."
    assert without_words(text, spans, {0, 4}) == "missile hit the ."
    assert without_words(text, spans, set()) == text


def test_normalised_scales_to_the_strongest_word_and_keeps_zeros():
    assert normalised(np.array([0.2, -0.4, 0.1])).tolist() == pytest.approx([0.5, -1.0, 0.25])
    assert normalised(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_pieces_are_summed_into_their_words_and_specials_dropped():
    text = "Shelling resumed."
    spans = word_spans(text)  # Shelling (0, 8), resumed (9, 16)
    offsets = [(0, 0), (0, 5), (5, 8), (9, 16), (16, 17), (0, 0)]  # [CLS] shel ##ling resumed . [SEP]
    scores = np.array([9.0, 0.25, 0.5, 1.0, 7.0, 9.0])
    assert pieces_to_words(scores, offsets, spans).tolist() == [0.75, 1.0]


def test_occlusion_finds_the_words_the_label_rests_on():
    explainer = Explainer(CueWordPredictor())
    result = explainer.explain("A missile struck the depot on Monday.", method="occlusion")
    assert result.label == result.predicted == "incident_report" and result.method == "occlusion"
    scores = {w.text: w.score for w in result.words}
    assert scores["missile"] == 1.0
    assert all(score == pytest.approx(0.0) for word, score in scores.items() if word != "missile")
    assert [w.text for w in result.top_words()] == ["missile"]
    assert result.probability == pytest.approx(CueWordPredictor().probabilities(["missile"])[0, 0])


def test_explaining_another_label_turns_its_cue_word_positive():
    text = "The missile offensive may resume."
    explainer = Explainer(CueWordPredictor())
    result = explainer.explain(text, label="forecast", method="occlusion")
    as_forecast = {w.text: w.score for w in result.words}
    assert as_forecast["may"] == 1.0 and as_forecast["missile"] < 0


@pytest.mark.parametrize("kwargs, fragment", [
    ({"label": "rumour"}, "unknown label 'rumour'"),
    ({"method": "shap"}, "unknown method 'shap'"),
])
def test_bad_label_or_method_is_refused(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Explainer(CueWordPredictor()).explain("A missile hit.", **({"method": "occlusion"} | kwargs))


def test_a_blank_sentence_is_refused():
    with pytest.raises(ValueError, match="blank"):
        Explainer(CueWordPredictor()).explain("   ")


@pytest.fixture(scope="module")
def torch_predictor(quick_model):
    from inference.predictor import Predictor

    return Predictor.load(quick_model["directory"], "torch", threads=2)


def test_integrated_gradients_on_a_trained_model(torch_predictor):
    text = "Two missiles hit a fuel depot near Kharkiv overnight, officials said."
    explainer = Explainer(torch_predictor)
    result = explainer.explain(text)
    assert result.method == "integrated-gradients"
    assert [w.text for w in result.words] == [text[s:e] for s, e in word_spans(text)]
    assert max(abs(w.score) for w in result.words) == pytest.approx(1.0)
    whole = torch_predictor.probabilities([text])[0]
    assert result.probability == pytest.approx(float(whole.max()), abs=1e-5)
    other = explainer.explain(text, label="forecast")
    assert [w.score for w in other.words] != [w.score for w in result.words]


def test_integrated_gradients_add_up_to_the_probability_change(torch_predictor):
    """Completeness: the attributions sum to the label's logit on the sentence minus that on the
    all-padding baseline; checked on a sentence without punctuation, so every word piece is in a
    word."""
    import torch

    text = "Rockets struck the airbase at dawn"
    spans = word_spans(text)
    column = 0
    raw = IntegratedGradients(torch_predictor).scores(text, spans, column)
    encoded = torch_predictor.tokenizer(text, return_tensors="pt")
    ids = encoded["input_ids"]
    baseline = ids.clone()
    baseline[0, 1:-1] = torch_predictor.tokenizer.pad_token_id
    model = IntegratedGradients(torch_predictor)._loaded()
    with torch.no_grad():
        logits = [model(input_ids=x, attention_mask=encoded["attention_mask"]).logits[0, column].item()
                  / torch_predictor.temperature for x in (ids, baseline)]
    assert raw.sum() == pytest.approx(logits[0] - logits[1], rel=0.05)
