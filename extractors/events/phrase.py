"""Events stage: the verb phrase of a predicate (what Giveme5W1H calls "what"), cut at the
clause or list it ends in."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from spacy.tokens import Doc, Token

from extractors.nlp import (
    children,
    doc_sents,
    doc_tokens,
    token_bounds,
)
from extractors.nlp import head as head_of
from extractors.nlp import sentence_of as sentence_index

# Dependents that end the verb phrase: a conjoined verb or clause is an event of its own
# ("died [and 50 were injured]"), and a sentence-level aside follows a dash or a colon.
_PHRASE_ENDS = frozenset({"cc", "conj", "parataxis"})


_PHRASE_EDGES = frozenset({"punct"})


def verb_phrase(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The verb phrase of the predicate at character offsets [start, end) of a parsed
    document, as Giveme5W1H answers "what": the predicate with everything it governs to
    its right (objects, complements, prepositional phrases, subordinate clauses), up to
    the first conjoined verb or clause, which is an event of its own.

    Returns the phrase's character offsets: "have died in a suicide attack on the German
    consulate" for the predicate "have died"; None when no token starts inside [start, end).
    Reads the per-Doc token caches: a few token reads per predicate, no walk of its sentence.
    """
    starts, ends = token_bounds(doc)
    first = bisect.bisect_left(starts, start)
    stop = bisect.bisect_left(starts, end)
    if first >= stop:
        return None
    tokens = doc_tokens(doc)
    inside = tokens[first:stop]
    head = next(
        (t for t in inside if not first <= (h := head_of(t).i) < stop or h == t.i), inside[-1]
    )
    last = stop - 1
    for child in children(head):
        if child.i <= last:
            continue
        if child.dep_ in _PHRASE_ENDS:
            break
        if child.dep_ in _PHRASE_EDGES:
            continue
        last = max(last, child.right_edge.i)
    # The phrase stays in the predicate's sentence and ends on a word, not a line break.
    last = min(last, doc_sents(doc)[sentence_index(doc)[head.i]].end - 1)
    while last > first and _loose_end(tokens, first, last):
        last -= 1
    return starts[first], ends[last]


_OPENERS = {'"': '"', "'": "'", "\u201d": "\u201c", "\u2019": "\u2018", ")": "(", "]": "["}


def _loose_end(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the phrase's last token is a loose end to trim: a line break, punctuation
    (comma, dash, colon, full stop), a conjunction with nothing after it, or a closing quote
    or bracket the phrase did not open."""
    token = tokens[last]
    if token.is_space or token.pos_ == "CCONJ":
        return True
    text = token.text
    opener = _OPENERS.get(text)
    if opener is None:
        return token.is_punct
    opened = sum(t.text.count(opener) for t in tokens[first:last])
    if opener == text:  # the same mark opens and closes: an even count leaves this one open
        return opened % 2 == 0
    closed = sum(t.text.count(text) for t in tokens[first:last])
    return opened <= closed
