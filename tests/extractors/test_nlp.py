"""The spaCy pipeline's own component: sentence starts after line breaks, on hand-built Docs."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from extractors.nlp import paragraph_boundaries

VOCAB = spacy.blank("en").vocab  # lexical attributes (is_space) without a model


def _doc(words: list[str]) -> Doc:
    return Doc(VOCAB, words=words, spaces=[False] * len(words))


@pytest.mark.parametrize(
    ("words", "starts"),
    [
        ([], []),
        (["\n"], []),
        (["Rain", "fell", "."], []),
        (["Rain", "fell", ".", "\n\n", "Then", "sun", "."], [4]),
        (["Rain", " ", "fell", "\n", "hard"], [4]),
        (["\n", "Rain", "\n", "\n", "fell", " \n ", "hard", "\n"], [1, 3, 4, 6]),
        (["Rain", "  ", "fell", "\t", "hard"], []),
    ],
)
def test_a_line_break_starts_the_next_sentence(words, starts):
    doc = paragraph_boundaries(_doc(words))
    assert [t.i for t in doc if t.is_sent_start and t.i > 0] == starts
    # Tokens after other whitespace are left for the parser to decide.
    assert all(doc[i].is_sent_start is None for i in range(1, len(doc)) if i not in starts)
