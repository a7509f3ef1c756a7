"""Resource bombs: outputs, searches and integers that a parameter makes huge.

Every front door checks the size of what it would allocate before allocating
(``tconv._limits``), the searches are bounded by stated limits, and huge
integers are refused with ValueError. The bombs run in a subprocess under an
address-space limit (``resource.setrlimit``), so a regression fails with a
MemoryError there instead of taking the machine; the property tests trace
their allocations with ``tracemalloc`` under a small output limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tconv
import tconv.keras
from _cases import scaled

SRC = str(Path(tconv.__file__).resolve().parent.parent)

# name: (code, the parameter the error names); x4, w3 (2-D) and x1, w1 (1-D) are ones,
# i2 zero indices.
BOMBS = {
    "conv_transpose stride": ("tconv.conv_transpose(x4, w3, stride=10**5)", "stride"),
    "conv_transpose dilation": ("tconv.conv_transpose(x4, w3, dilation=10**6)", "dilation"),
    "conv padding": ("tconv.conv(x4, w3, padding=10**5)", "padding"),
    "conv padding and stride": ("tconv.conv(x4, w3, padding=10**5, stride=10**5)", "padding"),
    "conv_transpose output_size": (
        "tconv.conv_transpose(x1, w1, stride=10**9, output_size=(3 * 10**9,))", "output_size"),
    "interpolate scale_factor": ("tconv.interpolate(x4, scale_factor=1e4)", "scale_factor"),
    "interpolate scale_factor torch": (
        "tconv.interpolate(torch.ones(1, 3, 64, 64), scale_factor=1e4)", "scale_factor"),
    "interpolate size": ("tconv.interpolate(x4, size=(10**6, 10**6), mode='bilinear')", "size"),
    "bed_of_nails": ("tconv.bed_of_nails(x4, 10**5)", "scale_factor"),
    "upsampling_kernel": ("tconv.upsampling_kernel('bilinear', 10**4, rank=3)", "factor"),
    "checkerboard stride": ("tconv.checkerboard(3, 10**5)", "stride"),
    "checkerboard layers": ("tconv.checkerboard(3, 2, layers=40)", "layers"),
    "checkerboard many layers": ("tconv.checkerboard(3, 1, layers=1000)", "layers"),
    "keras upsampling": ("tconv.keras.upsampling(np.ones((1, 4, 4, 1)), size=10**5)", "size"),
    "max_unpool": ("tconv.max_unpool(x4[..., :2, :2], i2, (2, 2), stride=10**6)", "stride"),
    "stride 10**20": ("tconv.conv_transpose(x1, w1, stride=10**20)", "stride"),
    "padding 10**20": ("tconv.conv(x1, w1, padding=10**20)", "padding"),
    "conv_matrix input_shape": ("tconv.conv_matrix((1, 10**5, 10**5), w3)", "input_shape"),
    "conv_matrix padding": ("tconv.conv_matrix((1, 4, 4), w3, padding=10**5)", "padding"),
    "subpixel stride": ("tconv.subpixel_from_transposed(w3, 10**6)", "stride"),
    "subpixel dilation": ("tconv.subpixel_from_transposed(w3, 2, dilation=10**5)", "dilation"),
    "solve 1 300": ("tconv.solve(1, 300)", "output_size"),
    "solve 7 10**6": ("tconv.solve(7, 10**6)", "output_size"),
    "solve layers 1000": ("tconv.solve(7, 14, layers=1000)", "layers"),
    "solve 10**20": ("tconv.solve(7, 10**20)", "output_size"),
}

RUNNER = textwrap.dedent("""
    import json, resource, sys, time
    limit = 4 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import numpy as np
    import torch
    import tconv, tconv.keras
    x4, w3 = np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3))
    x1, w1 = np.ones((1, 1, 4)), np.ones((1, 1, 3))
    i2 = np.zeros((1, 1, 2, 2), dtype=np.int64)
    results = {}
    for name, code in json.loads(sys.argv[1]).items():
        start = time.perf_counter()
        try:
            eval(code)
            outcome = ["returned", ""]
        except Exception as error:
            outcome = [type(error).__name__, str(error)]
        results[name] = outcome + [time.perf_counter() - start]
    print(json.dumps(results))
""")


def test_bombs_are_refused_before_allocating():
    """Each call would need far more than the 4 GiB the subprocess may map; each
    must end at once with a ValueError naming its parameter (and the bytes when
    it is about size)."""
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("TCONV_MAX_OUTPUT_BYTES", None)
    codes = {name: code for name, (code, _) in BOMBS.items()}
    done = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(codes)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name, (_, parameter) in BOMBS.items():
        kind, message, seconds = results[name]
        assert kind == "ValueError", f"{name}: {kind}: {message}"
        assert f"{parameter}=" in message, f"{name}: {message}"
        assert seconds < 5, f"{name} took {seconds:.1f} s"


def test_max_pool_cost_is_bounded_by_the_input_not_the_kernel():
    """Kernel 20000 on 4x4 (PyTorch: instant); values and indices as PyTorch's."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4))
    start = time.perf_counter()
    values, indices = tconv.max_pool(x, 20000, stride=1, padding=10000, return_indices=True)
    assert time.perf_counter() - start < 2
    expected, expected_indices = torch.nn.functional.max_pool2d(
        torch.from_numpy(x), 20000, stride=1, padding=10000, return_indices=True)
    np.testing.assert_array_equal(values, expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())


@scaled(0.3)
@given(st.data())
def test_max_pool_with_large_kernels_matches_torch(data):
    """Taps that only ever read padding are skipped: same values and indices."""
    torch = pytest.importorskip("torch")
    rank = data.draw(st.integers(1, 2))
    size = tuple(data.draw(st.integers(1, 5)) for _ in range(rank))
    kernel = tuple(data.draw(st.integers(1, 40)) for _ in range(rank))
    dilation = tuple(data.draw(st.integers(1, 3)) for _ in range(rank))
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    if any(n + 2 * p < span for n, p, span in zip(size, padding, spans)):
        padding = tuple(k // 2 for k in kernel)
    if any(n + 2 * p < span for n, p, span in zip(size, padding, spans)):
        dilation = (1,) * rank
    stride = tuple(data.draw(st.integers(1, 4)) for _ in range(rank))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((1, 2, *size))
    pool = getattr(torch.nn.functional, f"max_pool{rank}d")
    expected, expected_indices = pool(torch.from_numpy(x), kernel, stride, padding, dilation,
                                      return_indices=True)
    values, indices = tconv.max_pool(x, kernel, stride, padding, dilation, return_indices=True)
    np.testing.assert_array_equal(values, expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())


# --------------------------------------------------------------------------- the limit

LIMIT = 1 << 20  # 1 MiB: small enough that tracemalloc sees any overshoot


def _traced(call):
    """``(result or exception, peak bytes)`` of ``call`` under the 1 MiB limit."""
    tracemalloc.start()
    try:
        with tconv.max_output_bytes(LIMIT):
            try:
                outcome = call()
            except (ValueError, TypeError) as error:
                outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _check(outcome, peak, parameter):
    if isinstance(outcome, Exception):
        assert isinstance(outcome, ValueError), outcome
        assert f"{parameter}=" in str(outcome) and "bytes" in str(outcome), outcome
    else:
        arrays = outcome if isinstance(outcome, tuple) else (outcome,)
        assert sum(np.asarray(a).nbytes for a in arrays) <= LIMIT
    # What is allocated stays within a constant factor of the limit: the
    # output plus interpolate's per-axis index and weight tables (up to 4 taps
    # of int64 and float64 per output sample along a long axis) and temporaries.
    assert peak < 24 * LIMIT, f"peak {peak} bytes under a {LIMIT}-byte limit"


@scaled(0.3)
@given(st.integers(1, 10**7), st.integers(1, 3), st.integers(1, 8))
def test_conv_transpose_stride_stays_under_the_limit(stride, kernel, size):
    outcome, peak = _traced(lambda: tconv.conv_transpose(
        np.ones((1, 2, size, size)), np.ones((2, 2, kernel, kernel)), stride=stride))
    _check(outcome, peak, "stride")


@scaled(0.3)
@given(st.integers(0, 10**7), st.integers(1, 10**7))
def test_conv_padding_stays_under_the_limit(padding, stride):
    outcome, peak = _traced(lambda: tconv.conv(
        np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), padding=padding, stride=stride))
    _check(outcome, peak, "padding")


@scaled(0.3)
@given(st.one_of(st.floats(0.5, 1e6), st.tuples(st.floats(0.5, 1e5), st.floats(0.5, 1e5))),
       st.sampled_from(["nearest", "bilinear", "bicubic"]))
def test_interpolate_scale_factor_stays_under_the_limit(scale_factor, mode):
    outcome, peak = _traced(lambda: tconv.interpolate(np.ones((1, 2, 5, 5)),
                                                      scale_factor=scale_factor, mode=mode))
    _check(outcome, peak, "scale_factor")


@scaled(0.3)
@given(st.tuples(st.integers(1, 10**6), st.integers(1, 10**6)))
def test_interpolate_size_stays_under_the_limit(size):
    outcome, peak = _traced(lambda: tconv.interpolate(np.ones((1, 1, 3, 3)), size=size,
                                                      mode="bilinear"))
    _check(outcome, peak, "size")


@scaled(0.3)
@given(st.integers(1, 10**6), st.integers(1, 3))
def test_bed_of_nails_and_upsampling_kernel_stay_under_the_limit(factor, rank):
    outcome, peak = _traced(lambda: tconv.bed_of_nails(np.ones((1, 1) + (3,) * rank), factor))
    _check(outcome, peak, "scale_factor")
    outcome, peak = _traced(lambda: tconv.upsampling_kernel("bilinear", factor, rank=rank))
    if not isinstance(outcome, Exception):
        outcome = outcome[0]
    _check(outcome, peak, "factor")


@scaled(0.3)
@given(st.integers(2**40, 10**30), st.sampled_from(["stride", "padding", "dilation",
                                                     "output_padding"]))
def test_huge_ints_are_value_errors(value, name):
    with pytest.raises(ValueError, match=name):
        tconv.conv_transpose(np.ones((1, 1, 4)), np.ones((1, 1, 3)), **{name: value})


def test_an_output_no_larger_than_the_input_is_never_refused():
    x = np.ones((1, 1, 64, 64))
    with tconv.max_output_bytes(1000):
        y = tconv.conv(x, np.ones((1, 1, 3, 3)), padding=1)
    assert y.shape == x.shape


def test_set_get_and_the_context_manager():
    before = tconv.get_max_output_bytes()
    try:
        assert tconv.set_max_output_bytes(123456) == before
        assert tconv.get_max_output_bytes() == 123456
        with tconv.max_output_bytes(None):
            assert tconv.get_max_output_bytes() is None
            y = tconv.bed_of_nails(np.ones((1, 1, 100)), 1000)
            assert y.shape == (1, 1, 100000)
        assert tconv.get_max_output_bytes() == 123456
        with pytest.raises(ValueError, match=r"scale_factor=1000 .*800000 bytes"):
            tconv.bed_of_nails(np.ones((1, 1, 100)), 1000)
    finally:
        tconv.set_max_output_bytes(before)
    assert tconv.get_max_output_bytes() == before


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (-5, ValueError),
                                              (1.5, TypeError), (True, TypeError),
                                              ("lots", ValueError)])
def test_bad_limits_are_refused(value, error):
    with pytest.raises(error, match="limit"):
        tconv.set_max_output_bytes(value)


def test_environment_variable_sets_the_starting_limit():
    code = "import tconv; print(tconv.get_max_output_bytes())"
    for text, expected in (("12345", "12345"), ("none", "None")):
        env = {**os.environ, "PYTHONPATH": SRC, "TCONV_MAX_OUTPUT_BYTES": text}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.stdout.strip() == expected, done.stderr[-1000:]
