"""Headless Chromium (Debian's package, driven by Playwright) opening a report from disk.

Shared by the report's browser tests and bench/report_render.py. Playwright's own browser
download is never used: it launches the system's chromium.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

# The machine's network is closed: without the background-networking flags Chromium's own
# update and sync connections fail at every start (and would count as the page's requests).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Every plotly chart on the page has drawn (plotly sets _fullLayout once it has plotted).
PLOTTED = (
    "() => { const d = [...document.querySelectorAll('.js-plotly-plot')];"
    " return d.length > 0 && d.every(e => e._fullLayout); }"
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing() -> str | None:
    """Why the browser tests cannot run here, or None.

    Raises:
        RuntimeError: where EVENT_ETL_REQUIRE_BROWSER is set (.ci/run) and they cannot run:
            CI must not pass by skipping them.
    """
    reason = None
    if chromium() is None:
        reason = "no chromium on PATH (.ci/run installs Debian's chromium with apt-get)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason and os.environ.get("EVENT_ETL_REQUIRE_BROWSER"):
        raise RuntimeError(f"EVENT_ETL_REQUIRE_BROWSER is set but {reason}")
    return reason


@dataclass
class Rendered:
    seconds: float  # from navigation start until every chart has drawn
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    console: list[str] = field(default_factory=list)  # console errors and page errors
    counts: dict[str, int] = field(default_factory=dict)  # elements per CSS selector
    values: dict[str, object] = field(default_factory=dict)  # JS expressions evaluated


def render(
    page_file: Path,
    selectors: dict[str, str],
    *,
    screenshot: Path | None = None,
    expressions: dict[str, str] | None = None,
    timeout_s: float = 60,
) -> Rendered:
    """Open page_file with networking off; count selectors once every chart has drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=FLAGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            result = Rendered(seconds=0.0)
            page.on("request", lambda r: result.requests.append(r.url))
            page.on(
                "console",
                lambda m: result.console.append(m.text) if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda e: result.console.append(f"page error: {e}"))
            started = time.perf_counter()
            page.goto(page_file.resolve().as_uri(), wait_until="load", timeout=timeout_s * 1000)
            page.wait_for_function(PLOTTED, timeout=timeout_s * 1000)
            result.seconds = time.perf_counter() - started
            result.counts = {name: page.locator(css).count() for name, css in selectors.items()}
            result.values = {k: page.evaluate(js) for k, js in (expressions or {}).items()}
            if screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot), full_page=True)
            return result
        finally:
            browser.close()
