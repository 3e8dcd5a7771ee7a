"""Request limits, read once from the environment when the service starts."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r}: expected a positive integer") from None
    if value < 1:
        raise ValueError(f"{name}={raw!r}: expected a positive integer")
    return value


@dataclass(frozen=True)
class Limits:
    max_sentences: int
    max_sentence_chars: int
    max_article_chars: int

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_sentences=_positive_int("WARLENS_MAX_SENTENCES", 256),
            max_sentence_chars=_positive_int("WARLENS_MAX_SENTENCE_CHARS", 2000),
            max_article_chars=_positive_int("WARLENS_MAX_ARTICLE_CHARS", 100_000),
        )


LIMITS = Limits.from_env()
