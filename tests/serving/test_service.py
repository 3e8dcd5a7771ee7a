"""Direct calls of the service class, in process (fast): no HTTP, same code paths."""

import asyncio
import json

import pytest


@pytest.fixture(scope="module")
def service(quick_model):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WARLENS_MODEL", quick_model["directory"])
        from serving.service import Warlens

        yield Warlens()


def test_classify_returns_one_result_per_sentence(service):
    results = service.classify(["Two missiles hit a depot overnight.", "Talks may resume next month."])
    assert len(results) == 2
    for result in results:
        assert result.label in result.scores and result.score == result.scores[result.label]


def test_classify_article_seed(service, root):
    text = (root / "data" / "examples" / "seed-article.txt").read_text(encoding="utf-8")
    gold_file = root / "data" / "examples" / "seed-labels.jsonl"
    gold = [json.loads(line) for line in gold_file.read_text().splitlines()]
    result = asyncio.run(service.classify_article(text, id="seed"))
    assert result.id == "seed"
    assert [(s.start, s.end) for s in result.sentences] == [(g["start"], g["end"]) for g in gold]
    assert all(text[s.start:s.end] == s.text for s in result.sentences)
    assert sum(result.counts.values()) == 15
    correct = sum(s.label == g["label"] for s, g in zip(result.sentences, gold, strict=True))
    assert correct >= 9  # the two-epoch test model; the shipped model's score is in docs/experiments.md


def test_model_description(service, quick_model):
    info = asyncio.run(service.model_info())
    assert info.labels == ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
    assert info.backend == "onnx-int8" and info.base_model == "all-MiniLM-L6-v2"
    assert info.metrics["test"]["macro_f1"] > 0.5
