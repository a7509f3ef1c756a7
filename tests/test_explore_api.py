"""tconv explore: the JSON API (Starlette's TestClient), checked against PyTorch.

The page draws what /api/explore answers, so the numbers are checked here
against torch.nn.functional (tests/_torch_ref.py), never against tconv's own
output; the browser tests (test_explore_browser.py) check that the page shows
them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tconv
from tconv.cli import main

pytest.importorskip("starlette")
from starlette.testclient import TestClient

import _torch_ref as ref
from tconv.explore import create_app

torch = ref.torch


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


def get(client, query: str, status: int = 200) -> dict:
    response = client.get("/api/explore?" + query)
    assert response.status_code == status, response.json()
    return response.json()


def torch_output(op, x, w, *, stride, pads, output_padding=None, dilation, groups=1,
                 batched=False):
    """PyTorch's result for one spatial (or channels-first, ``batched``) operand pair."""
    xt = ref.tensor(x if batched else np.asarray(x)[None])[None]
    wt = ref.tensor(w if batched else np.asarray(w)[None, None])
    if op == "conv_transpose":
        y = ref.conv_transpose(xt, wt, stride=stride, pads=pads, output_padding=output_padding,
                               dilation=dilation, groups=groups)
    else:
        y = ref.conv(xt, wt, stride=stride, pads=pads, dilation=dilation, groups=groups)
    return ref.numpy(y[0] if batched else y[0, 0])


def spatial(grid, rank):
    array = np.array(grid, dtype=float)
    return array[0] if rank == 1 else array


# ------------------------------------------------------------------ seed examples

SEEDS = [
    # the classic: 2x2 input, 2x2 kernel, stride 1
    ("input=2x2&kernel=2x2&x=55,52,57,50&w=1,2,2,1",
     [[55, 162, 104], [167, 323, 152], [114, 157, 50]]),
    # stride 2: the kernel copies no longer overlap
    ("input=2x2&kernel=2x2&stride=2&x=55,52,57,50&w=1,2,2,1",
     [[55, 110, 52, 104], [110, 55, 104, 52], [57, 114, 50, 100], [114, 57, 100, 50]]),
]


@pytest.mark.parametrize(("query", "expected"), SEEDS)
def test_seed_examples_are_torch(client, query, expected):
    data = get(client, query)
    assert data["output"] == expected
    w = np.array(data["w"])
    x = np.array(data["x"])
    stride = (2, 2) if "stride=2" in query else (1, 1)
    np.testing.assert_array_equal(
        torch_output("conv_transpose", x, w, stride=stride, pads=((0, 0), (0, 0)),
                     output_padding=(0, 0), dilation=(1, 1)), expected)


def test_seed_3x3_kernel_padding_1_output_padding_1(client):
    data = get(client, "input=2x2&kernel=3x3&stride=2&padding=1&output_padding=1"
                       "&x=55,52,57,50&w=1,2,3,4,5,6,7,8,9")
    expected = torch.nn.functional.conv_transpose2d(
        ref.tensor([[[[55, 52], [57, 50]]]]), ref.tensor(np.arange(1, 10).reshape(1, 1, 3, 3)),
        stride=2, padding=1, output_padding=1)
    assert data["output"] == ref.numpy(expected)[0, 0].tolist()
    # the last row and column exist because of output_padding: marked as added
    assert data["crop"][0]["added"] == [3] and data["crop"][1]["added"] == [3]
    assert data["reachable"] == [[3, 4], [3, 4]]


# ------------------------------------------------------------------ random configurations

@st.composite
def configurations(draw):
    op = draw(st.sampled_from(["conv_transpose", "conv"]))
    rank = draw(st.sampled_from([1, 2]))
    size = tuple(draw(st.integers(1, 5)) for _ in range(rank))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(rank))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(rank))
    pads = tuple((draw(st.integers(0, 2)), draw(st.integers(0, 2))) for _ in range(rank))
    if op == "conv_transpose":
        output_padding = tuple(draw(st.integers(0, max(s, d) - 1))
                               for s, d in zip(stride, dilation))
        ke = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        full = [(n - 1) * s + e for n, s, e in zip(size, stride, ke)]
        if any(f - lo - hi + o < 1 for f, (lo, hi), o in zip(full, pads, output_padding)):
            pads = tuple((0, 0) for _ in range(rank))
    else:
        output_padding = (0,) * rank
        ke = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        if any(n + lo + hi < e for n, (lo, hi), e in zip(size, pads, ke)):
            size = tuple(e for e in ke)
            pads = tuple((0, 0) for _ in range(rank))
    fill = draw(st.sampled_from(["ramp", "ones", "random"]))
    seed = draw(st.integers(0, 1000))
    return op, size, kernel, stride, dilation, pads, output_padding, fill, seed


def _axes(values):
    return "x".join(map(str, values))


@settings(max_examples=100)  # each example is a whole page's data; CI too
@given(configurations())
def test_random_configurations_match_torch(config):
    op, size, kernel, stride, dilation, pads, output_padding, fill, seed = config
    client = TestClient(create_app())
    padding = "x".join(f"{lo}:{hi}" for lo, hi in pads)
    query = (f"op={op}&input={_axes(size)}&kernel={_axes(kernel)}&stride={_axes(stride)}"
             f"&dilation={_axes(dilation)}&padding={padding}"
             f"&output_padding={_axes(output_padding)}&fill={fill}&wfill={fill}&seed={seed}")
    data = get(client, query)
    rank = len(size)
    x, w = spatial(data["x"], rank), spatial(data["w"], rank)
    assert x.shape == size and w.shape == kernel
    expected = torch_output(op, x, w, stride=stride, pads=pads, output_padding=output_padding,
                            dilation=dilation)
    np.testing.assert_allclose(spatial(data["output"], rank), expected, rtol=1e-12, atol=1e-9)
    output = np.array(data["output"])
    # y = matrix @ x, row per output cell, column per input cell
    matrix = np.array(data["matrix"]["values"])
    np.testing.assert_allclose(matrix @ np.array(data["x"]).ravel(), output.ravel(),
                               rtol=1e-12, atol=1e-9)
    # every output cell is the sum of the products that feed it
    xs, ws = np.array(data["x"]), np.array(data["w"])
    for r, row in enumerate(data["feeds"]):
        for c, feeds in enumerate(row):
            total = sum(xs[tuple(i)] * ws[tuple(t)] for i, t in feeds)
            assert total == pytest.approx(output[r, c], abs=1e-9)
    if op == "conv_transpose":
        # the scatter steps: the last running sum is the full output (torch, uncropped)
        full = ref.numpy(ref.conv_transpose_full(
            ref.tensor(x[None, None]), ref.tensor(w[None, None]), stride=stride,
            dilation=dilation, groups=1))[0, 0]
        np.testing.assert_allclose(spatial(data["steps"][-1]["running"], rank), full,
                                   rtol=1e-12, atol=1e-9)
        # the zero-insertion windows give the output, cell by cell
        windows = data["zero_insertion"]["windows"]
        assert [tuple(s["index"]) for s in windows] == list(np.ndindex(*output.shape))
        np.testing.assert_allclose([s["value"] for s in windows], output.ravel(), atol=1e-9)


def test_feeds_are_the_nonzero_gradient(client):
    """An output cell's feeds are the inputs its gradient reaches (torch autograd)."""
    data = get(client, "input=3x3&kernel=3&stride=2&padding=1&output_padding=1&wfill=ones")
    x = ref.tensor(np.array(data["x"])[None, None], requires_grad=True)
    y = torch.nn.functional.conv_transpose2d(x, ref.tensor(np.ones((1, 1, 3, 3))), stride=2,
                                             padding=1, output_padding=1)
    for r, c in [(0, 0), (1, 1), (2, 3), (5, 5)]:
        (grad,) = torch.autograd.grad(y[0, 0, r, c], x, retain_graph=True)
        expected = {tuple(p) for p in np.argwhere(ref.numpy(grad)[0, 0] != 0).tolist()}
        assert {tuple(i) for i, _ in data["feeds"][r][c]} == expected


def test_output_size_picks_output_padding(client):
    data = get(client, "input=3x3&kernel=3&stride=2&output_size=7x8&x=1,2,3,4,5,6,7,8,9")
    layer = torch.nn.ConvTranspose2d(1, 1, 3, stride=2, bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(ref.tensor(np.arange(1, 10).reshape(1, 1, 3, 3)))
        expected = layer(ref.tensor(np.arange(1, 10).reshape(1, 1, 3, 3)), output_size=(7, 8))
    assert data["output"] == ref.numpy(expected)[0, 0].tolist()
    assert data["params"]["output_padding"] == [0, 1]


def test_same_padding_matches_keras_rule(client):
    data = get(client, "input=3x3&kernel=3&stride=2&padding=same&fill=random&wfill=random"
                       "&seed=4")
    x, w = np.array(data["x"]), np.array(data["w"])
    expected = ref.same_conv_transpose(ref.tensor(x[None, None]), ref.tensor(w[None, None]),
                                       stride=(2, 2), dilation=(1, 1), groups=1)
    np.testing.assert_allclose(data["output"], ref.numpy(expected)[0, 0], atol=1e-12)


def test_channels_and_groups_match_torch(client):
    data = get(client, "input=3x3&kernel=2&stride=2&in_channels=4&out_channels=6&groups=2"
                       "&fill=random&seed=3")
    channels = data["channels"]
    x, w = np.array(channels["x"]), np.array(channels["weight"])
    assert w.shape == (4, 3, 2, 2)
    expected = torch.nn.functional.conv_transpose2d(ref.tensor(x[None]), ref.tensor(w),
                                                    stride=2, groups=2)
    np.testing.assert_allclose(channels["output"], ref.numpy(expected)[0], atol=1e-12)
    # channel 0 of the views is the one drawn: its input is the page's x
    assert channels["x"][0] == data["x"]
    # groups of 2: output channels 0-2 read input channels 0-1, 3-5 read 2-3
    assert channels["feeds"] == [[0, 1]] * 3 + [[2, 3]] * 3


def test_conv_channels_match_torch(client):
    data = get(client, "op=conv&input=4x4&kernel=3&padding=1&in_channels=2&out_channels=2"
                       "&groups=2&fill=random&seed=1")
    channels = data["channels"]
    x, w = np.array(channels["x"]), np.array(channels["weight"])
    expected = torch.nn.functional.conv2d(ref.tensor(x[None]), ref.tensor(w), padding=1,
                                          groups=2)
    np.testing.assert_allclose(channels["output"], ref.numpy(expected)[0], atol=1e-12)
    assert channels["feeds"] == [[0], [1]]


def test_torch_code_builds_the_same_layer(client):
    data = get(client, "input=3x3&kernel=3&stride=2&padding=1&output_padding=1"
                       "&fill=random&wfill=random&seed=2")
    code = data["code"]["frameworks"]
    assert code["torch"]["exact"]
    layer = eval(code["torch"]["call"], {"torch": torch})
    with torch.no_grad():
        layer.weight.copy_(ref.tensor(np.array(data["w"])[None, None]))
        layer.bias.zero_()
        y = layer.double()(ref.tensor(np.array(data["x"])[None, None]))
    np.testing.assert_allclose(ref.numpy(y)[0, 0], data["output"], atol=1e-12)
    for framework in ("keras", "onnx", "jax"):
        assert code[framework]["call"], framework
    assert "ConvTranspose" in code["onnx"]["call"]
    assert code["jax"]["call"].startswith("jax.lax.conv_transpose")


def test_checkerboard_score(client):
    uneven = get(client, "input=4x4&kernel=3&stride=2")["checkerboard"]
    even = get(client, "input=4x4&kernel=4&stride=2")["checkerboard"]
    assert uneven["score"] > 0 and even["score"] == 0.0
    assert uneven["verdict"].startswith("checkerboard") and even["verdict"].startswith("uniform")
    # k3 s2 coverage of a 4x4 input: 1, 2 or 4 products per cell (torch: ones * ones)
    ones = torch.nn.functional.conv_transpose2d(torch.ones(1, 1, 4, 4), torch.ones(1, 1, 3, 3),
                                                stride=2)
    assert uneven["coverage"] == ref.numpy(ones)[0, 0].tolist()
    stack = get(client, "input=4x4&kernel=3&stride=2&layers=2")["checkerboard"]
    assert stack["layers"] == 2 and stack["period"] == [4, 4]


def test_formula_numbers(client):
    data = get(client, "input=3x4&kernel=3x2&stride=2x3&padding=1:0x0:2&output_padding=1x2")
    for axis in data["formula"]["axes"]:
        full = (axis["in"] - 1) * axis["stride"] + axis["dilation"] * (axis["kernel"] - 1) + 1
        assert axis["full"] == full
        assert axis["out"] == full - axis["before"] - axis["after"] + axis["output_padding"]
    assert [a["out"] for a in data["formula"]["axes"]] == [len(data["output"]),
                                                           len(data["output"][0])]


# ------------------------------------------------------------------ validation

def tconv_message(call) -> str:
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    return str(info.value)


def test_bad_output_padding_answers_tconvs_message(client):
    data = get(client, "input=3x3&kernel=3&stride=2&output_padding=2", 400)
    assert data["param"] == "output_padding"
    assert data["error"] == tconv_message(lambda: tconv.conv_transpose_output_shape(
        (3, 3), (3, 3), stride=(2, 2), padding=0, output_padding=(2, 2), dilation=(1, 1)))


def test_unreachable_output_size_answers_tconvs_message(client):
    data = get(client, "input=3x3&kernel=3&stride=2&output_size=9x9", 400)
    assert data["param"] == "output_size"
    assert data["error"] == tconv_message(lambda: tconv.conv_transpose(
        np.zeros((1, 3, 3)), np.zeros((1, 1, 3, 3)), stride=(2, 2), padding=0,
        dilation=(1, 1), output_size=(9, 9)))
    assert "reachable sizes per axis are 7..8" in data["error"]


@pytest.mark.parametrize(("query", "param", "words"), [
    ("input=abc", "input", "not a size"),
    ("input=2x2x2", "input", "1-D and 2-D"),
    ("kernel=0", "kernel", ">= 1"),
    ("stride=1x2x3", "stride", "has 3 axes"),
    ("stride=1x2&input=5", "stride", "has 2 values"),
    ("padding=1:2:3", "padding", "not a padding"),
    ("padding=-1", "padding", "padding"),
    ("op=deconv", "op", "conv_transpose, conv"),
    ("x=1,2,3", "x", "needs 4"),
    ("w=1,two", "w", "'two' is not a number"),
    ("x=1,2,3,1e400", "x", "1e400 is too large"),
    ("w=1,nan,1,1", "w", "'nan' is not a number"),
    ("in_channels=17", "in_channels", "1 .. 16"),
    ("groups=2&in_channels=3&out_channels=2", "groups", "not divisible"),
    ("op=conv&output_padding=1", "output_padding", "conv_transpose only"),
    ("layers=9", "layers", "1 .. 4"),
    ("fill=noise", "fill", "ramp, ones, random"),
    ("input=3&kernel=5&op=conv", "input", "smaller than the effective kernel"),
])
def test_bad_parameters_are_4xx_naming_the_control(client, query, param, words):
    data = get(client, query, 400)
    assert data["param"] == param, data
    assert words in data["error"]


@pytest.mark.parametrize(("query", "param"), [
    ("input=20x20&kernel=3&stride=2", "input"),  # 41x41 output
    ("input=32x32&kernel=32&dilation=32", "input"),
    ("input=33", "input"),
    ("input=4x4&in_channels=64", "in_channels"),
    ("input=2&kernel=3&stride=1000", "input"),
    ("input=2x2&kernel=16&stride=16", "input"),  # 1024 windows of 256 taps
    ("input=2&kernel=8&stride=8&layers=4", "layers"),  # a 4096-cell stack
])
def test_oversized_requests_are_refused_fast(client, query, param):
    start = time.perf_counter()
    data = get(client, query, 400)
    assert time.perf_counter() - start < 2.0
    assert data["param"] == param
    assert re.search(r"at most|out of range|up to", data["error"]), data


def test_largest_accepted_request_is_quick(client):
    start = time.perf_counter()
    data = get(client, "input=16x16&kernel=2&stride=2&fill=random&seed=1")
    assert len(data["output"]) == 32
    assert time.perf_counter() - start < 10.0


# ------------------------------------------------------------------ static files

def test_page_and_static_files_are_local(client):
    page = client.get("/")
    assert page.status_code == 200 and "tconv explore" in page.text
    for name in ("explore.js", "explore.css"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        # nothing fetched from elsewhere: no absolute URLs at all
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", response.text), name
    assert not re.search(r"(src|href)=\"(https?:)?//", page.text)


# ------------------------------------------------------------------ command line

def test_cli_help_and_defaults(capsys):
    assert main(["explore", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--no-browser" in text and "127.0.0.1" in text and "8765" in text


def test_cli_without_the_extra_names_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["explore", "--no-browser"]) == 1
    assert 'pip install "tconv[explore]"' in capsys.readouterr().err


def test_cli_bad_port(capsys):
    assert main(["explore", "--port", "70000", "--no-browser"]) == 2
    assert "--port=70000" in capsys.readouterr().err


def test_cli_serves_and_prints_its_url():
    command = [sys.executable, "-m", "tconv", "explore", "--port", "0", "--no-browser"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        try:
            line = process.stdout.readline()
            url = re.search(r"http://127\.0\.0\.1:\d+/", line)
            assert url, line
            page = urllib.request.urlopen(url.group(0), timeout=10).read().decode()
            assert "tconv explore" in page
            query = "api/explore?input=2x2&kernel=2x2&x=55,52,57,50&w=1,2,2,1"
            with urllib.request.urlopen(url.group(0) + query, timeout=10) as answer:
                assert json.load(answer)["output"][0] == [55, 162, 104]
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_cli_parser_does_not_import_the_server():
    # tconv --help works without the extra: the explore command imports its
    # server only when it runs.
    code = ("import sys, tconv.cli; tconv.cli.build_parser(); "
            "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_top_level_help_lists_explore(capsys):
    assert main(["--help"]) == 0
    assert "explore" in capsys.readouterr().out


def test_notebook_view_serves_the_page():
    from tconv.explore.notebook import show

    view = show(input=(2, 2), kernel=(2, 2), stride=2, x=(55, 52, 57, 50), w=(1, 2, 2, 1))
    assert view.url.startswith("http://127.0.0.1:")
    assert f'src="{view.url.replace("&", "&amp;")}"' in view._repr_html_()
    query = view.url.split("?")[1]
    with urllib.request.urlopen(view.url.split("?")[0] + "api/explore?" + query,
                                timeout=10) as answer:
        output = json.load(answer)["output"]
    xt = ref.tensor([[[[55, 52], [57, 50]]]])
    expected = torch.nn.functional.conv_transpose2d(xt, ref.tensor([[[[1, 2], [2, 1]]]]),
                                                    stride=2)
    assert output == ref.numpy(expected)[0, 0].tolist()
    with pytest.raises(ValueError, match="output_padding=.*must be smaller"):
        show(input=3, kernel=3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="unknown parameter 'strides'"):
        show(strides=2)


_TEXT = st.one_of(st.integers(-3, 40).map(str),
                  st.lists(st.integers(-2, 9), min_size=1, max_size=3).map(
                      lambda v: "x".join(map(str, v))),
                  st.sampled_from(["same", "valid", "0:1x1:0", "", "1.5", "x", "(1,2)", "nan"]))


@settings(max_examples=100)
@given(st.dictionaries(st.sampled_from(["op", "input", "kernel", "stride", "padding",
                                        "output_padding", "output_size", "dilation",
                                        "groups", "in_channels", "out_channels", "layers",
                                        "x", "w", "seed", "fill"]), _TEXT, max_size=6))
def test_any_query_answers_200_or_a_message(query):
    client = TestClient(create_app(), raise_server_exceptions=True)
    response = client.get("/api/explore", params=query)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        body = response.json()
        assert body["error"] and set(body) == {"error", "param"}
