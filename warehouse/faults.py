"""Load stage: test-only fault injection, the crash points of the crash-safety tests.

`EVENT_ETL_FAULT=<point>` or `<point>@<n>` makes the process SIGKILL itself the n-th time
(default: the first) it passes `checkpoint(<point>)`. The variable is read once, when this
module is imported; it is for tests/faults only and must never be set in production.

Points: `batch:extracted` (a batch parsed, not yet staged), `stage:<table>` (a batch's table
staged), `commit:prepared` (rewrites staged, no manifest), `commit:manifest` (manifest
written, nothing moved), `commit:delete` (after a file emptied by replaced keys was deleted),
`commit:move` (after a file moved into place), `load:<table>` (inside the DuckDB transaction,
after a table's rows went in), `load:before_commit`.

Compaction: `compact:staged` (a merged file staged), `compact:prepared` (a table's merged
files staged, no manifest), `compact:manifest` (manifest written, nothing changed),
`compact:delete` (after a source file was deleted), `compact:move` (after a merged file
moved into place).
"""

from __future__ import annotations

import os
import signal
from collections import Counter

ENV = "EVENT_ETL_FAULT"
_SPEC = os.environ.get(ENV, "")
_POINT, _, _NTH = _SPEC.partition("@")
_TARGET = int(_NTH) if _NTH else 1
_passed: Counter[str] = Counter()


def checkpoint(point: str) -> None:
    """Crash here (SIGKILL, no cleanup) when the fault variable names this point."""
    if not _POINT or point != _POINT:
        return
    _passed[point] += 1
    if _passed[point] == _TARGET:
        os.kill(os.getpid(), signal.SIGKILL)
