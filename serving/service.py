"""The warlens HTTP service: `bentoml serve serving.service:Warlens`.

Two services in one bento. `Classifier` owns the model and exposes one batchable method, so
BentoML's adaptive batching merges sentences from concurrent requests into one model call.
`Warlens` is the public face: validation, segmentation, auth, and the model description.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import bentoml
from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from serving.artifact import model_ref_from_env
from serving.auth import BearerAuth
from serving.errors import ErrorDetail
from serving.limits import LIMITS
from serving.schemas import (
    ArticleResult,
    ArticleSentence,
    ArticleText,
    ModelInfo,
    SentenceLabel,
    SentenceList,
)
from serving.segment import segment

# Batches of up to 64 sentences keep the int8 GEMMs efficient (throughput flattens past 32 in
# bench/predictor.py); a 20 ms budget lets concurrent requests share a call while a lone
# request still answers in a few milliseconds. Measured in docs/benchmarks.md.
MAX_BATCH_SIZE = 64
MAX_LATENCY_MS = 20
TRAFFIC = {"timeout": 120, "max_concurrency": 512}
MODEL_REF = model_ref_from_env()


@bentoml.service(name="warlens-classifier", workers=1, traffic=TRAFFIC)
class Classifier:
    """Loads the predictor once per worker; the public service calls it for every sentence."""

    # Declared so that `bentoml build` packs the stored model into the bento; a model
    # directory (WARLENS_MODEL=/path) is served as it is and is not packed.
    if not Path(MODEL_REF).is_dir():
        model = bentoml.models.BentoModel(MODEL_REF)

    def __init__(self) -> None:
        from serving.predictor import Predictor

        self.predictor = Predictor.load(MODEL_REF)

    @bentoml.api(batchable=True, max_batch_size=MAX_BATCH_SIZE, max_latency_ms=MAX_LATENCY_MS)
    def classify_batch(self, sentences: list[str]) -> list[dict]:
        return [asdict(p) for p in self.predictor.predict(sentences)]

    @bentoml.api
    def describe(self) -> dict:
        return self.predictor.describe()


UI_DIR = Path(__file__).parent / "ui"
info_app = FastAPI(title="warlens model information", docs_url=None, redoc_url=None, openapi_url=None)
info_app.mount("/ui/static", StaticFiles(directory=UI_DIR), name="ui-static")


@info_app.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/")


@info_app.get("/ui/", include_in_schema=False)
async def explorer() -> FileResponse:
    """The article explorer page: everything it needs ships in serving/ui, nothing external."""
    return FileResponse(UI_DIR / "index.html")


@info_app.get("/docs", include_in_schema=False)
async def swagger_ui() -> FileResponse:
    """BentoML's bundled Swagger UI, moved here because / now leads to the explorer."""
    return FileResponse(UI_DIR / "docs.html")


@bentoml.service(name="warlens", traffic=TRAFFIC, http={"port": 3000})
@bentoml.asgi_app(info_app, path="/")
class Warlens:
    """Label sentences and whole articles."""

    classifier = bentoml.depends(Classifier)

    async def _label(self, sentences: list[str]) -> list[dict]:
        results: list[dict] = []
        for start in range(0, len(sentences), LIMITS.max_sentences):
            chunk = sentences[start : start + LIMITS.max_sentences]
            results.extend(await self.classifier.to_async.classify_batch(chunk))
        return results

    @bentoml.api
    async def classify(self, sentences: SentenceList) -> list[SentenceLabel]:
        """Label each sentence; results come back in the order sent."""
        return [SentenceLabel(**result) for result in await self._label(sentences)]

    @bentoml.api
    async def classify_article(self, text: ArticleText, id: str = "") -> ArticleResult:
        """Split an article into sentences (with character offsets) and label each one."""
        spans = segment(text)
        results = await self._label([span.text for span in spans])
        sentences = [
            ArticleSentence(start=span.start, end=span.end, text=span.text, **result)
            for span, result in zip(spans, results, strict=True)
        ]
        labels = (await self.classifier.to_async.describe())["labels"]
        counts = Counter(sentence.label for sentence in sentences)
        return ArticleResult(id=id, sentences=sentences, counts={lb: counts[lb] for lb in labels})

    @info_app.get("/model", response_model=ModelInfo, summary="The model being served")
    async def model(self) -> ModelInfo:
        return ModelInfo(**await self.classifier.to_async.describe())


Warlens.add_asgi_middleware(ErrorDetail)
Warlens.add_asgi_middleware(BearerAuth, api_key=os.environ.get("WARLENS_API_KEY") or None)
