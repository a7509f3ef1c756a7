"""Every algorithm agrees with the reference one, on every array library.

``"scatter"`` is the readable reference of ``conv_transpose``; ``"direct"`` is
that of ``conv``. On NumPy, PyTorch and array_api_strict inputs (the
``backend`` fixture) every algorithm must give the reference's values, with
the output shape that ``conv_transpose_output_shape`` / ``conv_output_shape``
promise, the input's array library and dtype, and batched results equal to the
stacked unbatched ones.
"""

from __future__ import annotations

import numpy as np
import pytest
from array_api_compat import array_namespace
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import case, cases, compact, scaled
from _tol import assert_close

pytestmark = pytest.mark.usefixtures("torch_one_thread")

DTYPES = st.sampled_from(["float64", "float32"])

OPS = {
    True: (tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS, "scatter"),
    False: (tconv.conv, tconv.CONV_ALGORITHMS, "direct"),
}


def _inputs(backend, c, dtype):
    x, weight, bias = c.arrays(np.dtype(dtype))
    return (backend.asarray(x), backend.asarray(weight),
            None if bias is None else backend.asarray(bias))


def _promised_shape(c):
    options = {"stride": compact(c.stride), "padding": c.padding,
               "dilation": compact(c.dilation)}
    if c.transposed:
        spatial = tconv.conv_transpose_output_shape(
            c.in_size, c.kernel_size, output_padding=compact(c.output_padding), **options)
    else:
        spatial = tconv.conv_output_shape(c.in_size, c.kernel_size, **options)
    lead = () if c.batch is None else (c.batch,)
    return (*lead, c.out_channels, *spatial)


def _check_kind(backend, got, x, what):
    """Same array type, namespace and dtype as the input, before any value check."""
    assert type(got) is type(x), f"{what}: {type(got)} is not {type(x)} ({backend})"
    assert array_namespace(got) is array_namespace(x), what
    assert got.dtype == x.dtype, f"{what}: dtype {got.dtype} != {x.dtype}"


def _check_all_agree(backend, c, dtype):
    op, algorithms, reference = OPS[c.transposed]
    x, weight, bias = _inputs(backend, c, dtype)
    shape = _promised_shape(c)
    assert shape == c.y_shape  # the shape function agrees with docs/rules/pytorch.md
    expected = op(x, weight, bias, algorithm=reference, **c.kwargs())
    _check_kind(backend, expected, x, reference)
    assert tuple(expected.shape) == shape
    x_abs, w_abs, b_abs = (None if a is None else np.abs(a) for a in c.arrays())
    scale = op(x_abs, w_abs, b_abs, **c.kwargs())
    for name in algorithms:
        got = op(x, weight, bias, algorithm=name, **c.kwargs())
        _check_kind(backend, got, x, name)
        assert tuple(got.shape) == shape, f"{name}: shape {tuple(got.shape)} != {shape}"
        assert_close(backend.to_numpy(got), backend.to_numpy(expected), dtype=dtype,
                     scale=scale, what=f"{name} vs {reference} on {backend}: {c!r}")


@scaled(0.1, fixtures=True)
@given(c=cases(transposed=True, symmetric=False), dtype=DTYPES)
@example(c=case(True, (3, 3), 3, stride=2, padding=1, output_padding=1, groups=2,
                in_channels=2, out_channels=4, has_bias=True), dtype="float64")
@example(c=case(True, 3, 2, stride=1, dilation=3, output_padding=2, batch=None),
         dtype="float32")
# The start padding crops past the end of the full output (F=1, before=2): zeros only.
@example(c=case(True, 1, 1, dilation=3, padding=((2, 0),), output_padding=2),
         dtype="float64")
def test_every_conv_transpose_algorithm_equals_scatter(backend, c, dtype):
    _check_all_agree(backend, c, dtype)


@scaled(0.1, fixtures=True)
@given(c=cases(transposed=False, symmetric=False), dtype=DTYPES)
@example(c=case(False, (5, 5), 3, stride=2, padding=((0, 1), (2, 0)), groups=2,
                in_channels=2, out_channels=4, has_bias=True), dtype="float64")
def test_every_conv_algorithm_equals_direct(backend, c, dtype):
    _check_all_agree(backend, c, dtype)


@scaled(0.05, fixtures=True)
@given(transposed=st.booleans(), data=st.data())
def test_batched_equals_stacked_unbatched(backend, transposed, data):
    c = data.draw(cases(transposed=transposed, symmetric=False, batched=True))
    c = c.replace(batch=data.draw(st.integers(2, 3)))
    op, algorithms, _ = OPS[transposed]
    x, weight, bias = _inputs(backend, c, "float64")
    xs = c.arrays()[0]
    for name in algorithms:
        whole = backend.to_numpy(op(x, weight, bias, algorithm=name, **c.kwargs()))
        for i in range(c.batch):
            single = op(backend.asarray(xs[i]), weight, bias, algorithm=name, **c.kwargs())
            assert tuple(single.shape) == c.y_shape[1:], name
            assert_close(backend.to_numpy(single), whole[i],
                         what=f"{name}: sample {i} of {c!r}")


@pytest.mark.parametrize("transposed", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_result_keeps_library_dtype_and_batchedness(backend, transposed, dtype):
    """(float16, which array_api_strict lacks, is in test_dtypes.py.)"""
    op, algorithms, _ = OPS[transposed]
    c = case(transposed, (4, 3), 2, stride=2, padding=((1, 0), 1), groups=2, in_channels=2,
             out_channels=4, has_bias=True)
    for batch in (None, 2):
        c = c.replace(batch=batch)
        x, weight, bias = _inputs(backend, c, dtype)
        for name in algorithms:
            got = op(x, weight, bias, algorithm=name, **c.kwargs())
            _check_kind(backend, got, x, f"{name} {dtype}")
            assert tuple(got.shape) == c.y_shape, name


# ------------------------------------------------------------ what "auto" picks


def _auto_pick(monkeypatch, x, w, **options):
    import tconv._conv as core

    picked = []
    original = core.choose

    def spy(*args, **kwargs):
        picked.append(original(*args, **kwargs))
        return picked[-1]

    monkeypatch.setattr(core, "choose", spy)
    tconv.conv_transpose(x, w, **options)
    return picked


@pytest.mark.parametrize(("batch", "expected"), [(1, "scatter"), (64, "gemm")])
def test_auto_counts_the_whole_batch_on_numpy(monkeypatch, batch, expected):
    """The autoencoder's first decoder layer (32->16, 4x4, k3 s2) is tiny for one
    sample (74k multiply-adds) but not for a batch of 64 (4.7M)."""
    x = np.zeros((batch, 32, 4, 4), np.float32)
    w = np.zeros((32, 16, 3, 3), np.float32)
    options = {"stride": 2, "padding": 1, "output_padding": 1}
    assert _auto_pick(monkeypatch, x, w, **options) == [expected]


def test_auto_on_torch_tensors_delegates_or_never_picks_scatter(monkeypatch):
    """float32/float64 tensors run PyTorch's own kernel (nothing picked); other dtypes
    run tconv's algorithms, never the per-tap ``"scatter"``."""
    torch = pytest.importorskip("torch")
    x, w = torch.zeros((1, 2, 3, 3)), torch.zeros((2, 2, 3, 3))
    assert _auto_pick(monkeypatch, x.numpy(), w.numpy(), stride=2) == ["scatter"]
    assert _auto_pick(monkeypatch, x, w, stride=2) == []
    half = (x.to(torch.float16), w.to(torch.float16))
    assert _auto_pick(monkeypatch, *half, stride=2) == ["gemm"]
