"""Screenshots of ``tconv explore`` for the README: docs/images/explore*.png.

Runs the explorer on a free localhost port and photographs it with headless
Chromium (Debian's ``chromium`` package, driven by Playwright; no browser
download). Run from the repository root::

    python scripts/explore_screenshots.py [--out docs/images] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import pathlib

from playwright.sync_api import sync_playwright

from tconv.explore.server import BackgroundServer

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

# (file, query, what to photograph: None for the window, else a CSS selector,
#  a cell to focus (it lights its links as hovering does) or None)
SEED = "op=conv_transpose&input=3x3&kernel=3x3&stride=2&padding=1&output_padding=1"
SHOTS = [
    ("explore.png", SEED + "&step=4", None, None),
    ("explore-slide.png", SEED + "&anim=slide&step=8", "#view-slide", None),
    ("explore-hover.png", SEED + "&step=9", "#view-scatter", "#grid-y td[data-r='3'][data-c='2']"),
    ("explore-matrix.png", SEED.replace("input=3x3", "input=2x2") + "&step=1", "#view-matrix",
     None),
    ("explore-checkerboard.png", "op=conv_transpose&input=4x4&kernel=3x3&stride=2&layers=2",
     "#view-checker", None),
    ("explore-code.png", "op=conv_transpose&input=8x8&kernel=3x3&stride=2&padding=same"
     + "&framework=keras", "#view-code", None),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/images", type=pathlib.Path)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with BackgroundServer() as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        for name, query, selector, hover in SHOTS:
            page.goto(server.url + "?" + query)
            page.wait_for_function("document.body.dataset.shown === window.tconvExplore.query()")
            if hover:
                # focus links like the pointer does, and survives the scroll that
                # photographing another card makes
                page.mouse.move(0, 0)
                page.focus(hover)
            path = args.out / name
            if selector is None:
                page.screenshot(path=path)
            else:
                page.locator(selector).screenshot(path=path)
            print(path)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
