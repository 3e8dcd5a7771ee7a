"""The warlens HTTP service: `bentoml serve serving.service:Warlens`.

One service, one model per worker. `/classify` is batchable, so BentoML's adaptive batching
merges the sentences of concurrent requests into one model call inside the worker; articles
are segmented and labelled in one length-sorted call of their own.

This module is the service process's entry point, so it reads the settings (the environment)
once, here: the request types carry the limits, and BentoML reads them when the class is made.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Literal

import bentoml
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from inference.artifact import open_artifact
from inference.context import neighbour_context
from inference.explain import DEFAULT_METHOD, METHODS, Explainer
from inference.segment import segment
from serving.auth import BearerAuth
from serving.errors import ErrorDetail
from serving.limits import Limits
from serving.metrics import record
from serving.schemas import (
    MAX_REVIEW_DECISIONS,
    ArticleResult,
    ArticleSentence,
    Explanation,
    ModelInfo,
    ReviewDecision,
    ReviewSaved,
    ReviewStatus,
    SentenceLabel,
    article_text_type,
    explain_sentence_type,
    label_name_type,
    sentence_list_type,
)
from warlens.settings import load_settings

# Batches of up to 64 sentences keep the int8 GEMMs efficient. BentoML's dispatcher learns how
# long to wait for batch-mates by itself; max_latency_ms is the bound past which it sheds load
# with 503s, so it must sit well above a full batch's time: at 20 ms it refused most requests
# from concurrency 8 up (docs/benchmarks.md).
MAX_BATCH_SIZE = 64
MAX_LATENCY_MS = 10_000
TRAFFIC = {"timeout": 120, "max_concurrency": 512}
SETTINGS = load_settings()
LIMITS = Limits(SETTINGS.max_sentences, SETTINGS.max_sentence_chars, SETTINGS.max_article_chars)
SentenceList = sentence_list_type(LIMITS)
ArticleText = article_text_type(LIMITS)
ExplainSentence = explain_sentence_type(LIMITS)
LabelName = label_name_type(open_artifact(SETTINGS.model).labels)
ExplainMethod = Literal[METHODS]


UI_DIR = Path(__file__).parent / "ui"
QUEUE_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
info_app = FastAPI(title="warlens model information", docs_url=None, redoc_url=None, openapi_url=None)
info_app.mount("/ui/static", StaticFiles(directory=UI_DIR), name="ui-static")


@info_app.get("/", include_in_schema=False)
async def home() -> RedirectResponse:
    return RedirectResponse("/ui/")


@info_app.get("/ui/", include_in_schema=False)
async def explorer() -> FileResponse:
    """The article explorer page: everything it needs ships in serving/ui, nothing external."""
    return FileResponse(UI_DIR / "index.html")


@info_app.get("/ui/review", include_in_schema=False)
async def review_view() -> FileResponse:
    """The review view: label a queue of sentences with one key each (serving/ui/review.js)."""
    return FileResponse(UI_DIR / "review.html")


# The review endpoints serve the review view only, so they stay out of the OpenAPI document
# (and of the schema fuzzing over it); tests/serving/test_review_ui.py covers them over HTTP.
@info_app.get("/review/status", response_model=ReviewStatus, include_in_schema=False)
async def review_status() -> ReviewStatus:
    return ReviewStatus(writable=SETTINGS.review_dir is not None)


@info_app.put("/review/decisions/{queue}", response_model=ReviewSaved, include_in_schema=False)
async def save_review(queue: str, decisions: list[ReviewDecision]) -> ReviewSaved | JSONResponse:
    """Replace the server's decisions file of ``queue`` with the page's current list (undo
    included), written atomically into $WARLENS_REVIEW_DIR."""
    if SETTINGS.review_dir is None:
        return JSONResponse({"error": "this service has no review folder: set WARLENS_REVIEW_DIR"}, 409)
    if not QUEUE_NAME.fullmatch(queue):
        return JSONResponse({"error": "queue name: 1-100 letters, digits, '.', '_' or '-'"}, 400)
    if len(decisions) > MAX_REVIEW_DECISIONS:
        return JSONResponse({"error": f"at most {MAX_REVIEW_DECISIONS} decisions per queue"}, 400)
    name = f"{queue}.decisions.jsonl"
    body = "".join(json.dumps(d.model_dump(mode="json"), ensure_ascii=False) + "\n" for d in decisions)
    SETTINGS.review_dir.mkdir(parents=True, exist_ok=True)
    partial = SETTINGS.review_dir / (name + ".tmp")
    partial.write_text(body, encoding="utf-8")
    partial.replace(SETTINGS.review_dir / name)
    return ReviewSaved(saved=len(decisions), file=name)


@info_app.get("/docs", include_in_schema=False)
async def swagger_ui() -> FileResponse:
    """BentoML's bundled Swagger UI, moved here because / now leads to the explorer."""
    return FileResponse(UI_DIR / "docs.html")


@bentoml.service(name="warlens", traffic=TRAFFIC, http={"port": 3000})
@bentoml.asgi_app(info_app, path="/")
class Warlens:
    """Label sentences and whole articles."""

    # Declared so that `bentoml build` packs the stored model into the bento; a model
    # directory (WARLENS_MODEL=/path) is served as it is and is not packed.
    if not Path(SETTINGS.model).is_dir():
        model = bentoml.models.BentoModel(SETTINGS.model)

    def __init__(self) -> None:
        self.predictor = SETTINGS.load_predictor()
        self.explainer = Explainer(self.predictor)

    @bentoml.api(batchable=True, max_batch_size=MAX_BATCH_SIZE, max_latency_ms=MAX_LATENCY_MS)
    def classify(self, sentences: SentenceList) -> list[SentenceLabel]:
        """Label each sentence; results come back in the order sent.

        Adaptive batching merges the sentences of concurrent requests into one model call.
        """
        # Validated requests hold SentenceInContext items; in-process callers may pass strings.
        texts = [item if isinstance(item, str) else item.text for item in sentences]
        words, contexts = self.predictor.context_words, None
        if words:
            contexts = ["" if isinstance(item, str) else
                        neighbour_context(item.context.previous, item.context.next, words)
                        for item in sentences]
        predictions = self.predictor.predict(texts, contexts)
        record(predictions, SETTINGS.int8_recheck_below)
        return [SentenceLabel(**asdict(p)) for p in predictions]

    @bentoml.api
    async def classify_article(self, text: ArticleText, id: str = "") -> ArticleResult:
        """Split an article into sentences (with character offsets) and label each one."""
        spans = segment(text)
        units = [span.text for span in spans]
        predictions = await asyncio.to_thread(self.predictor.predict, units,
                                              self.predictor.article_contexts(units))
        record(predictions, SETTINGS.int8_recheck_below)
        sentences = [
            ArticleSentence(start=span.start, end=span.end, text=span.text, **asdict(prediction))
            for span, prediction in zip(spans, predictions, strict=True)
        ]
        counts = Counter(sentence.label for sentence in sentences)
        return ArticleResult(id=id, sentences=sentences,
                             counts={label: counts[label] for label in self.predictor.labels})

    @bentoml.api
    async def explain(self, sentence: ExplainSentence, label: LabelName = None,
                      method: ExplainMethod = DEFAULT_METHOD) -> Explanation:
        """Why the sentence gets a label: a score per word (docs/explanations.md).

        integrated-gradients (the default) runs captum on the torch weights; occlusion scores the
        sentence with each word left out on the served backend, about 12x faster and less
        faithful on deletion curves.
        """
        result = await asyncio.to_thread(self.explainer.explain, sentence, label, method)
        return Explanation(**asdict(result), top_words=[w.text for w in result.top_words()])

    @info_app.get("/model", response_model=ModelInfo, summary="The model being served")
    async def model_info(self) -> ModelInfo:
        return ModelInfo(**self.predictor.describe())


Warlens.add_asgi_middleware(ErrorDetail)
Warlens.add_asgi_middleware(
    BearerAuth, api_key=SETTINGS.api_key.get_secret_value() if SETTINGS.api_key else None)
