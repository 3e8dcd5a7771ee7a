"""Split article text into sentences with character offsets (blingfire, then quote repair).

blingfire is the fastest accurate splitter measured here (about 50,000 sentences/s, exact on
"Lt. Col.", "U.S.", "No. 3", "1.5 million"); it does split inside multi-sentence quotations,
so pieces that leave a quotation open are merged with what follows, and so is a piece that
opens in lower case ('"Where would I go?" said Nina.') or a short attribution after a quoted
question ('"Where would I go?" Nina said.').

blingfire also keeps boundaries together that news text has often: before a live-blog time
stamp ("... said. 10:05 — Jalalabad fell", also after a quotation or "a.m."), before a dotted
abbreviation ("... said. U.N. peacekeepers") and after "in." ("... move in. Troops"). Those are
split when the word before the full stop is not an abbreviation, so "No. 3", "Jan. 12" and
"Lt. Col." stay whole. A piece that opens with a dash, or a photo credit ("Photo: ..."), joins
the sentence before it; a bare paragraph number or title ("41.", "Dr.") joins the one after.

Raw archive text puts headlines, bylines, captions, "Read more" lines and live-blog time
stamps on lines of their own, and blingfire reads through single line breaks. A line break
therefore ends a unit, unless it looks like a hard wrap inside a sentence: the line before
ends in a letter, digit or comma and the next one opens in lower case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import blingfire

OPENING_QUOTES = "\u201c"
CLOSING_QUOTES = "\u201d"
DASHES = "\u2014\u2013"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


# Where a sentence can end before a live-blog time stamp: after a word or number ("said.",
# "on X.", "Oct. 7."), after a closing quotation ('"apostate officials".') or after "a.m."/"p.m.".
_END_BEFORE_STAMP = (
    r"(?:(?<=[A-Za-z0-9%)\s][A-Za-z0-9%)][.!?])|(?<=[A-Za-z0-9%)][\"\u201d\u2019'][.!?])"
    r"|(?<=\b[ap]\.m\.))"
)
_MISSED_BOUNDARY = re.compile(
    _END_BEFORE_STAMP + r"([\"\u201d\u2019']?)\s+(?=\d{1,2}[:.]\d{2}\b)"
    r"|(?<=[a-z0-9%)]{2}[.!?])([\"\u201d\u2019']?)\s+(?=[A-Z]\.[A-Z]\.)"
    # blingfire reads "in." as the inch abbreviation: "... move in. Government troops".
    r"|(?<=\sin\.)()\s+(?=[A-Z][a-z])"
)


# Words that end with a full stop without ending a sentence, before a number.
_ABBREVIATIONS = frozenset(
    "no nos nr art st lt col gen maj capt sgt mr mrs ms dr prof vol p pp fig "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_LAST_WORD = re.compile(r"(\w+)[.!?][\"\u201d\u2019']?$")
# A closing quotation that ends in ? or !, then a short attribution that opens with a name:
# '"What else can I do?" Mahmoud said.' is one sentence.
_QUESTION_QUOTE_END = re.compile(r"[?!][\"\u201d\u2019']$")
_ATTRIBUTION = re.compile(
    r"^(?!(?:He|She|They|It|We|I|You)\b)(?:[A-Z][\w'\u2019.-]*\s+){1,4}"
    r"(?:said|says|asked|added|recalled|replied|shouted|wrote|told)"
    r"(?:\s+[\w'\u2019-]+){0,3}\.$"
)


# "Photo: Name", "Photograph: Agency/Name", "Credit: ...": the end of a caption, not a sentence.
_CREDIT = re.compile(r"(?:Photo(?:graph)?|Picture|Image|Credit)s?\s*:", re.IGNORECASE)
# A piece that only opens the sentence after it: a paragraph number ("41.") or a title
# ("Dr.", "Gen.") that blingfire cut off at the start of a line.
_OPENER = re.compile(r"(?:\d{1,3}|[A-Z][A-Za-z]{0,3})\.")
# A line break inside a sentence (a hard wrap): a letter, digit or comma, then lower case.
_WRAPPED = re.compile(r"(?<=[\w,])[ \t]*\n[ \t]*(?=[a-z])")


def units(text: str) -> list[tuple[int, int]]:
    r"""Character ranges of the lines of ``text`` that are units of their own, hard wraps kept
    together: ``"Title\nA b\nc."`` -> ``[(0, 5), (6, 12)]``."""
    wrapped = {match.start() + match.group().index("\n") for match in _WRAPPED.finditer(text)}
    ranges, start = [], 0
    for newline in re.finditer("\n", text):
        if newline.start() not in wrapped:
            ranges.append((start, newline.start()))
            start = newline.end()
    ranges.append((start, len(text)))
    return [(a, b) for a, b in ranges if text[a:b].strip()]


def _split_missed(start: int, end: int, text: str) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` at the boundaries blingfire keeps together."""
    pieces, cursor = [], start
    for match in _MISSED_BOUNDARY.finditer(text, start, end):
        quote = match.lastindex  # each alternative has one group: the optional closing quote
        word = _LAST_WORD.search(text, cursor, match.end(quote))
        if word and word.group(1).lower() in _ABBREVIATIONS:
            continue
        pieces.append((cursor, match.end(quote)))
        cursor = match.end()
    pieces.append((cursor, end))
    return pieces


def _quote_open(text: str) -> bool:
    """True when ``text`` leaves a double quotation open: odd straight quotes or more “ than ”."""
    curly_open = sum(text.count(c) for c in OPENING_QUOTES)
    curly_close = sum(text.count(c) for c in CLOSING_QUOTES)
    return text.count('"') % 2 == 1 or curly_open > curly_close


def _continues(previous: str, piece: str) -> bool:
    """True when ``piece`` cannot open a sentence and belongs to the one before it.

    A sentence never opens in lower case ('"Where would I go?" said Nina.') or with a dash
    ("7:40 a.m. — About 1,200 soldiers ..."), a photo credit closes its caption, and a bare
    attribution after a quoted question belongs to it ('"...?" Nina said.').
    """
    if piece[:1].islower() or piece[:1] in DASHES or _CREDIT.match(piece):
        return True
    return bool(_QUESTION_QUOTE_END.search(previous) and _ATTRIBUTION.match(piece))


def segment(text: str) -> list[Span]:
    """Sentences of ``text`` with offsets such that ``text[span.start:span.end] == span.text``.

    >>> [s.text for s in segment('"We hold. They cannot pass," he said. Done.')]
    ['"We hold. They cannot pass," he said.', 'Done.']
    """
    spans: list[Span] = []
    for start, end in units(text):
        spans.extend(_segment_unit(text, start, end))
    return spans


def _segment_unit(text: str, unit_start: int, unit_end: int) -> list[Span]:
    """The sentences of ``text[unit_start:unit_end]``, one line (or wrapped paragraph)."""
    _, coarse = blingfire.text_to_sentences_and_offsets(text[unit_start:unit_end])
    offsets = [piece for start, end in coarse
               for piece in _split_missed(unit_start + start, unit_start + end, text)]
    spans: list[Span] = []
    pending_start: int | None = None
    for index, (start, end) in enumerate(offsets):
        if pending_start is not None:
            start = pending_start
        piece = text[start:end]
        if (_quote_open(piece) or _OPENER.fullmatch(piece)) and index < len(offsets) - 1:
            pending_start = start
            continue
        pending_start = None
        if spans and _continues(spans[-1].text, piece):
            start = spans.pop().start
            piece = text[start:end]
        spans.append(Span(start, end, piece))
    return spans
