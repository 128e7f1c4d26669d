"""Screenshots for review: every page in both languages at 1366 px (desktop) and 400 px (phone), full
page, in Debian's Chromium (Playwright) against the app served on 127.0.0.1 over a warehouse.

    CDS_WAREHOUSE=data/warehouse.duckdb python -m bench.screenshots [--out screenshots] [--period 2025-10]

Writes screenshots/<page>-<lang>-<width>.png (git-ignored) and prints each file; exit 1 when a page shows
a Streamlit exception (its screenshot is still written, to look at)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tests.browser.serving import CHROMIUM, CHROMIUM_ARGS, EXCEPTION, open_page, streamlit_server
from ui.nav import PAGES

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = {1366: 768, 400: 860}
LANGS = ("vi", "en")
MAX_PX = 16_000  # a screenshot's height at most (Chromium's own limit)
HEIGHT_JS = """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stAppScrollToBottomContainer"]',
    '[data-testid="stMainBlockContainer"]'].map(s => document.querySelector(s)?.scrollHeight || 0))"""


def url(base: str, url_path: str, query: str) -> str:
    return f"{base}/{url_path}?{query}"  # every page has its own address, the landing page too


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db", type=Path, default=Path(os.environ.get("CDS_WAREHOUSE", ROOT / "data/warehouse.duckdb"))
    )
    ap.add_argument("--out", type=Path, default=ROOT / "screenshots")
    ap.add_argument("--province", type=int, default=25)
    ap.add_argument("--commune", type=int, default=8380)
    ap.add_argument("--period", default="2025-10")
    ap.add_argument("--pages", default="", help="comma-separated URL paths (default: every page)")
    args = ap.parse_args(argv)
    if not args.db.exists():
        print(f"no warehouse at {args.db}: build one with `make demo` (CDS_WAREHOUSE=...)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    wanted = [p for p in PAGES if not args.pages or p.url_path in args.pages.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    failures = []
    with (
        streamlit_server(args.db.resolve(), args.out / "streamlit.log") as (base, _proc),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for lang in LANGS:
                for width, height in WIDTHS.items():
                    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
                    page = context.new_page()
                    for p in wanted:
                        # The commune pages show the commune; the others the province (a commune highlighted).
                        query = f"province={args.province}&commune={args.commune}&period={args.period}&lang={lang}"
                        open_page(page, url(base, p.url_path, query))
                        # Streamlit scrolls inside its main section, not the document: grow the window to
                        # the page's height so that the screenshot holds the whole page.
                        tall = page.evaluate(HEIGHT_JS) or height
                        page.set_viewport_size(
                            {"width": width, "height": max(height, min(int(tall) + 40, MAX_PX))}
                        )
                        page.wait_for_timeout(2000)  # let plotly redraw at that size (no assert on it)
                        shot = args.out / f"{p.url_path}-{lang}-{width}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        page.set_viewport_size({"width": width, "height": height})
                        print(shot)
                        if page.locator(EXCEPTION).count():
                            failures.append(shot.name)
                    context.close()
        finally:
            browser.close()
    if failures:
        print("exception shown on: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
