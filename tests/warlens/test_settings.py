import re

import pytest

from warlens.settings import Settings, SettingsError, environment_variables, load_settings


def test_defaults_without_environment(monkeypatch):
    for name in environment_variables():
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.model == "warlens-classifier:latest" and settings.backend == "onnx-int8"
    assert settings.int8_recheck_below == 0.9 and settings.api_key is None and settings.threads is None
    assert (settings.max_sentences, settings.max_sentence_chars, settings.max_article_chars) == (
        256, 2000, 100_000)


def test_values_come_from_their_variables(monkeypatch):
    monkeypatch.setenv("WARLENS_MAX_SENTENCES", "4")
    monkeypatch.setenv("WARLENS_INT8_RECHECK_BELOW", "0.75")
    monkeypatch.setenv("WARLENS_API_KEY", "s3cret")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///x.db")
    settings = load_settings()
    assert settings.max_sentences == 4 and settings.int8_recheck_below == 0.75
    assert settings.api_key.get_secret_value() == "s3cret" and "s3cret" not in repr(settings)
    assert settings.mlflow_tracking_uri == "sqlite:///x.db"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("WARLENS_INT8_RECHECK_BELOW", "high", "Input should be a valid number"),
    ("WARLENS_INT8_RECHECK_BELOW", "1.5", "Input should be less than or equal to 1"),
    ("WARLENS_MAX_SENTENCES", "0", "Input should be greater than 0"),
    ("WARLENS_BACKEND", "tpu", "Input should be 'onnx-int8', 'onnx' or 'torch'"),
])
def test_bad_values_name_the_variable(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=re.escape(f"{name}={value!r}: {message}")):
        load_settings()


def test_readme_documents_every_variable_and_no_other(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| environment variable |"):]
    table = table[: table.index("\n\n")]
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.M))
    assert documented == set(environment_variables())
    assert len(Settings.model_fields) == len(documented)
