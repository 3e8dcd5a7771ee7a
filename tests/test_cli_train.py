"""End to end through the real CLI: train (smoke and baseline), evaluate, predict, runs."""

import json
from pathlib import Path

import pytest
from helpers import run_cli

pytestmark = pytest.mark.slow
LABELS = ["incident_report", "statistic", "captive_testimony", "forecast", "other"]


@pytest.fixture(scope="module")
def trained(stores):
    smoke = run_cli(["train", "--config", "configs/smoke.yaml", "--no-progress"], stores)
    assert smoke.returncode == 0, smoke.stderr[-3000:]
    baseline = run_cli(["train", "--config", "configs/tfidf-logreg.yaml", "--no-progress",
                        "--set", "name=baseline-test"], stores)
    assert baseline.returncode == 0, baseline.stderr[-3000:]
    return {"smoke": smoke, "baseline": baseline}


def check_report(report, n):
    assert set(report) == {"n", "accuracy", "macro_f1", "per_label", "ece", "model"}
    assert report["n"] == n
    assert 0.0 <= report["accuracy"] <= 1.0 and 0.0 <= report["macro_f1"] <= 1.0
    assert 0.0 <= report["ece"] <= 1.0
    assert list(report["per_label"]) == LABELS
    assert sum(v["support"] for v in report["per_label"].values()) == n
    for values in report["per_label"].values():
        assert set(values) == {"precision", "recall", "f1", "support"}


def test_smoke_training_prints_summary_and_stores(trained, stores):
    out = trained["smoke"].stdout
    assert "Evaluation" in out and "validation" in out and "macro-F1" in out
    tag = next(line.split()[2].rstrip(";") for line in out.splitlines() if line.startswith("Stored model"))
    name, version = tag.split(":")
    assert name == "warlens-classifier"
    directory = Path(stores["BENTOML_HOME"]) / "models" / name / version
    metadata = json.loads((directory / "warlens.json").read_text())
    assert metadata["labels"] == LABELS and metadata["experiment"] == "smoke"
    assert metadata["config"]["training"]["max_steps"] == 4
    assert set(metadata["metrics"]) == {"validation", "test"}
    assert metadata["temperature"] > 0 and "val_ece_before" in metadata["calibration"]
    assert (directory / "model.safetensors").is_file() and (directory / "tokenizer.json").is_file()


def test_evaluate_json_on_the_smoke_model(trained, stores, root, tmp_path):
    result = run_cli(["evaluate", "--data", "tests/fixtures/tiny.jsonl", "--json",
                      "--out", str(tmp_path / "eval")], stores)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    check_report(report, 6)
    assert report["model"].startswith("warlens-classifier:")
    written = {p.name for p in (tmp_path / "eval").iterdir()}
    assert written == {"metrics.json", "confusion_matrix.txt", "confusion_matrix.png",
                       "reliability.png", "misclassified.csv"}
    assert (tmp_path / "eval" / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"


def test_baseline_is_stored_and_learns(trained, stores):
    result = run_cli(["evaluate", "--model", "warlens-baseline:latest",
                      "--data", "data/corpus/test.jsonl", "--json"], stores)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    check_report(report, len(Path("data/corpus/test.jsonl").read_text().splitlines()))
    assert report["macro_f1"] > 0.6  # a real fit on the corpus, far above chance (0.2)


def test_each_run_records_the_data_passes_behind_its_corpus(trained, stores, root):
    import mlflow

    mlflow.set_tracking_uri(stores["MLFLOW_TRACKING_URI"])
    [run] = mlflow.search_runs(search_all_experiments=True, filter_string="params.name = 'baseline-test'",
                               output_format="list")
    passes = sorted(path.stem for path in (root / "data" / "changes").glob("*-pass-*.jsonl"))
    assert "relabel-pass-1" in passes and "second-reading" not in run.data.tags["data_passes"]
    assert run.data.tags["data_passes"].split(", ") == passes
    recorded = json.loads(Path(mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="data_passes.json")).read_text())
    assert sorted(Path(path).stem for path in recorded) == passes


def test_a_distilled_student_is_served_like_any_transformer(trained, stores):
    result = run_cli(["train", "--config", "configs/smoke.yaml", "--no-progress", "--set", "name=student",
                      "--set", "model.kind=distill", "--set", "distill.teacher=warlens-classifier:latest",
                      "--set", "distill.init=teacher", "--set", "distill.layers=2"], stores)
    assert result.returncode == 0, result.stderr[-3000:]
    stored = [line for line in result.stdout.splitlines() if line.startswith("Stored model")]
    tag = stored[0].split()[2].rstrip(";")
    name, version = tag.split(":")
    assert name == "warlens-student"
    directory = Path(stores["BENTOML_HOME"]) / "models" / name / version
    metadata = json.loads((directory / "warlens.json").read_text())
    assert metadata["kind"] == "transformer" and metadata["teacher"].startswith("warlens-classifier:")
    assert json.loads((directory / "config.json").read_text())["num_hidden_layers"] == 2
    predicted = run_cli(["predict", "--model", tag, "Shelling killed two people in Kherson."], stores)
    assert predicted.returncode == 0 and predicted.stdout.split()[0] in LABELS  # the int8 path serves it


def test_predict_prints_a_label_per_sentence(trained, stores):
    result = run_cli(["predict", "--model", "warlens-baseline:latest",
                      "Shelling killed two people in Kherson on Monday.",
                      "Fighting may spread south in the coming months."], stores)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    assert all(line.split()[0] in LABELS for line in lines)


def test_runs_lists_both_newest_first(trained, stores):
    result = run_cli(["runs"], stores)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "baseline-test" in out and "smoke" in out
    assert out.index("baseline-test") < out.index("smoke")


def test_config_errors_exit_2_with_one_line(stores):
    result = run_cli(["train", "--config", "configs/smoke.yaml", "--set", "training.epoch=1"], stores)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "unknown key 'training.epoch'" in result.stderr and "configs/smoke.yaml" in result.stderr


def test_unknown_model_is_a_clear_error(stores):
    result = run_cli(["evaluate", "--model", "no-such-model:latest", "--data",
                      "tests/fixtures/tiny.jsonl"], stores)
    assert result.returncode == 2
    assert "no-such-model" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("config, kind, extra", [
    ("configs/frozen-encoder.yaml", "frozen-encoder", []),
    ("configs/setfit.yaml", "setfit", ["--set", "setfit.max_steps=3", "--set", "setfit.batch_size=8"]),
])
def test_embedding_baselines_train_evaluate_and_predict(config, kind, extra, stores):
    store_name = f"test-{kind}"
    result = run_cli(["train", "--config", config, "--no-progress", "--set", "data.max_train_examples=80",
                      "--set", "data.max_eval_examples=40", "--set", "model.max_length=48",
                      "--set", f"model.store_name={store_name}", *extra], stores)
    assert result.returncode == 0, result.stderr[-3000:]
    tag = next(line.split()[2].rstrip(";") for line in result.stdout.splitlines()
               if line.startswith("Stored model"))
    assert tag.startswith(store_name + ":")
    directory = Path(stores["BENTOML_HOME"]) / "models" / store_name / tag.split(":")[1]
    metadata = json.loads((directory / "warlens.json").read_text())
    assert metadata["kind"] == kind and metadata["base_model"] == "all-MiniLM-L6-v2"
    assert "temperature" not in metadata  # calibration is for the fine-tuned model only

    evaluated = run_cli(["evaluate", "--model", tag, "--data", "tests/fixtures/tiny.jsonl", "--json"], stores)
    assert evaluated.returncode == 0, evaluated.stderr
    check_report(json.loads(evaluated.stdout), 6)

    sentence = "Shelling killed two people in Kherson on Monday."
    predicted = run_cli(["predict", "--model", tag, sentence], stores)
    assert predicted.returncode == 0, predicted.stderr
    label, score = predicted.stdout.split()[:2]
    assert label in LABELS and 0.2 <= float(score) <= 1.0


def test_a_context_model_records_its_budget_and_the_cli_reads_neighbours(context_model, tmp_path):
    metadata = json.loads((Path(context_model["directory"]) / "warlens.json").read_text())
    assert metadata["context_words"] == 8 and metadata["config"]["training"]["context_dropout"] == 0.25
    env = {**context_model["env"], "WARLENS_MODEL": context_model["tag"]}
    account = ["He was held for eleven months in a basement under the police station.",
               "I remember hearing gunfire and everybody started to run away.",
               "The guards never told them where they were."]
    in_context = run_cli(["predict", "--backend", "onnx", "--in-context", *account], env)
    assert in_context.returncode == 0, in_context.stderr
    from inference.predictor import Predictor

    predictor = Predictor.load(context_model["directory"], backend="onnx")
    expected = predictor.predict(account, predictor.article_contexts(account))
    assert [line.split()[:2] for line in in_context.stdout.splitlines()] == \
        [[p.label, f"{p.score:.3f}"] for p in expected]

    article = [{"text": text, "label": "captive_testimony", "article_id": "acc", "sentence_index": i}
               for i, text in enumerate(account)]
    with_ids = tmp_path / "with-ids.jsonl"
    with_ids.write_text("".join(json.dumps(row) + "\n" for row in article))
    without_ids = tmp_path / "without-ids.jsonl"
    without_ids.write_text("".join(json.dumps({"text": r["text"], "label": r["label"]}) + "\n"
                                   for r in article))
    reports = [json.loads(run_cli(["evaluate", "--backend", "onnx", "--data", str(path), "--json"],
                                  env).stdout) for path in (with_ids, without_ids)]
    assert reports[0]["ece"] != pytest.approx(reports[1]["ece"], abs=1e-6)  # neighbours changed the scores


def test_context_on_a_baseline_is_a_config_error(stores):
    result = run_cli(["train", "--config", "configs/tfidf-logreg.yaml", "--set", "model.context_words=8"],
                     stores)
    assert result.returncode == 2 and "only a transformer reads context" in result.stderr
