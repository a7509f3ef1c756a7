"""``"implicit"`` (tconv._algorithms.implicit): what the parity tests do not draw.

Inf and NaN inputs and weights against PyTorch (the folded stride adds
zero-weight taps that must never meet a non-finite input), large strides and
dilations, and the peak extra memory (tracemalloc).
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tconv
from _cases import cases, scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
import _torch_ref as ref
from test_fast_paths import _poison, _same_non_finite

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@scaled(0.1)
@given(cases(False, symmetric=False), st.sampled_from(["x", "weight", "both"]))
def test_implicit_gives_torch_results_on_non_finite_values(c, where):
    x, weight, bias = c.arrays()
    if where in ("x", "both"):
        x = _poison(x, c.seed)
    if where in ("weight", "both"):
        weight = _poison(weight, c.seed + 1)
    expected, _ = ref.expected_and_scale(c, x, weight, bias)
    with np.errstate(invalid="ignore", over="ignore"):  # inf * 0 warns in NumPy: the point
        got = tconv.conv(x, weight, bias, algorithm="implicit", **c.kwargs())
    _same_non_finite(got, expected, f"implicit {where} {c!r}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("stride", "dilation", "kernel"), [(1, 1, 3), (2, 1, 4), (3, 2, 3),
                                                            (5, 1, 2), ((1, 4), (3, 1), (2, 3))])
def test_implicit_folded_strides_match_torch(dtype, stride, dilation, kernel):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 5, 17, 13)).astype(dtype)
    k = (kernel,) * 2 if isinstance(kernel, int) else kernel
    w = rng.standard_normal((6, 5, *k)).astype(dtype)
    want = ref.numpy(ref.CONV[2](ref.tensor(x), ref.tensor(w), None, stride=stride,
                                 padding=(2, 1), dilation=dilation))
    got = tconv.conv(x, w, stride=stride, padding=(2, 1), dilation=dilation,
                     algorithm="implicit")
    assert got.dtype == dtype
    assert_close(got, want, dtype=dtype, scale=9 * 5 * 4, what=f"{stride} {dilation} {kernel}")


def test_implicit_with_inf_input_and_zero_weight_taps_is_torch():
    """k2 s3 leaves phases no tap reads: an inf there must not become NaN."""
    x = np.ones((1, 1, 9))
    x[0, 0, 2] = np.inf  # read by no window (windows start at 0, 3, 6)
    w = np.ones((1, 1, 2))
    want = ref.numpy(ref.CONV[1](ref.tensor(x), ref.tensor(w), None, stride=3))
    with np.errstate(invalid="ignore"):
        got = tconv.conv(x, w, stride=3, algorithm="implicit")
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(want, [[[2.0, 2.0, 2.0]]])


@pytest.mark.parametrize("groups", [1, 4])
def test_implicit_memory_is_bounded(groups):
    """Peak extra memory: the padded input copy, the output's grid margin, the weight
    copy and the column buffer (at most CHUNK_ELEMENTS values or input + output)."""
    from tconv._algorithms import implicit

    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 32, 40, 40)).astype(np.float32)
    w = rng.standard_normal((64, 32 // groups, 3, 3)).astype(np.float32)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = tconv.conv(x, w, padding=1, groups=groups, algorithm="implicit")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    padded = 4 * 32 * 42 * 42 * 4 // groups
    grid = 4 * 64 * 42 * 42 * 4
    columns = 4 * max(implicit.CHUNK_ELEMENTS, x.size // groups + grid // 4 // groups)
    bound = padded + grid + 2 * w.nbytes + columns + 65536
    assert peak <= bound, (peak, bound)
    assert peak >= grid, "the output grid was not counted: the check would pass anything"
    assert out.shape == (4, 64, 40, 40)
