"""The real server over HTTP: `bentoml serve` on a free local port, started by the tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow
SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"
LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


def test_classify_in_order(server):
    sentences = ["Two missiles hit a fuel depot near Kharkiv overnight.",
                 "About 1.2 million people have fled since January.",
                 "Shelling is likely to intensify in the coming weeks."]
    response = httpx.post(f"{server}/classify", json={"sentences": sentences}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 3
    for item in body:
        assert set(item) == {"label", "score", "scores"}
        assert list(item["scores"]) == LABELS and item["label"] in LABELS
    single = httpx.post(f"{server}/classify", json={"sentences": sentences[1:2]}, timeout=30).json()
    assert single[0]["label"] == body[1]["label"]
    # Dynamic int8 picks activation scales per batch, so batch-mates move scores slightly.
    assert single[0]["score"] == pytest.approx(body[1]["score"], abs=2e-3)


def test_seed_article_offsets_slice_the_text(server, root):
    text = (root / "data" / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    response = httpx.post(f"{server}/classify_article", json={"text": text, "id": "seed"}, timeout=30)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "seed" and len(body["sentences"]) == 15
    for sentence in body["sentences"]:
        assert text[sentence["start"]:sentence["end"]] == sentence["text"]
    assert sum(body["counts"].values()) == 15 and list(body["counts"]) == LABELS


def test_model_endpoint(server, quick_model):
    body = httpx.get(f"{server}/model", timeout=10).json()
    assert body["tag"] == quick_model["tag"] and body["labels"] == LABELS
    assert body["backend"] == "onnx-int8" and "test" in body["metrics"]


def test_health_and_metrics(server):
    for path in ("/healthz", "/livez", "/readyz"):
        assert httpx.get(f"{server}{path}", timeout=10).status_code == 200
    httpx.post(f"{server}/classify", json={"sentences": ["A drone hit a car."]}, timeout=30)
    metrics = httpx.get(f"{server}/metrics", timeout=10)
    assert metrics.status_code == 200
    assert "bentoml_service_request_total" in metrics.text or "request_total" in metrics.text


@pytest.mark.parametrize("payload, fragment", [
    ({"sentences": []}, "at least 1 item"),
    ({"sentences": [1, 2]}, "valid string"),
    ({"sentences": ["   "]}, "must not be blank"),
    ({"sentences": "one"}, "valid array"),
    ({}, "Field required"),
    ({"sentences": ["x" * 2001]}, "at most 2000 characters"),
    ({"sentences": ["x"] * 257}, "at most 256 items"),
])
def test_classify_rejects_bad_input_with_400(server, payload, fragment):
    response = httpx.post(f"{server}/classify", json=payload, timeout=30)
    assert response.status_code == 400
    assert fragment in response.text


@pytest.mark.parametrize("payload, fragment", [
    ({"text": ""}, "at least 1 character"),
    ({"text": "a. " * 40000}, "at most 100000 characters"),
    ({"text": 42}, "valid string"),
])
def test_article_rejects_bad_input_with_400(server, payload, fragment):
    response = httpx.post(f"{server}/classify_article", json=payload, timeout=30)
    assert response.status_code == 400
    assert fragment in response.text


def test_malformed_json_is_400(server):
    response = httpx.post(f"{server}/classify", content=b'{"sentences": [', timeout=10,
                          headers={"content-type": "application/json"})
    assert response.status_code == 400 and "Invalid JSON" in response.text


def test_openapi_schema_matches_snapshot(server):
    schema = httpx.get(f"{server}/docs.json", timeout=10).json()
    current = {"paths": schema["paths"], "components": schema.get("components", {})}
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text()), "API changed: review, then UPDATE_SNAPSHOTS=1"


def test_auth_required_when_key_set(locked_server):
    body = {"sentences": ["A drone hit a car."]}
    assert httpx.post(f"{locked_server}/classify", json=body, timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert httpx.post(f"{locked_server}/classify", json=body, headers=wrong, timeout=30).status_code == 401
    assert httpx.get(f"{locked_server}/model", timeout=10).status_code == 401
    good = {"Authorization": "Bearer s3cret-key"}
    assert httpx.post(f"{locked_server}/classify", json=body, headers=good, timeout=30).status_code == 200
    assert httpx.get(f"{locked_server}/model", headers=good, timeout=10).status_code == 200
    for open_path in ("/healthz", "/readyz", "/livez", "/metrics"):
        assert httpx.get(f"{locked_server}{open_path}", timeout=10).status_code == 200


def test_limits_come_from_the_environment(locked_server):
    good = {"Authorization": "Bearer s3cret-key"}
    response = httpx.post(f"{locked_server}/classify", json={"sentences": ["a b c"] * 5},
                          headers=good, timeout=30)
    assert response.status_code == 400 and "at most 4 items" in response.text


ACCOUNT = ["He was held for eleven months in a basement under the police station.",
           "I remember hearing gunfire and everybody started to run away.",
           "The guards never told them where they were."]


def test_a_context_model_reads_the_neighbours_sent_with_a_sentence(context_server, context_model):
    from inference.context import neighbour_context
    from inference.predictor import Predictor

    assert httpx.get(f"{context_server}/model", timeout=10).json()["context_words"] == 8
    item = {"text": ACCOUNT[1], "context": {"previous": ACCOUNT[0], "next": ACCOUNT[2]}}
    in_context, alone = httpx.post(f"{context_server}/classify", json={"sentences": [item, ACCOUNT[1]]},
                                   timeout=30).json()
    predictor = Predictor.load(context_model["directory"])
    expected = predictor.predict([ACCOUNT[1]], [neighbour_context(ACCOUNT[0], ACCOUNT[2], 8)])[0]
    assert in_context["scores"] == pytest.approx(expected.scores, abs=1e-4)
    assert in_context["scores"] != pytest.approx(alone["scores"], abs=1e-4)
    article = httpx.post(f"{context_server}/classify_article", json={"text": " ".join(ACCOUNT)},
                         timeout=30).json()
    expected = predictor.predict(ACCOUNT, predictor.article_contexts(ACCOUNT))
    assert [s["score"] for s in article["sentences"]] == pytest.approx([p.score for p in expected], abs=1e-4)


def test_a_model_without_context_answers_the_same_with_or_without_it(server):
    item = {"text": ACCOUNT[1], "context": {"previous": ACCOUNT[0]}}
    response = httpx.post(f"{server}/classify", json={"sentences": [item, ACCOUNT[1]]}, timeout=30)
    with_item, plain = response.json()
    assert with_item["scores"] == pytest.approx(plain["scores"], abs=1e-5)
    assert httpx.get(f"{server}/model", timeout=10).json()["context_words"] is None


@pytest.mark.parametrize("item, fragment", [
    ({"text": "x", "context": {"prev": "a"}}, "sentences.0.context.prev: Extra inputs"),
    ({"context": {"next": "a"}}, "sentences.0.text: Field required"),
    ({"text": "x", "context": {"next": "y" * 2001}}, "at most 2000 characters"),
])
def test_a_bad_sentence_in_context_is_a_400_naming_the_field(server, item, fragment):
    response = httpx.post(f"{server}/classify", json={"sentences": [item]}, timeout=30)
    assert response.status_code == 400 and fragment in response.text


def test_explain_scores_every_word_of_the_sentence(server):
    sentence = "Two missiles hit a fuel depot near Kharkiv overnight, officials said."
    labelled = httpx.post(f"{server}/classify", json={"sentences": [sentence]}, timeout=30).json()[0]
    body = httpx.post(f"{server}/explain", json={"sentence": sentence}, timeout=60).json()
    assert set(body) == {"label", "probability", "predicted", "method", "words", "top_words"}
    assert body["label"] == body["predicted"] == labelled["label"]
    assert body["method"] == "integrated-gradients"
    assert body["probability"] == pytest.approx(labelled["score"], abs=2e-3)
    assert [w["text"] for w in body["words"]][:3] == ["Two", "missiles", "hit"]
    for word in body["words"]:
        assert sentence[word["start"]:word["end"]] == word["text"] and -1 <= word["score"] <= 1
    assert max(abs(w["score"]) for w in body["words"]) == pytest.approx(1.0)
    strongest = max(body["words"], key=lambda w: w["score"])
    assert body["top_words"][0] == strongest["text"] and len(body["top_words"]) <= 5
    other = httpx.post(f"{server}/explain", json={"sentence": sentence, "label": "forecast",
                                                  "method": "occlusion"}, timeout=60).json()
    assert other["label"] == "forecast" and other["method"] == "occlusion"
    assert other["probability"] == pytest.approx(labelled["scores"]["forecast"], abs=2e-3)


@pytest.mark.parametrize("payload, fragment", [
    ({"sentence": "   "}, "must not be blank"),
    ({"sentence": "x" * 2001}, "at most 2000 characters"),
    ({"sentence": "A drone hit a car.", "label": "rumour"}, "label"),
    ({"sentence": "A drone hit a car.", "method": "shap"}, "method"),
    ({}, "Field required"),
])
def test_explain_rejects_bad_input_with_400(server, payload, fragment):
    response = httpx.post(f"{server}/explain", json=payload, timeout=30)
    assert response.status_code == 400 and fragment in response.text


def test_metrics_export_the_label_mix_and_confidence(server):
    """The drift figures a dashboard watches: counters per label, the top-probability histogram
    and the low-confidence count move with each labelled sentence."""
    def scrape() -> dict[str, float]:
        values = {}
        for line in httpx.get(f"{server}/metrics", timeout=10).text.splitlines():
            if line.startswith("warlens_"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    sentences = ["Two missiles hit a fuel depot near Kharkiv overnight.", "Talks resume in Geneva.",
                 "About 1.2 million people have fled since January."]
    httpx.post(f"{server}/classify", json={"sentences": sentences[:1]}, timeout=30)
    before = scrape()
    labelled = httpx.post(f"{server}/classify", json={"sentences": sentences}, timeout=30).json()
    after = scrape()
    for label in {item["label"] for item in labelled}:
        key = f'warlens_labelled_sentences_total{{label="{label}"}}'
        assert after.get(key, 0) - before.get(key, 0) == sum(item["label"] == label for item in labelled)
    assert after["warlens_top_probability_count"] - before["warlens_top_probability_count"] == 3
    assert after['warlens_top_probability_bucket{le="1.0"}'] == after["warlens_top_probability_count"]
    unsure = sum(item["score"] < 0.9 for item in labelled)
    assert (after["warlens_low_confidence_sentences_total"]
            - before.get("warlens_low_confidence_sentences_total", 0)) == unsure
