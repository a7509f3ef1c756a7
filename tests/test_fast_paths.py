"""The fast paths: numba's ``"compiled"`` loops and the delegation to PyTorch.

Values are checked against PyTorch here for what the parity tests do not draw:
inf and NaN in inputs and weights (a padding zero must never be multiplied
by a weight), the pure-array fallback when numba is missing, and the peak
extra memory of each fast path (tracemalloc: NumPy's allocations).
"""

from __future__ import annotations

import dataclasses
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tconv
from _cases import cases, scaled
from _tol import assert_close
from tconv._algorithms import compiled

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch

pytestmark = pytest.mark.usefixtures("torch_one_thread")

needs_numba = pytest.mark.skipif(not compiled.loaded(), reason="numba is not installed")


def _poison(array, seed):
    """``array`` with about one value in five replaced by inf, -inf or NaN."""
    rng = np.random.default_rng(seed)
    out = array.copy()
    spots = rng.random(out.shape) < 0.2
    out[spots] = rng.choice([np.inf, -np.inf, np.nan], size=int(spots.sum()))
    return out


def _same_non_finite(got, expected, what):
    """Equal NaN and inf positions (with signs), the finite values close."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    assert got.shape == expected.shape, what
    assert np.array_equal(np.isnan(got), np.isnan(expected)), f"{what}: NaN positions"
    assert np.array_equal(np.where(np.isinf(got), got, 0), np.where(np.isinf(expected),
                                                                     expected, 0)), what
    finite = np.isfinite(expected)
    assert_close(np.where(finite, got, 0), np.where(finite, expected, 0), what=what)


@needs_numba
@scaled(0.1)
@given(st.booleans().flatmap(lambda transposed: cases(transposed, symmetric=False)),
       st.sampled_from(["x", "weight", "both"]))
def test_compiled_gives_torch_results_on_non_finite_values(c, where):
    x, weight, bias = c.arrays()
    if where in ("x", "both"):
        x = _poison(x, c.seed)
    if where in ("weight", "both"):
        weight = _poison(weight, c.seed + 1)
    expected, _ = ref.expected_and_scale(c, x, weight, bias)
    op = tconv.conv_transpose if c.transposed else tconv.conv
    got = op(x, weight, bias, algorithm="compiled", **c.kwargs())
    _same_non_finite(got, expected, f"compiled {where} {c!r}")


@needs_numba
def test_non_finite_weights_meeting_padding():
    """As in PyTorch: a convolution multiplies its padding zeros (an inf tap on padding
    gives NaN there), a transposed convolution's crop and output_padding never do."""
    x = np.ones((1, 1, 3))
    w = np.array([[[np.inf, 1.0, 1.0]]])
    want = ref.numpy(ref.CONV[1](ref.tensor(x), ref.tensor(w), None, stride=1,
                                 padding=1))
    assert np.isnan(want[0, 0, 0]) and np.isinf(want[0, 0, 1:]).all()
    for algorithm in ("compiled", "auto"):
        _same_non_finite(tconv.conv(x, w, padding=1, algorithm=algorithm), want, algorithm)
    # Transposed: full output [x0*w0, x0*w1, x0*w2] = [inf, 0, 1]; the crop of 2 at the
    # start leaves [1], the inf never computed.
    w = np.array([[[np.inf, 0.0, 1.0]]])
    x = x[:, :, :1]
    for got in (tconv.conv_transpose(x, w, padding=((2, 0),), algorithm="compiled"),
                tconv.conv_transpose(torch.from_numpy(x), torch.from_numpy(w),
                                     padding=((2, 0),)).numpy()):
        np.testing.assert_array_equal(got, [[[1.0]]])


def test_fallback_without_numba(monkeypatch):
    """Without numba ``"compiled"`` runs the pure-array methods and ``"auto"`` avoids it."""
    monkeypatch.setattr(compiled, "_kernels", lambda: None)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 5, 5)), rng.standard_normal((4, 1, 3, 3))
    options = {"stride": 2, "padding": 1, "output_padding": 1, "groups": 4}
    want = ref.numpy(ref.CONV_TRANSPOSE[2](ref.tensor(x), ref.tensor(w), None, stride=2,
                                           padding=1, output_padding=1, groups=4))
    for algorithm in ("compiled", "auto"):
        assert_close(tconv.conv_transpose(x, w, algorithm=algorithm, **options), want)
    want = ref.numpy(ref.CONV[2](ref.tensor(x), ref.tensor(w), None, stride=2, padding=1,
                                 groups=4))
    for algorithm in ("compiled", "auto"):
        assert_close(tconv.conv(x, w, stride=2, padding=1, groups=4, algorithm=algorithm),
                     want)


@needs_numba
def test_auto_picks_compiled_for_depthwise_numpy(monkeypatch):
    import tconv._conv as core

    picked = []
    original = core.choose
    monkeypatch.setattr(core, "choose", lambda *a, **k: picked.append(original(*a, **k))
                        or picked[-1])
    x = np.zeros((1, 8, 6, 6), np.float32)
    tconv.conv_transpose(x, np.zeros((8, 1, 4, 4), np.float32), stride=2, groups=8)
    tconv.conv(x, np.zeros((8, 1, 3, 3), np.float32), groups=8)
    wide = np.zeros((2, 32, 16, 16), np.float32)
    tconv.conv_transpose(wide, np.zeros((32, 16, 4, 4), np.float32), stride=2)
    assert picked == ["compiled", "compiled", "gemm"]


# --------------------------------------------------------------------------- memory

def _extra_bytes(call):
    """tracemalloc peak of ``call()`` minus the array it returns."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        out = call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - out.nbytes


@needs_numba
@pytest.mark.parametrize("transposed", [True, False])
@pytest.mark.parametrize("groups", [1, 16])
def test_compiled_needs_no_buffer(transposed, groups):
    """``"compiled"``: extra memory at most one output row (plus a few kB), no copies
    of contiguous inputs."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 16, 40, 40), dtype=np.float32)
    op = tconv.conv_transpose if transposed else tconv.conv
    w = rng.standard_normal((16, 16 // groups, 4, 4), dtype=np.float32)
    call = lambda: op(x, w, stride=2, padding=1, groups=groups, algorithm="compiled")
    got = call()  # compile / load outside the measurement; big enough to run threaded
    reference = op(x, w, stride=2, padding=1, groups=groups, algorithm="matrix")
    scale = op(np.abs(x), np.abs(w), stride=2, padding=1, groups=groups, algorithm="matrix")
    assert_close(got, reference, dtype=np.float32, scale=scale)
    assert _extra_bytes(call) <= 100 * 4 + 16_384


def test_compiled_threads_follow_numba_num_threads(monkeypatch):
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    assert compiled.thread_count() == 1
    monkeypatch.delenv("NUMBA_NUM_THREADS")
    assert compiled.thread_count() >= 1


def test_delegated_needs_no_numpy_buffer():
    """On tensors ``"auto"`` allocates nothing on the NumPy side (PyTorch's kernel
    does its own allocation, which tracemalloc does not see)."""
    x = torch.randn(2, 16, 20, 20)
    w = torch.randn(16, 8, 4, 4)
    tconv.conv_transpose(x, w, stride=2, padding=((1, 2), (0, 1)))  # first-call imports
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        tconv.conv_transpose(x, w, stride=2, padding=((1, 2), (0, 1)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64_000


# --------------------------------------------------------------------------- delegation

def test_delegated_ops_equal_torch():
    """max_pool, max_unpool, interpolate and pixel_shuffle on float tensors are
    PyTorch's own results, bit for bit, and keep their gradients."""
    F = torch.nn.functional
    x = torch.randn(2, 3, 8, 8, requires_grad=True)
    values, indices = tconv.max_pool(x, 2, return_indices=True)
    expected = F.max_pool2d(x, 2, return_indices=True)
    assert torch.equal(values, expected[0]) and torch.equal(indices, expected[1])
    assert values.requires_grad
    unpooled = tconv.max_unpool(values, indices, 2)
    assert torch.equal(unpooled, F.max_unpool2d(expected[0], expected[1], 2))
    with torch.no_grad():
        for mode in ("nearest", "bilinear", "bicubic"):
            got = tconv.interpolate(x, scale_factor=1.5, mode=mode)
            assert torch.equal(got, F.interpolate(x, scale_factor=1.5, mode=mode)), mode
    # With a gradient, only the modes whose PyTorch backward is the adjoint are delegated.
    got = tconv.interpolate(x, scale_factor=1.5, mode="bilinear")
    assert torch.equal(got, F.interpolate(x, scale_factor=1.5, mode="bilinear"))
    assert got.grad_fn is not None
    y = torch.randn(2, 12, 4, 4, requires_grad=True)
    shuffled = tconv.pixel_shuffle(y, 2)
    assert torch.equal(shuffled, F.pixel_shuffle(y, 2)) and shuffled.requires_grad


# --------------------------------------------------------------------------- "col2im"

@needs_numba
@scaled(0.1)
@given(cases(True, symmetric=False).map(lambda c: dataclasses.replace(c, groups=1)),
       st.sampled_from(["x", "weight", "both"]))
def test_col2im_gives_torch_results_on_non_finite_values(c, where):
    """Only real products are added (no padding zero meets a weight), as in PyTorch.

    Ungrouped cases only: grouped layers run ``"gemm"``.
    """
    x, weight, bias = c.arrays()
    if where in ("x", "both"):
        x = _poison(x, c.seed)
    if where in ("weight", "both"):
        weight = _poison(weight, c.seed + 1)
    expected, _ = ref.expected_and_scale(c, x, weight, bias)
    got = tconv.conv_transpose(x, weight, bias, algorithm="col2im", **c.kwargs())
    _same_non_finite(got, expected, f"col2im {where} {c!r}")


@needs_numba
def test_col2im_crop_never_computes_a_cropped_inf():
    """The crop by padding drops the product ``x0*w0 = inf`` of the full output."""
    x, w = np.ones((1, 1, 1)), np.array([[[np.inf, 0.0, 1.0]]])
    got = tconv.conv_transpose(x, w, padding=((2, 0),), algorithm="col2im")
    np.testing.assert_array_equal(got, [[[1.0]]])


@needs_numba
@pytest.mark.parametrize("batch", [1, 6])
def test_col2im_memory_is_output_plus_one_bounded_buffer(batch, monkeypatch):
    """Extra memory of ``"col2im"``: its column buffer only (bounded by ``BUFFER``)."""
    from tconv._algorithms import col2im

    monkeypatch.setattr(col2im, "BUFFER", 20_000)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 16, 12, 12), dtype=np.float32)
    w = rng.standard_normal((16, 8, 4, 4), dtype=np.float32)
    call = lambda: tconv.conv_transpose(x, w, stride=2, padding=1, output_padding=1,
                                        algorithm="col2im")
    got = call()  # compile / load outside the measurement
    want = ref.numpy(ref.CONV_TRANSPOSE[2](ref.tensor(x), ref.tensor(w), None, stride=2,
                                           padding=1, output_padding=1))
    scale = ref.numpy(ref.CONV_TRANSPOSE[2](ref.tensor(np.abs(x)), ref.tensor(np.abs(w)),
                                            None, stride=2, padding=1, output_padding=1))
    assert_close(got, want, dtype=np.float32, scale=scale)
    # The columns of one sample (8*16*144 values) exceed the buffer: channel chunks.
    assert _extra_bytes(call) <= 20_000 * 4 + 16_384


@needs_numba
def test_col2im_grouped_and_torch_inputs_run_gemm():
    """Grouped layers and non-NumPy arrays take the pure-array ``"gemm"`` path."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 4, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    want = ref.numpy(ref.CONV_TRANSPOSE[2](ref.tensor(x), ref.tensor(w), None, stride=2,
                                           groups=2))
    assert_close(tconv.conv_transpose(x, w, stride=2, groups=2, algorithm="col2im"), want)
    got = tconv.conv_transpose(torch.from_numpy(x), torch.from_numpy(w), stride=2, groups=2,
                               algorithm="col2im")
    assert_close(got.numpy(), want)


@needs_numba
def test_auto_picks_col2im_for_large_ungrouped_numpy_layers(monkeypatch):
    """Over ``COL2IM_WORK`` multiply-adds, 16x16 inputs, 2-D, no groups: ``"col2im"``."""
    import tconv._conv as core

    picked = []
    original = core.choose
    monkeypatch.setattr(core, "choose", lambda *a, **k: picked.append(original(*a, **k))
                        or picked[-1])
    w = np.zeros((256, 256, 4, 4), np.float32)
    tconv.conv_transpose(np.zeros((1, 256, 32, 32), np.float32), w, stride=2, padding=1)
    tconv.conv_transpose(np.zeros((1, 256, 8, 8), np.float32), w, stride=2, padding=1)
    assert picked == ["col2im", "gemm"]
