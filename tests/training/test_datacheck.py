import json
import re

import pytest
from helpers import ROOT, run_cli

from training.config import DEFAULT_LABELS
from training.datacheck import (
    check_corpus,
    cue_report,
    near_duplicate_pairs,
    normalise,
    read_cue_allowlist,
    tokens,
)


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


@pytest.fixture(scope="module")
def corpus_rows():
    from training.datacheck import CheckReport, read_rows

    report = CheckReport()
    read_rows([ROOT / "data" / "corpus"], report)
    return [row.record for row in report.rows]


def break_shape(target, record):
    """The record changed so that a whole corpus of such records misses ``target``."""
    label, index, text = record["label"], record["sentence_index"], record["text"]
    if target == "other_and_incident" and label == "other" and index % 2:
        return {**record, "label": "statistic"}
    if target == "smallest_label_share" and label == "forecast" and index % 4:
        return {**record, "label": "other"}
    if target == "articles_with_all_labels" and index < len(DEFAULT_LABELS):
        return {**record, "label": DEFAULT_LABELS[index]}
    if target == "forecasts_in_last_quarter" and label == "forecast":
        return {**record, "sentence_index": index + 1000}
    if target == "mean_words":
        return {**record, "text": text + " and so on"}
    if target == "p90_words" and index % 5 == 0:
        return {**record, "text": text + " and" * 12}
    if target == "forecasts_without_modal" and label == "forecast":
        return {**record, "text": text + " may"}
    if target == "statistics_without_digits" and label == "statistic":
        return {**record, "text": text + " 7"}
    if target == "other_or_testimony_with_digits" and label in ("other", "captive_testimony"):
        return {**record, "text": re.sub(r"\d", "n", text)}
    if target == "cues_over_cap" and label == "forecast":
        return {**record, "text": text + " zqxv"}
    return record


SHAPE_TARGET_NAMES = ["other_and_incident", "smallest_label_share", "articles_with_all_labels",
                      "forecasts_in_last_quarter", "mean_words", "p90_words", "forecasts_without_modal",
                      "statistics_without_digits", "other_or_testimony_with_digits", "cues_over_cap"]


def shape_errors_of(records, allowed):
    from training.datacheck import Row, shape_errors, shape_figures, shape_report

    rows = [Row("corpus", "f", i, record) for i, record in enumerate(records)]
    return shape_errors(shape_report(shape_figures(rows, DEFAULT_LABELS), allowed))


def test_every_shape_target_has_a_breaking_fixture():
    from training.datacheck import SHAPE_TARGETS

    assert sorted(name for name, *_ in SHAPE_TARGETS) == sorted(SHAPE_TARGET_NAMES)


def test_the_corpus_meets_every_shape_target(corpus_rows):
    allowed = read_cue_allowlist(ROOT / "data" / "cue-allowlist.yaml", DEFAULT_LABELS)
    assert shape_errors_of(corpus_rows, allowed) == []


@pytest.mark.parametrize("target", SHAPE_TARGET_NAMES)
def test_each_broken_shape_target_is_caught_by_name(corpus_rows, target):
    """A copy of the corpus bent out of shape in one way fails on that target."""
    allowed = read_cue_allowlist(ROOT / "data" / "cue-allowlist.yaml", DEFAULT_LABELS)
    errors = shape_errors_of([break_shape(target, record) for record in corpus_rows], allowed)
    expected = "shape: cue 'zqxv' is forecast" if target == "cues_over_cap" else f"shape: {target} is "
    assert any(error.startswith(expected) for error in errors), errors


def test_check_corpus_fails_on_shape_only_when_asked(tmp_path, corpus_rows):
    write_split(tmp_path, "train", [break_shape("cues_over_cap", record) for record in corpus_rows])
    assert check_corpus([tmp_path]).clean
    report = check_corpus([tmp_path], shape=True)
    assert [error for error in report.errors if "zqxv" in error]
    assert dict((name, met) for name, _, _, met in report.shape)["cues_over_cap"] is False


def test_an_allow_listed_cue_passes_the_cap_for_its_own_label_only(tmp_path, corpus_rows):
    from training.datacheck import Row, shape_figures, shape_report

    planted = [break_shape("cues_over_cap", record) for record in corpus_rows]
    figures = shape_figures([Row("train", "f", i, r) for i, r in enumerate(planted)], DEFAULT_LABELS)
    over = {name: value for name, value, _, _ in shape_report(figures, {"zqxv": "forecast"})}["cues_over_cap"]
    assert "zqxv" not in [cue for cue, *_ in over]
    over = {name: value for name, value, _, _ in shape_report(figures, {"zqxv": "other"})}["cues_over_cap"]
    assert "zqxv" in [cue for cue, *_ in over]


@pytest.mark.parametrize("text, message", [
    ("- cue: likely\n  label: forecast\n", "needs exactly the keys cue, label and reason"),
    ("- cue: likely\n  label: rumour\n  reason: x\n", "unknown label 'rumour'"),
    ("- cue: likely\n  label: forecast\n  reason: ' '\n", "give the reason"),
    ("cue: likely\n", "expected a list"),
    ("- [unclosed\n", "invalid YAML"),
])
def test_a_malformed_allow_list_is_refused_by_name(tmp_path, text, message):
    path = tmp_path / "allow.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(message)):
        read_cue_allowlist(path, DEFAULT_LABELS)
    result = run_cli(["data", "check", "--cue-allowlist", str(path)])
    assert result.returncode == 2 and message in result.stderr


def test_cli_no_shape_checks_a_partial_file(tmp_path):
    write_split(tmp_path, "train", [row(0), row(1)])
    assert run_cli(["data", "check", str(tmp_path)]).returncode == 1
    assert run_cli(["data", "check", "--no-shape", str(tmp_path)]).returncode == 0
