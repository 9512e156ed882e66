"""Time the HTML report as an analyst meets it: `event-etl report`, then headless Chromium.

    .venv/bin/python bench/report_render.py --out DIR [--renders 5]

DIR is a loaded warehouse (e.g. `event-etl run` over the first 1,000 newswire documents).
Prints the file's size, the wall time of the `event-etl report` process, and the time from
opening the file (networking off) until every chart has drawn, per render and as a median.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import browser  # noqa: E402 - the browser tests' own driver

SELECTORS = {
    "map points": "#map .scatterlayer .trace .point",
    "timeline bars": "#timeline .barlayer .point",
    "actor bars": "#actors .barlayer .point",
    "table rows": "table.events tbody tr",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="warehouse directory")
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args()
    reason = browser.missing()
    if reason:
        print(f"cannot render: {reason}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        cli = Path(sys.executable).with_name("event-etl")
        started = time.perf_counter()
        subprocess.run([str(cli), "report", "--out", args.out, "--output", str(page)], check=True)
        written = time.perf_counter() - started
        times, result = [], None
        for _ in range(args.renders):
            result = browser.render(page, SELECTORS)
            times.append(result.seconds)
        assert result is not None
        print(f"file: {page.stat().st_size / 2**20:.2f} MiB")
        print(f"`event-etl report` process: {written:.2f} s")
        print(
            f"render until every chart drew: median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s over {len(times)} ({', '.join(f'{t:.2f}' for t in times)})"
        )
        print("drawn: " + ", ".join(f"{n} {k}" for k, n in result.counts.items()))
        others = [u for u in result.requests if u != page.resolve().as_uri()]
        print(
            f"network requests besides the file: {len(others)}; console errors: "
            f"{len(result.console)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
