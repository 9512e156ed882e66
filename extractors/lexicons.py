"""All stages: the word lists of configs/lexicons/, read once each and handed out frozen.

Rules read words as data, never as literals in code: `words("places", "site_nouns")` is the
`site_nouns` list of configs/lexicons/places.toml.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources


@functools.cache
def _lexicon(name: str) -> dict[str, frozenset[str]]:
    text = resources.files("configs").joinpath("lexicons", f"{name}.toml").read_text("utf-8")
    return {key: frozenset(values) for key, values in tomllib.loads(text).items()}


def words(lexicon: str, key: str) -> frozenset[str]:
    """The word list `key` of configs/lexicons/<lexicon>.toml.

    Raises:
        KeyError: the lexicon has no such list (a bug: the lists ship with the package).
    """
    try:
        return _lexicon(lexicon)[key]
    except KeyError:
        raise KeyError(f"configs/lexicons/{lexicon}.toml has no list {key!r}") from None
