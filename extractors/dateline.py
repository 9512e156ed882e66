"""Ingest stage: the dateline grammar, the patterns of "SEOUL —", "WASHINGTON (AP) —" and
"BEIJING, March 3 (Reuters) --" that every stage reads datelines with.

Three patterns, for three questions: `LEADING_DATELINE` finds the dateline that opens a text
(ingest keeps its place, date and agency); `INLINE_DATELINE` finds one after page furniture
("Photo LONDON -- The peaks ..."), where only a dash-ended capitalized place is trusted;
`DATELINE_HEAD` is the looser reading the place resolver falls back on at the start of a
text when ingest found none.
"""

from __future__ import annotations

import re

# "SEOUL —", "WASHINGTON (AP) —", "BEIJING, March 3 (Reuters) --", "PARIS, France (AFP) -"
LEADING_DATELINE = re.compile(
    r"""\A\s*
    (?P<place>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3}      # upper-case place name
       (?:,\s*[A-Z][A-Za-z.'’]+(?:\ [A-Z][A-Za-z.'’]+){0,2})?)  # optional ", State/Country"
    (?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\ \d{1,2}))?              # optional ", March 3"
    \s*(?:\((?P<agency>[A-Za-z][A-Za-z .&-]{0,30})\))?          # optional "(AP)"
    \s*(?:—|–|--|-|:)\s+""",
    re.VERBOSE,
)

INLINE_DATELINE = re.compile(
    r"(?<![\w-])(?P<place>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3})"
    r"(?:,[ A-Za-z.]{2,30})?\s*(?:\([A-Za-z ]{1,20}\))?\s*(?:--|—|–)\s"
)

DATELINE_HEAD = re.compile(
    r"^\s*([A-Z][A-Z.'’ -]{1,40}[A-Z.](?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?)\s*(?:\([A-Za-z. ]+\))?"
    r"\s*(?:—|–|--|-|:)\s"
)
