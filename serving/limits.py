"""Request limits of the HTTP API, taken from the settings when the service starts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_sentences: int = 256
    max_sentence_chars: int = 2000
    max_article_chars: int = 100_000
