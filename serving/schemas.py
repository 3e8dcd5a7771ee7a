"""Typed request and response models of the HTTP API; they drive validation and /docs.json.

Request types carry the size limits, so they are built from a `Limits` when the service starts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from serving.limits import Limits


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


def sentence_list_type(limits: Limits) -> object:
    """The `/classify` request body: 1 to ``max_sentences`` non-blank sentences, each a string or
    an object with the sentence and its neighbours."""
    sentence = Annotated[
        str,
        StringConstraints(strict=True, min_length=1, max_length=limits.max_sentence_chars),
        AfterValidator(_not_blank),
        Field(description=f"One sentence, 1 to {limits.max_sentence_chars} characters."),
    ]
    neighbour = Annotated[
        str,
        StringConstraints(strict=True, max_length=limits.max_sentence_chars),
        Field(description="A neighbouring sentence of the article; empty when there is none."),
    ]

    class Context(BaseModel):
        """The sentences around one sentence in its article."""

        model_config = ConfigDict(extra="forbid")
        previous: neighbour = ""
        next: neighbour = ""

    class SentenceInContext(BaseModel):
        """A sentence with the sentences around it: a model trained with context reads them (a
        line of a captive's account is testimony because of its neighbours); others ignore them."""

        model_config = ConfigDict(extra="forbid")
        text: sentence
        context: Context = Field(default_factory=Context)

    # A plain string is read as {"text": string}, so every item is validated by one model and an
    # error names one field: "sentences.0.text: ...", "sentences.0.context.next: ...".
    item = Annotated[
        SentenceInContext,
        BeforeValidator(lambda value: value if isinstance(value, dict | BaseModel) else {"text": value},
                        json_schema_input_type=sentence | SentenceInContext),
    ]
    return Annotated[
        list[item],
        Field(
            min_length=1,
            max_length=limits.max_sentences,
            description=f"1 to {limits.max_sentences} sentences, labelled in order: each a string, "
                        "or {text, context: {previous, next}} to pass its neighbours.",
            examples=[["Two missiles hit a fuel depot near Kharkiv overnight, officials said.",
                       {"text": "I remember hearing gunfire and everybody running.",
                        "context": {"previous": "He was held for eleven months in a basement.",
                                    "next": "The guards never told them where they were."}}]],
        ),
    ]


def article_text_type(limits: Limits) -> object:
    """The `/classify_article` text: non-blank, up to ``max_article_chars``."""
    return Annotated[
        str,
        StringConstraints(strict=True, min_length=1, max_length=limits.max_article_chars),
        AfterValidator(_not_blank),
        Field(description=f"Article text, up to {limits.max_article_chars} characters."),
    ]


def explain_sentence_type(limits: Limits) -> object:
    """The `/explain` sentence: non-blank, up to ``max_sentence_chars``."""
    return Annotated[
        str,
        StringConstraints(strict=True, min_length=1, max_length=limits.max_sentence_chars),
        AfterValidator(_not_blank),
        Field(description=f"One sentence, 1 to {limits.max_sentence_chars} characters.",
              examples=["Two missiles hit a fuel depot near Kharkiv overnight, officials said."]),
    ]


def label_name_type(labels: list[str]) -> object:
    """One of the served model's labels, or null for the predicted one."""
    return Annotated[Literal[tuple(labels)] | None, Field(
        description="The label to explain; null or absent: the predicted label.")]


class SentenceLabel(BaseModel):
    label: str = Field(description="The most probable label.")
    score: float = Field(ge=0, le=1, description="Probability of that label.")
    scores: dict[str, float] = Field(description="Probability of every label.")


class ArticleSentence(SentenceLabel):
    start: int = Field(ge=0, description="Offset of the first character in the article text.")
    end: int = Field(ge=0, description="Offset one past the last character.")
    text: str = Field(description="The sentence, equal to text[start:end].")


class ArticleResult(BaseModel):
    id: str = Field("", description="The id sent with the article; empty when none was sent.")
    sentences: list[ArticleSentence] = Field(description="Sentences in reading order.")
    counts: dict[str, int] = Field(description="Number of sentences per label.")


class WordAttribution(BaseModel):
    text: str = Field(description="The word, equal to sentence[start:end].")
    start: int = Field(ge=0, description="Offset of the word's first character in the sentence.")
    end: int = Field(ge=0, description="Offset one past its last character.")
    score: float = Field(ge=-1, le=1, description="The word's part in the label (integrated-gradients: "
                         "its share of the label's logit; occlusion: how far its probability falls "
                         "without the word), divided by the largest absolute one: 1 the strongest "
                         "support, below 0 against.")


class Explanation(BaseModel):
    label: str = Field(description="The label explained.")
    probability: float = Field(ge=0, le=1, description="The sentence's probability of that label.")
    predicted: str = Field(description="The label the model predicts for the sentence.")
    method: str = Field(description="integrated-gradients or occlusion.")
    words: list[WordAttribution] = Field(description="Every word of the sentence, in order.")
    top_words: list[str] = Field(description="Up to five words that most support the label, strongest "
                                             "first: the explanation without colour.")


class ModelInfo(BaseModel):
    tag: str = Field(description="Model-store tag (or directory) being served.")
    labels: list[str] = Field(description="Labels, in the model's output order.")
    base_model: str | None = Field(None, description="Encoder the classifier was fine-tuned from.")
    experiment: str | None = Field(None, description="Config name that trained it.")
    metrics: dict = Field(description="Validation and test metrics recorded at training time.")
    backend: str = Field(description="Inference backend: onnx-int8, onnx or torch.")
    temperature: float = Field(description="Softmax temperature applied to the logits.")
    context_words: int | None = Field(
        None, description="Words of each neighbour the model reads as context; null: it reads "
                          "sentences alone and ignores any context sent.")
    int8_recheck_below: float = Field(
        description="onnx-int8 only: sentences whose int8 top probability is under this are "
                    "re-scored by the fp32 graph (0: never).")


MAX_REVIEW_DECISIONS = 20_000


class ReviewDecision(BaseModel):
    """One decision of the review view: the queue item it was made on, plus the label chosen."""

    model_config = ConfigDict(extra="allow")

    article_id: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1, max_length=20_000)
    decision: str = Field(min_length=1, max_length=64, description="A label, or 'skip'.")
    decided_at: str | None = Field(None, max_length=64)


class ReviewStatus(BaseModel):
    writable: bool = Field(description="Whether decisions are saved on the server as well.")


class ReviewSaved(BaseModel):
    saved: int = Field(description="Decisions now in the server's file for this queue.")
    file: str = Field(description="File name inside the review folder.")
