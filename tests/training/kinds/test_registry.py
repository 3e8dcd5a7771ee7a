import typing

import numpy as np
import pytest

from inference.artifact import ModelArtifact, ModelMetadata
from training.config import ModelConfig, load_config
from training.kinds import KIND_MODULES, get_kind
from training.kinds.base import spread
from training.train import load_splits


def test_every_config_kind_has_a_module_and_names_itself():
    assert set(typing.get_args(ModelConfig.model_fields["kind"].annotation)) == set(KIND_MODULES)
    for name in KIND_MODULES:
        assert get_kind(name).name == name
    assert get_kind("transformer").store_name == "warlens-classifier"
    assert get_kind("distill").store_name == "warlens-student"
    assert {get_kind(n).store_name for n in KIND_MODULES if n not in ("transformer", "distill")} == {
        "warlens-baseline"}
    # A student is stored as the transformer it is, so the predictor and the service load it.
    assert get_kind("distill").stored_kind == "transformer"
    assert all(get_kind(n).stored_kind is None for n in KIND_MODULES if n != "distill")


def test_unknown_kind_names_the_choices():
    with pytest.raises(ValueError, match="unknown model kind 'svm': choose one of transformer, distill"):
        get_kind("svm")


def test_spread_places_head_columns_into_label_order():
    assert spread(np.array([[0.4, 0.6]]), [0, 2], 3)[0].tolist() == pytest.approx([0.4, 0.0, 0.6])


def test_tfidf_fit_then_load_gives_the_same_probabilities(root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    cfg = load_config(root / "configs" / "tfidf-logreg.yaml",
                      ["data.max_train_examples=300", "data.max_eval_examples=40"])
    splits = load_splits(cfg)
    kind = get_kind("tfidf")
    fitted = kind.fit(cfg, splits, tmp_path, lambda metrics, step: None, progress=False)
    assert fitted.summary["vocabulary"] > 100
    artifact = ModelArtifact(tmp_path, str(tmp_path), ModelMetadata(kind="tfidf", labels=cfg.labels))
    loaded = kind.load(artifact)
    texts = splits["test"]["text"]
    assert loaded.probabilities(texts) == pytest.approx(fitted.classifier.probabilities(texts))
    assert loaded.probabilities(texts).shape == (40, 5)
    with pytest.raises(ValueError, match="--backend applies to transformer models"):
        kind.load(artifact, backend="onnx")
