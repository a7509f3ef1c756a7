"""tconv explore in a real browser: headless Chromium (Debian's) driven by Playwright.

The tests set parameters through the page's controls, step the animation,
read the numbers off the page and compare them with PyTorch (and
tconv.conv_transpose). The browser is Debian's ``chromium`` package
(``.ci/run`` installs it); without it the tests skip locally but fail in CI
(``CI`` set). Every request the page makes is intercepted: anything not for
the test's own server is refused and recorded, and the module ends by
checking there was none.
"""

from __future__ import annotations

import os
import re
import shutil

import numpy as np
import pytest

import tconv

pytest.importorskip("starlette")
import _torch_ref as ref

torch = ref.torch

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
EXAMPLE = "op=conv_transpose&input=2x2&kernel=2x2&x=55,52,57,50&w=1,2,2,1"


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server():
    from tconv.explore.server import BackgroundServer

    with BackgroundServer() as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Session:
    """One browser context on the server: its page, console errors and outside requests."""

    def __init__(self, browser, server, width=1280, height=900):
        self.server = server
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.outside, self.errors = [], []
        origin = server.url.rstrip("/")

        def route(request_route):
            url = request_route.request.url
            if url == origin or url.startswith(origin + "/"):
                request_route.continue_()
            else:
                self.outside.append(url)
                request_route.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, query: str = ""):
        self.page.goto(self.server.url + ("?" + query if query else ""))
        self.settle()

    def settle(self):
        """Wait until the page shows the answer for its controls' current values."""
        self.page.wait_for_function(
            "window.tconvExplore && document.body.dataset.shown === window.tconvExplore.query()"
            " && !document.body.classList.contains('loading')", timeout=15000)

    def set(self, **controls):
        for name, value in controls.items():
            locator = self.page.locator(f"#{name}")
            if locator.evaluate("e => e.tagName") == "SELECT":
                locator.select_option(str(value))
            else:
                locator.fill(str(value))
        self.settle()

    def grid(self, name: str) -> list[list[str]]:
        return self.page.eval_on_selector_all(
            f"#grid-{name} tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")

    def numbers(self, name: str) -> np.ndarray:
        return np.array([[float(v) for v in row] for row in self.grid(name)])

    def lit(self, name: str, cls: str = "link") -> set:
        cells = self.page.eval_on_selector_all(
            f"#grid-{name} td.{cls}", "cells => cells.map(c => [+c.dataset.r, +c.dataset.c])")
        return {tuple(c) for c in cells}

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def session(browser, server):
    s = Session(browser, server)
    yield s
    s.close()
    assert s.outside == [], f"the page asked for something outside the server: {s.outside}"


@pytest.fixture(autouse=True)
def no_console_errors(request):
    yield
    if "session" in request.fixturenames:
        s = request.getfixturevalue("session")
        errors, s.errors[:] = list(s.errors), []
        assert errors == [], errors


def torch_transpose(x, w, *, stride=1, padding=0, output_padding=0, dilation=1):
    y = torch.nn.functional.conv_transpose2d(
        ref.tensor(x[None, None]), ref.tensor(w[None, None]), stride=stride, padding=padding,
        output_padding=output_padding, dilation=dilation)
    return ref.numpy(y)[0, 0]


# ------------------------------------------------------------------ seed examples

def test_example_link_shows_the_output_as_text(session):
    session.open(EXAMPLE)
    assert session.grid("y") == [["55", "162", "104"], ["167", "323", "152"],
                                 ["114", "157", "50"]]
    text = session.page.inner_text("#grid-y")
    assert re.search(r"55\s+162\s+104\s+167\s+323\s+152\s+114\s+157\s+50", text)


def test_seed_examples_by_clicking(session):
    session.open()
    session.page.click("#reset")
    session.settle()
    x, w = np.array([[55.0, 52], [57, 50]]), np.array([[1.0, 2], [2, 1]])
    session.set(input="2x2", kernel="2x2", x="55,52,57,50", w="1,2,2,1")
    np.testing.assert_array_equal(session.numbers("y"), torch_transpose(x, w))
    session.set(stride="2")
    np.testing.assert_array_equal(session.numbers("y"), torch_transpose(x, w, stride=2))
    w3 = np.arange(1.0, 10).reshape(3, 3)
    session.set(kernel="3x3", w="1,2,3,4,5,6,7,8,9", padding="1", output_padding="1")
    expected = torch_transpose(x, w3, stride=2, padding=1, output_padding=1)
    np.testing.assert_array_equal(session.numbers("y"), expected)
    # output_padding's band: the last row and column are marked as added
    assert session.lit("y", "added") == {(r, c) for r in range(4) for c in range(4)
                                         if r == 3 or c == 3}
    # the URL holds the state: a fresh page at that URL shows the same
    url = session.page.url
    for name in ("input=2x2", "kernel=3x3", "stride=2", "padding=1", "output_padding=1",
                 "x=55,52,57,50", "w=1,2,3,4,5,6,7,8,9"):
        assert name in url
    other = session.context.new_page()
    other.goto(url)
    other.wait_for_function("document.body.dataset.shown === window.tconvExplore.query()")
    assert other.eval_on_selector_all(
        "#grid-y td", "cells => cells.map(c => +c.textContent)") == expected.ravel().tolist()
    other.close()


# ------------------------------------------------------------------ random configurations

def _configurations():
    rng = np.random.default_rng(16)
    for op in ("conv_transpose", "conv_transpose", "conv"):
        size = tuple(int(v) for v in rng.integers(2, 5, size=2))
        kernel = tuple(int(v) for v in rng.integers(1, 4, size=2))
        stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        dilation = tuple(int(v) for v in rng.integers(1, 3, size=2))
        padding = tuple(int(v) for v in rng.integers(0, 2, size=2))
        output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        if op == "conv":
            output_padding = (0, 0)
            size = tuple(max(n, d * (k - 1) + 1) for n, k, d in zip(size, kernel, dilation))
        yield op, size, kernel, stride, dilation, padding, output_padding


@pytest.mark.parametrize("config", list(_configurations()))
def test_random_configurations_through_the_controls(session, config):
    op, size, kernel, stride, dilation, padding, output_padding = config
    axes = lambda values: "x".join(map(str, values))
    session.open()
    session.set(op=op, input=axes(size), kernel=axes(kernel), stride=axes(stride),
                dilation=axes(dilation), padding=axes(padding),
                output_padding=axes(output_padding), fill="random", wfill="random",
                seed="7")
    x, w = session.numbers("x"), session.numbers("w")
    assert x.shape == size and w.shape == kernel
    pads = tuple((p, p) for p in padding)
    xt, wt = ref.tensor(x[None, None]), ref.tensor(w[None, None])
    if op == "conv_transpose":
        expected = ref.numpy(ref.conv_transpose(xt, wt, stride=stride, pads=pads,
                                                output_padding=output_padding,
                                                dilation=dilation, groups=1))[0, 0]
        ours = tconv.conv_transpose(x[None], w[None, None], stride=stride, padding=padding,
                                    output_padding=output_padding, dilation=dilation)[0]
        np.testing.assert_allclose(ours, expected, atol=1e-12)
    else:
        expected = ref.numpy(ref.conv(xt, wt, stride=stride, pads=pads, dilation=dilation,
                                      groups=1))[0, 0]
    np.testing.assert_array_equal(session.numbers("y"), expected)
    if op != "conv_transpose":
        return
    # step the scatter animation: after step k the full output holds the
    # contributions of the first k+1 inputs (row-major); PyTorch on a masked x
    page = session.page
    for k in range(min(3, x.size)):
        mask = (np.arange(x.size) <= k).reshape(x.shape)
        partial = ref.numpy(ref.conv_transpose_full(
            ref.tensor((x * mask)[None, None]), wt, stride=stride, dilation=dilation,
            groups=1))[0, 0]
        running = np.array([[float(v.split("+")[0]) for v in row]
                            for row in session.page.eval_on_selector_all(
                                "#grid-full tr", "rows => rows.map(r => [...r.cells].map("
                                "c => c.firstChild ? c.firstChild.textContent : ''))")])
        np.testing.assert_array_equal(running, partial)
        assert session.lit("x", "now") == {divmod(k, x.shape[1])}
        page.click("#fwd")
    # the last step is the crop
    page.focus("#scrub")
    page.keyboard.press("End")
    assert "Crop" in page.inner_text("#caption")
    # the sliding-window view fills the output cell by cell
    page.check("input[name=anim][value=slide]")
    page.click("#fwd")
    page.click("#fwd")
    shown = session.grid("zout")
    flat = [v for row in shown for v in row]
    assert [float(v) for v in flat[:3]] == expected.ravel()[:3].tolist()
    assert all(v == "" for v in flat[3:])
    assert "slide" in page.url and "step=2" in page.url


# ------------------------------------------------------------------ hover links

def test_hover_links_follow_the_gradient(session):
    session.open("input=3x3&kernel=3&stride=2&padding=1&output_padding=1&wfill=ones")
    x = session.numbers("x")
    xt = ref.tensor(x[None, None], requires_grad=True)
    y = torch.nn.functional.conv_transpose2d(xt, ref.tensor(np.ones((1, 1, 3, 3))), stride=2,
                                             padding=1, output_padding=1)
    for r, c in [(0, 0), (2, 3), (5, 5)]:
        session.page.hover(f"#grid-y td[data-r='{r}'][data-c='{c}']")
        (grad,) = torch.autograd.grad(y[0, 0, r, c], xt, retain_graph=True)
        expected = {tuple(p) for p in np.argwhere(ref.numpy(grad)[0, 0] != 0).tolist()}
        assert session.lit("x") == expected
    # an input cell lights its kernel copy in the full output
    session.page.hover("#grid-x td[data-r='1'][data-c='2']")
    one_hot = np.zeros((1, 1, 3, 3))
    one_hot[0, 0, 1, 2] = 1
    copy = ref.numpy(ref.conv_transpose_full(ref.tensor(one_hot), ref.tensor(np.ones((1, 1, 3, 3))),
                                             stride=(2, 2), dilation=(1, 1), groups=1))[0, 0]
    assert session.lit("full") == {tuple(p) for p in np.argwhere(copy != 0).tolist()}
    # keyboard focus does the same as the pointer
    session.page.mouse.move(0, 0)
    session.page.focus("#grid-y td[data-r='0'][data-c='0']")
    assert session.lit("x") == {(0, 0)}
    # one tab stop per grid; the arrow keys move between its cells
    session.page.keyboard.press("ArrowDown")
    session.page.keyboard.press("ArrowRight")
    session.page.keyboard.press("ArrowRight")
    assert session.lit("y") == {(1, 2)}
    assert session.page.evaluate("document.activeElement.dataset.r + ',' + "
                                 "document.activeElement.dataset.c") == "1,2"
    assert session.lit("x") == {(0, 1), (1, 1)}


# ------------------------------------------------------------------ bad parameters

def test_bad_parameters_show_tconvs_message(session):
    session.open("input=3x3&kernel=3&stride=2")
    session.set(output_padding="2")
    with pytest.raises(ValueError) as info:
        tconv.conv_transpose_output_shape((3, 3), (3, 3), stride=(2, 2), padding=0,
                                          output_padding=(2, 2), dilation=(1, 1))
    assert session.page.inner_text("#err-output_padding") == str(info.value)
    assert session.page.get_attribute("#output_padding", "aria-invalid") == "true"
    assert session.page.locator("#grid-y").count() == 0  # no stale numbers
    session.set(output_padding="1", input="20x20")
    assert "at most 32" in session.page.inner_text("#err-input")
    assert session.page.inner_text("#err-output_padding") == ""
    session.set(input="abc")
    assert "not a size" in session.page.inner_text("#err-input")
    session.set(input="3x3")
    assert session.page.inner_text("#err-input") == ""
    assert session.numbers("y").shape == (8, 8)
    # the 400 answers are logged by Chromium as failed loads; nothing else may be
    session.errors[:] = [e for e in session.errors if "status of 400" not in e]


# ------------------------------------------------------------------ every view

VIEWS = [
    "input=7&kernel=3&stride=2&padding=1&output_padding=1",          # 1-D
    "op=conv&input=5x5&kernel=3&stride=2&padding=same",
    "op=conv&input=9&kernel=3&dilation=2",
    "input=3x3&kernel=3&stride=2&padding=0:1x1:0&fill=random&seed=5",
    "input=4x4&kernel=3&stride=2&padding=same",
    "input=3x3&kernel=3&stride=2&output_size=8x7",
    "input=3x3&kernel=2&stride=2&in_channels=4&out_channels=2&groups=2&framework=keras",
    "input=4x4&kernel=3&stride=2&layers=3&framework=jax&anim=slide&step=5",
    "input=16x16&kernel=2&stride=2&fill=random",                      # 32x32 output
]


def test_every_view_loads_cleanly(session):
    for query in VIEWS:
        session.open(query)
        page = session.page
        assert page.locator("#grid-y").count() == 1, query
        assert page.inner_text("#err-general") == ""
        # every grid says what it is
        captions = page.eval_on_selector_all("table.grid", "ts => ts.map(t => t.caption ? "
                                                           "t.caption.textContent : '')")
        assert captions and all(captions), (query, captions)
        assert page.locator("#grid-m").count() == 1 or "too large" in page.inner_text("#matrix")
        assert page.locator("#grid-cov").count() == 1
        assert page.inner_text("#formula").count("out =") >= 2
        assert page.inner_text("#code").strip(), query
    # the last one (16x16 -> 32x32): no horizontal scroll of the page at 1280 px
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_channels_view_matches_torch(session):
    session.open("input=3x3&kernel=2&stride=2&in_channels=2&out_channels=4&groups=2"
                 "&fill=random&wfill=random&seed=3")
    captions = session.page.eval_on_selector_all(
        "#channels caption", "cs => cs.map(c => c.textContent)")
    assert captions == [f"output channel {o} (from input channels {'0, 1' if o < 2 else '2, 3'})"
                        .replace("0, 1", "0").replace("2, 3", "1") for o in range(4)]
    assert session.numbers("ch0").shape == (6, 6)


# ------------------------------------------------------------------ code, keyboard, layout

def test_code_tabs_and_copy(session):
    session.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                      origin=session.server.url.rstrip("/"))
    session.open("input=3x3&kernel=3&stride=2&padding=1&output_padding=1")
    page = session.page
    assert page.inner_text("#code").startswith("torch.nn.ConvTranspose2d(1, 1, kernel_size=3")
    page.click("#tab-keras")
    assert "keras.layers.Conv2DTranspose" in page.inner_text("#code")
    assert "framework=keras" in page.url
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-onnx"
    assert 'make_node("ConvTranspose"' in page.inner_text("#code")
    page.click("#copy")
    assert page.evaluate("navigator.clipboard.readText()") == page.inner_text("#code")


def test_keyboard_operates_the_player(session):
    session.open(EXAMPLE)
    page = session.page
    page.focus("#fwd")
    page.keyboard.press("Enter")
    assert page.inner_text("#steplabel") == "step 2 / 5"
    page.keyboard.press("Space")
    assert page.inner_text("#steplabel") == "step 3 / 5"
    page.focus("#scrub")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#steplabel") == "step 2 / 5"
    page.focus("#play")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('steplabel').textContent === 'step 5 / 5'",
                           timeout=10000)
    # the first Tab on a fresh page lands on the first control
    session.open(EXAMPLE)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "op"


@pytest.mark.parametrize("width", [1280, 1024])
def test_layout_fits_laptop_widths(browser, server, width):
    s = Session(browser, server, width=width, height=800)
    try:
        s.open("input=4x4&kernel=3&stride=2&padding=1&output_padding=1")
        assert s.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = s.page.locator("#controls").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert s.errors == [] and s.outside == []
    finally:
        s.close()


def test_notebook_frame_shows_the_page(session, server, monkeypatch):
    from tconv.explore import notebook

    # the notebook's server is this test's one (any other port counts as outside)
    monkeypatch.setattr(notebook, "_SERVER", server)
    view = notebook.show(input="2x2", kernel="2x2", x="55,52,57,50", w="1,2,2,1")
    session.page.set_content(view._repr_html_())
    frame = session.page.frame_locator("iframe")
    frame.locator("#grid-y").wait_for(timeout=15000)
    assert frame.locator("#grid-y td").all_inner_texts() == [
        "55", "162", "104", "167", "323", "152", "114", "157", "50"]
