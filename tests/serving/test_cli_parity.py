"""One model, one answer: `warlens predict` prints what `POST /classify` returns."""

import httpx
import pytest
from helpers import run_cli

pytestmark = pytest.mark.slow
SENTENCES = [
    "Two missiles hit a fuel depot near Kharkiv overnight, officials said.",
    "Since January, more than 40,000 people have fled the district.",
    "The freed soldier said guards beat them every morning during roll call.",
    "Fighting is likely to intensify once the ground freezes.",
    "The foreign minister met his counterpart in Geneva on Tuesday.",
    "Residents reported hearing explosions but the cause was unclear.",
]


def test_cli_predict_matches_http_classify(server, quick_model):
    served = httpx.post(f"{server}/classify", json={"sentences": SENTENCES}, timeout=60).json()
    result = run_cli(["predict", "--model", quick_model["tag"], *SENTENCES], quick_model["env"])
    assert result.returncode == 0, result.stderr[-3000:]
    printed = [line.split(maxsplit=2) for line in result.stdout.splitlines() if line.strip()]
    assert len(printed) == len(SENTENCES)
    for (label, score, sentence), expected, answer in zip(printed, SENTENCES, served, strict=True):
        assert sentence == expected
        assert (label, score) == (answer["label"], f"{answer['score']:.3f}")


def test_cli_predict_backend_flag_picks_another_engine(quick_model):
    result = run_cli(["predict", "--model", quick_model["tag"], "--backend", "tpu", "x"], quick_model["env"])
    assert result.returncode == 2 and "unknown backend 'tpu'" in result.stderr
