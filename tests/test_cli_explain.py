"""`warlens explain` through the real entry point, on the session's trained model."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

pytestmark = pytest.mark.slow
SENTENCE = "Two missiles hit a fuel depot near Kharkiv overnight, officials said."


def test_json_output_matches_the_endpoint_schema(quick_model):
    result = run_cli(["explain", SENTENCE, "--model", quick_model["tag"], "--json"], quick_model["env"])
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"label", "probability", "predicted", "method", "words", "top_words"}
    assert [w["text"] for w in body["words"]][-2:] == ["officials", "said"]
    assert body["top_words"] and body["top_words"][0] == max(body["words"], key=lambda w: w["score"])["text"]


def test_table_names_the_label_and_every_word(quick_model):
    result = run_cli(["explain", SENTENCE, "--model", quick_model["tag"], "--label", "statistic",
                      "--method", "occlusion"], quick_model["env"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("statistic ") and "occlusion" in result.stdout
    assert all(word in result.stdout for word in ("missiles", "Kharkiv", "officials"))


@pytest.mark.parametrize("args, fragment", [
    (["--label", "rumour"], "unknown label 'rumour'"),
    (["--method", "shap"], "unknown method 'shap'"),
])
def test_bad_options_exit_2_with_one_line(quick_model, args, fragment):
    result = run_cli(["explain", SENTENCE, "--model", quick_model["tag"], *args], quick_model["env"])
    assert result.returncode == 2 and fragment in result.stderr
