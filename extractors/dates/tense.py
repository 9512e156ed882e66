"""Dates stage: the tense of the verb that governs a time expression, which says which way a
relative date points ("Friday" after "will meet" is the coming one).
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from extractors.lexicons import words
from extractors.syntax import FUTURE_AUX, REQUEST_LEMMAS

# A date under a modal points forward even where the event itself is only hypothetical
# ("would meet on Friday" is the coming Friday): a date's direction is not its modality.
_FUTURE_AUX = FUTURE_AUX | {"ll", "would", "may", "might", "should", "must"}


# Words whose to-infinitive looks forward (configs/lexicons/dates.toml), and requests:
# "called on the government to release them by Friday" asks for what is still to happen.
FUTURE_GOVERNORS = words("dates", "future_governors") | REQUEST_LEMMAS


_PRESENT_MODALS = {"can", "ca"}  # "ca" is spaCy's token for the "ca" of "can't"


_PLAN_VERBS = words("dates", "plan_verbs")


def tense_of(span: Span) -> str:
    """Tense of the finite verb that governs a time expression ("past" by default in news).

    Climbs the dependency tree from the span's root; participles and gerunds without an
    auxiliary ("including on Wednesday") defer to the verb above them.
    """
    tok: Token = span.root
    for _ in range(10):
        if tok.pos_ in ("VERB", "AUX") and tok.tag_ != "MD":
            if tok.tag_ == "VBD" and tok.lemma_ in ("plan", "schedule") and span.start > tok.i:
                # "protesters planned a march on Saturday": the date after the plan is the
                # planned event's, still to come ("On Friday, they planned ..." is not).
                return "future"
            tense = _verb_tense(tok)
            if tense is not None:
                return tense
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return "past"


def _verb_tense(verb: Token) -> str | None:
    """past | present | future for one verb, or None when it has no tense of its own."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    lowered = {a.lower_ for a in auxes}
    if lowered & _FUTURE_AUX:
        return "future"
    if lowered & _PRESENT_MODALS:
        # "they can now take part in the summit in April": an ability from now on, so
        # the nearest April, not the last one.
        return "present"
    if "to" in lowered:
        # "plans to meet Friday" looks forward; "the first to accede Friday" does not.
        if verb.head.lemma_ in FUTURE_GOVERNORS or verb.head.lower_ in FUTURE_GOVERNORS:
            # ...unless the plan itself is told in the pluperfect: "the offer had been due
            # to expire Friday" is a deadline already behind the story.
            return "past" if _pluperfect(verb.head) else "future"
        if verb.dep_ == "xcomp" and verb.head.lemma_ == "be" and verb.head.tag_ in ("VBZ", "VBP"):
            # "is to resume trading Tuesday": be + to-infinitive is an arrangement.
            return "future"
        return None
    if verb.lower_ in ("going", "gon") and any(c.dep_ == "xcomp" for c in verb.children):
        return "future"
    tag = verb.tag_
    if tag == "VBD":
        return "past"
    if tag == "VBN":
        if "had" in lowered:
            return "past"  # pluperfect: "had been scheduled for Friday" is over
        if verb.lemma_ in _PLAN_VERBS and lowered:
            return "future"
        if lowered & {"had", "was", "were", "been", "has", "have", "'ve", "'d"}:
            return "past"
        if lowered & {"is", "are", "am", "'s", "'re", "be"}:
            return "present"
        return "past"  # "the decision, announced Wednesday"
    if tag == "VBG":
        if lowered & {"was", "were"}:
            return "past"
        if lowered & {"is", "are", "am", "'s", "'re"}:
            return "future"  # present progressive in news is an arrangement
        return None
    if tag in ("VBZ", "VBP"):
        return "present"
    if tag == "VB":
        if "did" in lowered:
            return "past"
        if lowered & {"do", "does"}:
            return "present"
        return None
    return None


def _pluperfect(tok: Token) -> bool:
    """True when tok (or the copula it complements) carries a "had" auxiliary."""
    for t in (tok, tok.head):
        if any(c.dep_ in ("aux", "auxpass") and c.lower_ == "had" for c in t.children):
            return True
        if t.head.i == t.i:
            break
    return False


def span_pluperfect(span: Span) -> bool:
    """The verb governing span is in the pluperfect ("Until Thursday, they had not ...")."""
    tok: Token = span.root
    for _ in range(10):
        if tok.pos_ in ("VERB", "AUX") and tok.tag_ != "MD":
            return _pluperfect(tok)
        if tok.head.i == tok.i:
            break
        tok = tok.head
    return False
