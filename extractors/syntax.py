"""Parse stage: verb and auxiliary classes that the dates and events stages both read.

Each word list has one home here, so that how a date's direction is read and how an event's
modality is read start from the same words.
"""

from __future__ import annotations

from extractors.lexicons import words

# Auxiliaries of the future tense ("wo" is spaCy's token for the "wo" of "won't").
FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo"})
REQUEST_LEMMAS = words("syntax", "request_lemmas")
