import json

import pytest

from inference.artifact import METADATA_FILE, ModelMetadata, ModelNotFound, open_artifact, write_metadata


def test_metadata_round_trip_keeps_unknown_keys(tmp_path):
    metadata = ModelMetadata(labels=["a", "b"], temperature=1.5, future_field={"x": 1})
    write_metadata(tmp_path, metadata)
    artifact = open_artifact(str(tmp_path))
    assert artifact.labels == ["a", "b"] and artifact.metadata.temperature == 1.5
    assert artifact.metadata.model_extra == {"future_field": {"x": 1}}


def test_summary_keeps_identity_and_headline_metrics_only():
    metrics = {"test": {"n": 3, "macro_f1": 0.5, "accuracy": 0.6, "ece": 0.1, "per_label": {}}}
    summary = ModelMetadata(labels=["a", "b"], experiment="x", metrics=metrics, config={"big": 1}).summary()
    assert summary == {"kind": "transformer", "labels": ["a", "b"], "experiment": "x",
                       "metrics": {"test": {"macro_f1": 0.5, "accuracy": 0.6, "ece": 0.1}}}


def test_missing_or_broken_metadata_say_what_is_wrong(tmp_path):
    with pytest.raises(ModelNotFound, match="not a warlens model"):
        open_artifact(str(tmp_path))
    (tmp_path / METADATA_FILE).write_text(json.dumps({"labels": ["only-one"]}))
    with pytest.raises(ModelNotFound, match="invalid model metadata"):
        open_artifact(str(tmp_path))


def test_unset_fields_are_not_written(tmp_path):
    write_metadata(tmp_path, ModelMetadata(kind="tfidf", labels=["a", "b"]))
    written = json.loads((tmp_path / METADATA_FILE).read_text())
    assert "temperature" not in written and "calibration" not in written
    assert open_artifact(str(tmp_path)).metadata.temperature is None
