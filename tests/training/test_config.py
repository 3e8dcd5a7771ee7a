from pathlib import Path

import pytest
from helpers import ROOT

from training.config import (
    ConfigError,
    apply_override,
    deep_merge,
    flatten,
    load_config,
    parse_override,
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data_block(root: Path) -> str:
    corpus = root / "data" / "corpus"
    return (f"data:\n  train: {corpus / 'train.jsonl'}\n  validation: {corpus / 'validation.jsonl'}\n"
            f"  test: {corpus / 'test.jsonl'}\n")


CONFIG_DIR = ROOT / "configs"
SHIPPED_CONFIGS = sorted(p.relative_to(CONFIG_DIR).as_posix() for p in CONFIG_DIR.rglob("*.yaml"))


def test_every_kind_of_experiment_has_a_shipped_config():
    assert {"minilm.yaml", "tfidf-logreg.yaml", "frozen-encoder.yaml", "setfit.yaml"} <= set(SHIPPED_CONFIGS)


@pytest.mark.parametrize("name", SHIPPED_CONFIGS)
def test_shipped_configs_validate(root, monkeypatch, name):
    monkeypatch.chdir(root)
    cfg = load_config(root / "configs" / name)
    assert cfg.labels == ["incident_report", "statistic", "captive_testimony", "forecast", "other"]
    assert cfg.data.train.is_file()


def test_extends_merges_only_the_differences(root, monkeypatch):
    monkeypatch.chdir(root)
    smoke = load_config(root / "configs" / "smoke.yaml")
    assert smoke.name == "smoke"
    assert smoke.training.max_steps == 4
    default = load_config(root / "configs" / "minilm.yaml")
    assert smoke.optimizer.learning_rate == default.optimizer.learning_rate


def test_unknown_key_is_one_line_naming_key_and_file(tmp_path, data_block):
    path = write(tmp_path, "bad.yaml", f"name: x\n{data_block}training:\n  epoch: 3\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    assert "unknown key 'training.epoch'" in message
    assert "did you mean 'training.epochs'" in message


def test_wrong_type_names_key_and_value(tmp_path, data_block):
    path = write(tmp_path, "bad.yaml", f"name: x\n{data_block}training:\n  batch_size: many\n")
    with pytest.raises(ConfigError, match=r"'training.batch_size'.*'many'"):
        load_config(path)


def test_missing_data_file(tmp_path):
    path = write(tmp_path, "bad.yaml", "name: x\ndata:\n  train: nope.jsonl\n  validation: a\n  test: b\n")
    with pytest.raises(ConfigError, match="file not found: nope.jsonl"):
        load_config(path)


def test_missing_required_key(tmp_path):
    with pytest.raises(ConfigError, match="missing key 'data'"):
        load_config(write(tmp_path, "bad.yaml", "name: x\n"))


def test_invalid_yaml_and_missing_config(tmp_path):
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_config(write(tmp_path, "bad.yaml", "name: [unclosed\n"))
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "absent.yaml")


def test_overrides_are_typed_and_checked(root, monkeypatch):
    monkeypatch.chdir(root)
    cfg = load_config(root / "configs" / "minilm.yaml",
                      ["training.epochs=2.5", "optimizer.scheduler=cosine", "model.max_length=64"])
    assert (cfg.training.epochs, cfg.optimizer.scheduler, cfg.model.max_length) == (2.5, "cosine", 64)
    with pytest.raises(ConfigError, match="unknown key 'training.epochz'"):
        load_config(root / "configs" / "minilm.yaml", ["training.epochz=2"])
    with pytest.raises(ConfigError, match="expected key.sub=value"):
        load_config(root / "configs" / "minilm.yaml", ["training.epochs"])


def test_pure_helpers_worked_examples():
    assert parse_override("training.epochs=3") == (["training", "epochs"], 3)
    assert parse_override("model.base=foo/bar") == (["model", "base"], "foo/bar")
    assert apply_override({"a": {"b": 1}}, ["a", "c"], 2) == {"a": {"b": 1, "c": 2}}
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}
    assert flatten({"a": {"b": 1}, "c": [1]}) == {"a.b": 1, "c": [1]}
