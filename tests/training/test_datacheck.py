import json

import pytest
from helpers import run_cli

from training.datacheck import check_corpus, cue_report, near_duplicate_pairs, normalise, tokens


def row(i, article="a-1", text=None, label="other", **extra):
    record = {"id": f"{article}-s{i}", "article_id": article, "sentence_index": i,
              "text": text or f"Sentence number {i} about the {article} conflict background.",
              "label": label, "hard": False, "conflict": "sudan", "register": "wire"}
    record.update(extra)
    return record


def write_split(folder, name, rows):
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_token_helpers():
    assert tokens("U.S.-led strikes, 2024") == ["u", "s", "led", "strikes", "2024"]
    assert normalise("  The  Strike!") == "the strike"


def test_near_duplicates_found_by_prefix_filter():
    texts = ["the army shelled the northern town on friday night",
             "the army shelled the northern town on friday evening night",
             "aid convoys reached the camp after weeks of delay"]
    pairs = near_duplicate_pairs(texts, 0.8)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] == pytest.approx(8 / 9)


def test_clean_fixture_passes(tmp_path):
    write_split(tmp_path, "train", [row(0), row(1)])
    write_split(tmp_path, "test", [row(0, "b-1"), row(1, "b-1")])
    assert check_corpus([tmp_path]).clean


@pytest.mark.parametrize("case, expected", [
    ("unknown_label", "unknown label 'rumour'"),
    ("empty_text", "empty text"),
    ("long_text", "text over 600 characters"),
    ("missing_field", "missing field 'hard'"),
    ("register_slug", "register 'op-ed' is not a lower_snake_case slug"),
    ("article_in_two_splits", "article 'a-1' is in several splits"),
    ("exact_duplicate", "exact duplicate of"),
    ("near_duplicate_across_splits", "near-duplicates across splits"),
    ("duplicate_id", "duplicate id 'a-1-s0'"),
    ("invalid_json", "invalid JSON"),
    ("unknown_kind", "unknown kind 'footer'"),
])
def test_each_broken_fixture_is_caught(tmp_path, case, expected):
    train = [row(0), row(1)]
    test = [row(0, "b-1"), row(1, "b-1")]
    if case == "unknown_label":
        train[0]["label"] = "rumour"
    elif case == "empty_text":
        train[0]["text"] = " "
    elif case == "long_text":
        train[0]["text"] = "word " * 200
    elif case == "missing_field":
        del train[0]["hard"]
    elif case == "register_slug":
        train[0]["register"] = "op-ed"
    elif case == "article_in_two_splits":
        test[0] = row(5, "a-1")
    elif case == "exact_duplicate":
        test[0]["text"] = train[0]["text"].upper()
    elif case == "near_duplicate_across_splits":
        train[0]["text"] = "militia fighters stormed the village market at dawn on tuesday burning shops"
        test[0]["text"] = "militia fighters stormed the village market at dawn on tuesday burning stalls"
    elif case == "duplicate_id":
        train[1]["id"] = train[0]["id"]
    elif case == "unknown_kind":
        train[0]["kind"] = "footer"
    write_split(tmp_path, "train", train)
    path = write_split(tmp_path, "test", test)
    if case == "invalid_json":
        path.write_text(path.read_text() + "{not json\n")
    report = check_corpus([tmp_path])
    assert not report.clean
    assert any(expected in error for error in report.errors), report.errors


def test_bylines_and_time_stamps_may_repeat_across_articles(tmp_path):
    write_split(tmp_path, "train", [row(0, text="By Jane Doe", kind="byline"), row(1, kind="sentence")])
    write_split(tmp_path, "test", [row(0, "b-1", text="By Jane Doe", kind="byline"), row(1, "b-1")])
    assert check_corpus([tmp_path]).clean
    write_split(tmp_path, "train", [row(0, text="Drone hits depot", kind="headline"), row(1)])
    write_split(tmp_path, "test", [row(0, "b-1", text="Drone hits depot", kind="headline"), row(1, "b-1")])
    assert any("exact duplicate" in error for error in check_corpus([tmp_path]).errors)


def test_cue_report_finds_a_planted_leak():
    from training.datacheck import Row

    rows = [Row("train", "f", i, {"text": f"reportedly item {i}", "label": "forecast"}) for i in range(20)]
    rows += [Row("train", "f", 100 + i, {"text": f"plain item {i}", "label": "other"}) for i in range(20)]
    report = cue_report(rows, ["forecast", "other"], top=3, min_count=10)
    token, pmi, share, count = report["forecast"][0]
    assert (token, share, count) == ("reportedly", 1.0, 20)
    assert pmi == pytest.approx(1.0)


def test_cli_on_real_corpus_is_clean_and_shows_tables():
    result = run_cli(["data", "check"])
    assert result.returncode == 0, result.stderr
    for heading in ("Sentences by label and split", "conflicts:", "registers:", "length (words):",
                    "Cue report", "clean:"):
        assert heading in result.stdout


def test_cli_fails_on_broken_data(tmp_path):
    write_split(tmp_path, "train", [row(0, label="rumour")])
    result = run_cli(["data", "check", str(tmp_path)])
    assert result.returncode == 1
    assert "unknown label 'rumour'" in result.stderr


def test_shape_figures_on_a_hand_worked_corpus():
    from training.datacheck import Row, cue_caps, shape_figures, shape_report

    def unit(article, index, label, text, kind="sentence"):
        return Row("train", "f", index, {"article_id": article, "sentence_index": index, "label": label,
                                         "text": text, "kind": kind})

    rows = [unit("a", 0, "incident_report", "Drone hits depot", "headline"),
            unit("a", 1, "forecast", "The front hinges on the bridges now."),
            unit("a", 2, "other", "Talks resume on 12 May in Geneva."),
            unit("a", 3, "statistic", "About a third of homes are gone."),
            unit("a", 4, "forecast", "More strikes will follow."),
            unit("b", 0, "captive_testimony", "He said the guards beat him."),
            unit("b", 1, "incident_report", "Shells hit the market.")]
    labels = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
    figures = shape_figures(rows, labels)
    assert figures["other_and_incident"] == 3 / 7
    assert figures["articles_with_all_labels"] == 0.0
    assert figures["forecasts_in_last_quarter"] == 0.5  # story of a: 4 sentences, the last is late
    assert figures["forecasts_without_modal"] == 0.5 and figures["statistics_without_digits"] == 1.0
    assert figures["other_or_testimony_with_digits"] == 0.5
    assert figures["p90_words"] == 7
    met = {name: ok for name, _, _, ok in shape_report(figures)}
    assert met["other_and_incident"] is False and met["statistics_without_digits"] is True
    leaky = [Row("train", "f", i, {"text": f"officials warn of item {i}", "label": "forecast"})
             for i in range(9)]
    leaky.append(Row("train", "f", 9, {"text": "officials warn of nothing", "label": "other"}))
    assert cue_caps(leaky, labels, min_count=10) == [  # ties: equal share and count, by name
        (cue, "forecast", 0.9, 10) for cue in ("of", "officials", "officials warn", "warn", "warn of")]
