"""The spaCy pipeline's own component (sentence starts after line breaks) and the per-Doc
tree caches, on hand-built Docs."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from extractors.nlp import children, head, paragraph_boundaries

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


@pytest.mark.parametrize(
    ("words", "heads"),
    [
        ([], []),
        (["Rain"], [0]),
        # "Police said the army shelled the town": heads left and right, two levels deep.
        (["Police", "said", "the", "army", "shelled", "the", "town"], [1, 1, 3, 4, 1, 6, 4]),
        # Two sentences, each with its own root.
        (["Rain", "fell", ".", "Sun", "shone", "."], [1, 1, 1, 4, 4, 4]),
    ],
)
def test_cached_children_and_heads_are_spacys(words, heads):
    doc = Doc(
        VOCAB, words=words, spaces=[True] * len(words), heads=heads, deps=["dep"] * len(words)
    )
    for token in doc:
        assert [c.i for c in children(token)] == [c.i for c in token.children]
        assert head(token).i == token.head.i
