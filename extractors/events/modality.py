"""Events stage: what a frame asserts: its tense, modality (asserted, reported, planned,
hypothetical), negation, and who reports it (a speaker of a quote or a reporting verb)."""

from __future__ import annotations

import numpy
from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from extractors.events.arguments import (
    REQUESTEE_PREPS,
    _controller,
    _is_infinitive,
    _own_subject,
    _prep_object,
)
from extractors.lexicons import words
from extractors.nlp import (
    children,
    doc_tokens,
    isin_sorted,
    sent_of,
)
from extractors.nlp import head as head_of
from extractors.syntax import FUTURE_AUX, REQUEST_LEMMAS

REPORTING_LEMMAS = words("events", "reporting_lemmas")


PLANNING_LEMMAS = words("events", "planning_lemmas")


HYPOTHETICAL_AUX = frozenset({"would", "could", "might", "may", "should", "can", "ca"})


HYPOTHETICAL_MARKS = frozenset({"if", "unless", "whether"})


DENIAL_LEMMAS = frozenset({"deny", "refuse", "reject", "fail", "decline"})


def _tense(verb: Token, depth: int = 0) -> str:
    auxes = [c for c in children(verb) if c.dep_ in {"aux", "auxpass"}]
    if any(a.lower_ in FUTURE_AUX for a in auxes):
        return "future"
    if any(a.lower_ == "going" for a in auxes) or (
        verb.dep_ == "xcomp" and head_of(verb).lower_ == "going"
    ):
        return "future"
    if _is_infinitive(verb) and depth < 4 and head_of(verb).pos_ in {"VERB", "AUX"}:
        # "plans to visit" lies ahead; "drove Trump to declare" happened when the driving did.
        if head_of(verb).lemma_ in PLANNING_LEMMAS or is_request(verb):
            return "future"
        return _tense(head_of(verb), depth + 1)
    if verb.tag_ in {"VBD", "VBN"} or any(a.tag_ in {"VBD"} for a in auxes):
        return "past"
    if any(a.lemma_ == "have" for a in auxes):
        return "past"
    if verb.tag_ == "VBG" and depth < 4 and verb.dep_ in {"xcomp", "pcomp", "advcl", "conj"}:
        return (
            _tense(head_of(verb), depth + 1) if head_of(verb).pos_ in {"VERB", "AUX"} else "present"
        )
    return "present"


def _reporting_head(verb: Token) -> Token | None:
    """The saying verb a clause is reported under ("X said [that Y will do Z]"), if any.

    Everything in the complement of a saying verb is reported, however deep ("X said Y
    hopes to help deal with it"), so the walk goes up through any relation; the nearest
    saying verb wins.
    """
    token = verb
    for _ in range(12):
        head = head_of(token)
        if head.i == token.i:
            break
        if token.dep_ in {"ccomp", "parataxis"} and head.lemma_ in REPORTING_LEMMAS:
            return head
        if head.pos_ in {"VERB", "AUX"} and head.lemma_ in REPORTING_LEMMAS:
            break  # a subject or adjunct of a saying verb is not what was said
        token = head
    # “..., ” Mr. Blinken said: the quote's verb heads the sentence, the saying hangs off it.
    for child in children(verb):
        if child.dep_ == "parataxis" and child.lemma_ in REPORTING_LEMMAS:
            return child
    return None


_QUOTE_MARKS = {get_string_id(mark): mark for mark in ("“", "‘‘", "``", '"', "”", "''")}


_QUOTE_IDS = numpy.array(sorted(_QUOTE_MARKS), dtype="uint64")


def quote_reporters(doc: Doc) -> dict[int, Token]:
    """Token index inside a quotation -> the saying verb it is attributed to.

    A quotation belongs to the saying verb outside it in the sentence where it ends (“...,”
    she said) or starts (she said: “...”); a quotation with none continues the previous
    one's speaker when it follows in the next sentence.
    """
    spans: list[tuple[int, int]] = []
    opened: int | None = None
    # Only quotation marks change the state below: find them in the token array.
    orths = doc.to_array(ORTH) if len(doc) else numpy.zeros(0, dtype="uint64")
    for i in numpy.flatnonzero(isin_sorted(orths, _QUOTE_IDS)).tolist():
        text = _QUOTE_MARKS[int(orths[i])]
        if text in {"“", "‘‘", "``"} or (text == '"' and opened is None):
            opened = i
        elif text in {"”", "''"} or (text == '"' and opened is not None):
            if opened is not None and i - opened > 2:
                spans.append((opened, i))
            opened = None
    out: dict[int, Token] = {}
    previous: tuple[int, Token] | None = None  # (sentence end token, saying verb)
    tokens = doc_tokens(doc)
    for open_i, close_i in spans:
        first, last = sent_of(tokens[open_i]), sent_of(tokens[close_i])
        outside = [
            t
            for t in [*tokens[last.start : last.end], *tokens[first.start : first.end]]
            if not open_i <= t.i <= close_i
            and t.pos_ == "VERB"
            and t.lemma_ in REPORTING_LEMMAS
            and _own_subject(t)[0] is not None
        ]
        after = [t for t in outside if t.i > close_i]
        verb = after[0] if after else (outside[-1] if outside else None)
        if verb is None and previous is not None and open_i - previous[0] <= 2:
            verb = previous[1]
        if verb is None:
            previous = None
            continue
        for i in range(open_i + 1, close_i):
            out[i] = verb
        previous = (max(last.end, close_i + 1), verb)
    return out


def _reporter(verb: Token, quotes: dict[int, Token] | None = None) -> Token | None:
    """Who reports the clause: the subject of its saying verb, or "according to X"."""
    for child in children(verb):
        if child.dep_ == "prep" and child.lower_ == "according":
            to = next((c for c in children(child) if c.lower_ == "to"), None)
            pobj = next((c for c in (children(to) if to else []) if c.dep_ == "pobj"), None)
            if pobj is not None:
                return pobj
    head = _reporting_head(verb)
    if head is None and quotes and verb.lemma_ not in REPORTING_LEMMAS:
        head = quotes.get(verb.i)
    if head is None or head.i == verb.i:
        return None
    subject, _ = _own_subject(head)
    return subject if subject is not None else _controller(head)


def _modality(verb: Token, quotes: dict[int, Token] | None = None) -> str:
    auxes = [c for c in children(verb) if c.dep_ in {"aux", "auxpass"}]
    marks = {c.lower_ for c in children(verb) if c.dep_ == "mark"}
    if marks & HYPOTHETICAL_MARKS or any(a.lower_ in HYPOTHETICAL_AUX for a in auxes):
        return "hypothetical"
    # Reported speech wins over tense: "X said Y will visit" is X's claim about a plan.
    if _reporter(verb, quotes) is not None:
        return "reported"
    if any(a.lower_ in FUTURE_AUX for a in auxes):
        return "planned"
    token = verb
    for _ in range(4):
        if token.dep_ not in {"xcomp", "conj"} or head_of(token).i == token.i:
            break
        if token.dep_ == "xcomp" and head_of(token).lemma_ in PLANNING_LEMMAS:
            return "planned"
        if is_request(token):
            return "planned"  # asked for, not done: "urged them to release the detainees"
        token = head_of(token)
    return "asserted"


def is_request(verb: Token) -> bool:
    """Whether the verb is the to-infinitive of a request: "urged X to go", "called on X
    to go" (a "call" needs whom it is made of: "called to say" is a phone call)."""
    head = head_of(verb)
    if verb.dep_ not in {"xcomp", "advcl"} or head.i == verb.i or not _is_infinitive(verb):
        return False
    if head.lemma_ not in REQUEST_LEMMAS:
        return False
    return head.lemma_ != "call" or _prep_object(head, REQUESTEE_PREPS) is not None


def _negated(verb: Token) -> bool:
    if any(c.dep_ == "neg" for c in children(verb)):
        return True
    # "denied attacking", "refused to meet": the embedded event did not happen as asserted.
    return verb.dep_ in {"xcomp", "ccomp", "pcomp"} and head_of(verb).lemma_ in DENIAL_LEMMAS
