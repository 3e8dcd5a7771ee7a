"""Every environment variable warlens reads, read once at an entry point and passed down.

The CLI and the HTTP service each build one `Settings()` when they start; nothing else in the
package looks at the environment. The README's table of variables is tested against this class.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, PositiveInt, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from inference.artifact import DEFAULT_MODEL
from inference.predictor import BACKENDS, DEFAULT_BACKEND, DEFAULT_RECHECK_BELOW

if TYPE_CHECKING:
    from inference.predictor import Predictor

Backend = Literal[BACKENDS]


class Settings(BaseSettings):
    """warlens' environment: `WARLENS_<FIELD>` for every field but the MLflow URI."""

    model_config = SettingsConfigDict(env_prefix="WARLENS_", extra="ignore", frozen=True)

    model: str = Field(DEFAULT_MODEL, description="model tag or directory to serve, score and evaluate with")
    backend: Backend = Field(DEFAULT_BACKEND, description="`onnx-int8`, `onnx` (fp32) or `torch`")
    api_key: SecretStr | None = Field(
        None, description="when set, every API but health, metrics and docs needs "
                          "`Authorization: Bearer <key>` (401 otherwise)")
    max_sentences: PositiveInt = Field(256, description="sentences per `/classify` request")
    max_sentence_chars: PositiveInt = Field(2000, description="characters per sentence")
    max_article_chars: PositiveInt = Field(100_000, description="characters per article")
    cache_dir: Path | None = Field(None, description="where the ONNX graphs are built and cached "
                                                     "(default: beside the model)")
    int8_recheck_below: float = Field(
        DEFAULT_RECHECK_BELOW, ge=0, le=1,
        description="`onnx-int8` re-scores sentences whose int8 top probability is under this with "
                    "the fp32 graph; 0 turns the re-check off")
    review_dir: Path | None = Field(None, description="writable folder where the review view saves "
                                                      "decisions (default: none, the page downloads them)")
    threads: PositiveInt | None = Field(None, description="threads (ONNX lanes, torch threads) per "
                                                          "predictor (default: all cores)")
    mlflow_tracking_uri: str | None = Field(
        None, validation_alias="MLFLOW_TRACKING_URI",
        description="MLflow tracking store (default: SQLite in ./mlruns)")

    def load_predictor(self, model: str | None = None, backend: str | None = None,
                       **options) -> Predictor:
        """The predictor these settings describe; ``model`` and ``backend`` override them."""
        from inference.predictor import Predictor

        return Predictor.load(model or self.model, backend or self.backend, threads=self.threads,
                              recheck_below=self.int8_recheck_below, graph_cache=self.cache_dir,
                              **options)


class SettingsError(ValueError):
    """An environment variable warlens cannot use; the message names it and the value."""


def load_settings() -> Settings:
    """Settings from the environment, or one SettingsError line per bad variable."""
    try:
        return Settings()
    except ValidationError as err:
        names = environment_variables()
        problems = []
        for error in err.errors():
            field = str(error["loc"][0])
            name = next((n for n in names if n.lower() in (field.lower(), f"warlens_{field}".lower())),
                        field)
            problems.append(f"{name}={error.get('input')!r}: {error['msg']}")
        raise SettingsError("; ".join(problems)) from None


def environment_variables() -> dict[str, str]:
    """Each variable's name mapped to its field's description, for docs and their test."""
    return {(field.validation_alias or f"WARLENS_{name}").upper(): field.description or ""
            for name, field in Settings.model_fields.items()}
