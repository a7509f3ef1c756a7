"""``tconv.max_pool`` and ``tconv.max_unpool`` against PyTorch.

* Geometry: the window count (and whether any window fits) equals PyTorch's
  for every small 1-D configuration, ``ceil_mode`` included.
* Values AND indices equal ``torch.nn.functional.max_pool{1,2,3}d`` exactly
  (float64 and float32) on random geometry drawn valid by construction, on
  data with ties, NaN and ``-inf``; ``max_unpool{1,2,3}d`` likewise, with
  every ``output_size`` form.
* Torch tensors in, torch tensors out; gradients equal torch's autograd.
* The worked examples of docs/rules/onnx.md and docs/rules/pytorch.md, literally.
* Bad input raises ValueError/TypeError naming the parameter.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import scaled
from _tol import assert_close
from tconv._geometry.pool import pool_length

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.usefixtures("torch_one_thread")

POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
UNPOOL = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}
# Per rank: largest kernel, stride, dilation.
LIMITS = {1: (4, 4, 3), 2: (4, 3, 3), 3: (3, 3, 2)}


def values_for(kind: str, shape, seed: int, dtype=np.float64) -> np.ndarray:
    """``normal`` data, ``ties`` (few distinct integers), or ``special`` (NaN, -inf too)."""
    rng = np.random.default_rng(seed)
    if kind == "ties":
        return rng.integers(-2, 3, shape).astype(dtype)
    x = rng.standard_normal(shape).astype(dtype)
    if kind == "special":
        x[rng.random(shape) < 0.08] = np.nan
        x[rng.random(shape) < 0.08] = -np.inf
    return x


@st.composite
def pool_cases(draw, *, ceil=True, dilation=True, max_rank=3):
    """A max_pool call: per axis kernel, stride, dilation, padding <= k//2, then a size.

    The size starts where PyTorch's ceil_mode can still fit a window that
    holds no input at all (``n + 2p = ke - s + 1``), so both the valid and
    the just-invalid geometries are drawn; the test asks PyTorch which.
    """
    rank = draw(st.integers(1, max_rank))
    k_max, s_max, d_max = LIMITS[rank]
    kernel, stride, dil, pad, size = [], [], [], [], []
    for _ in range(rank):
        k = draw(st.integers(1, k_max))
        s = draw(st.integers(1, s_max))
        d = draw(st.integers(1, d_max)) if dilation else 1
        p = draw(st.integers(0, k // 2))
        least = max(1, d * (k - 1) + 1 - 2 * p - (s - 1))
        kernel.append(k), stride.append(s), dil.append(d), pad.append(p)
        size.append(draw(st.integers(least, least + (6 if rank < 3 else 4))))
    return {
        "rank": rank,
        "shape": (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size),
        "kernel_size": tuple(kernel),
        "stride": None if draw(st.booleans()) and stride == kernel else tuple(stride),
        "padding": tuple(pad),
        "dilation": tuple(dil),
        "ceil_mode": draw(st.booleans()) if ceil else False,
        "kind": draw(st.sampled_from(["normal", "ties", "special"])),
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def _kwargs(case):
    return {name: case[name] for name in ("stride", "padding", "dilation", "ceil_mode")}


def _torch_pool(case, x, **extra):
    """PyTorch's max_pool, or None where PyTorch refuses the geometry."""
    try:
        return POOL[case["rank"]](x, case["kernel_size"], return_indices=True,
                                  **_kwargs(case), **extra)
    except RuntimeError:
        return None


# --------------------------------------------------------------------------- geometry


def test_window_count_matches_torch_exhaustively():
    """Every 1-D geometry with n <= 9, k <= 4, s <= 3, d <= 3, p <= k//2, both modes."""
    for n in range(1, 10):
        for k in range(1, 5):
            for s in range(1, 4):
                for d in range(1, 4):
                    for p in range(k // 2 + 1):
                        for ceil_mode in (False, True):
                            x = torch.zeros(1, 1, n)
                            try:
                                expected = F.max_pool1d(x, k, s, p, d, ceil_mode).shape[-1]
                            except RuntimeError:
                                expected = 0
                            got = max(pool_length(n, k, s, d, p, p, ceil_mode), 0)
                            assert got == expected, (n, k, s, d, p, ceil_mode)


# --------------------------------------------------------------------------- parity


@given(pool_cases(), st.sampled_from([np.float64, np.float32]))
@example({"rank": 1, "shape": (1, 1, 3), "kernel_size": (2,), "stride": (2,),
          "padding": (1,), "dilation": (5,), "ceil_mode": True, "kind": "normal",
          "seed": 0}, np.float64)  # a ceil_mode window holding no input at all
@example({"rank": 2, "shape": (1, 1, 5, 5), "kernel_size": (3, 3), "stride": (1, 1),
          "padding": (1, 1), "dilation": (1, 1), "ceil_mode": False, "kind": "ties",
          "seed": 1}, np.float32)
def test_max_pool_matches_torch(case, dtype):
    x = values_for(case["kind"], case["shape"], case["seed"], dtype)
    reference = _torch_pool(case, torch.from_numpy(x))
    if reference is None:
        with pytest.raises(ValueError, match="max_pool"):
            tconv.max_pool(x, case["kernel_size"], **_kwargs(case))
        return
    values, indices = tconv.max_pool(x, case["kernel_size"], return_indices=True,
                                     **_kwargs(case))
    assert values.dtype == dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(values, reference[0].numpy())  # NaN == NaN here
    np.testing.assert_array_equal(indices, reference[1].numpy())
    alone = tconv.max_pool(x, case["kernel_size"], **_kwargs(case))
    np.testing.assert_array_equal(alone, values)


@given(pool_cases())
@scaled(0.3)
def test_max_pool_unbatched_equals_batched(case):
    x = values_for(case["kind"], case["shape"], case["seed"])
    if _torch_pool(case, torch.from_numpy(x)) is None:
        return
    batched = tconv.max_pool(x, case["kernel_size"], return_indices=True, **_kwargs(case))
    for b in range(x.shape[0]):
        alone = tconv.max_pool(x[b], case["kernel_size"], return_indices=True,
                               **_kwargs(case))
        np.testing.assert_array_equal(alone[0], batched[0][b])
        np.testing.assert_array_equal(alone[1], batched[1][b])


@given(pool_cases(ceil=False), st.data())
@scaled(0.3)
def test_padding_pairs(case, data):
    """``(before, after)`` pairs (beyond PyTorch) equal torch on an input padded with -inf.

    Symmetric pairs equal the int form; for unequal sides the indices are
    torch's on the padded plane, shifted back.
    """
    rank = case["rank"]
    x = values_for(case["kind"], case["shape"], case["seed"])
    pads = tuple((lo, data.draw(st.integers(0, k // 2)))
                 for lo, k in zip(case["padding"], case["kernel_size"]))
    kwargs = {**_kwargs(case), "padding": tuple((p, p) for p in case["padding"])}
    if _torch_pool(case, torch.from_numpy(x)) is not None:
        same = tconv.max_pool(x, case["kernel_size"], return_indices=True, **kwargs)
        expected = tconv.max_pool(x, case["kernel_size"], return_indices=True,
                                  **_kwargs(case))
        np.testing.assert_array_equal(same[0], expected[0])
        np.testing.assert_array_equal(same[1], expected[1])
    flat = [p for lo_hi in reversed(pads) for p in lo_hi]
    padded = F.pad(torch.from_numpy(x), flat, value=-math.inf)
    reference = _torch_pool({**case, "padding": (0,) * rank}, padded)
    kwargs["padding"] = pads
    if reference is None:
        with pytest.raises(ValueError, match="max_pool"):
            tconv.max_pool(x, case["kernel_size"], **kwargs)
        return
    values, indices = tconv.max_pool(x, case["kernel_size"], return_indices=True, **kwargs)
    np.testing.assert_array_equal(values, reference[0].numpy())
    # torch's index is on the padded plane: unravel, shift by lo, ravel on x's plane.
    coords = np.unravel_index(reference[1].numpy(), padded.shape[2:])
    shifted = np.ravel_multi_index(tuple(c - lo for c, (lo, _) in zip(coords, pads)),
                                   x.shape[2:], mode="clip")
    # A window of padding only (all -inf) keeps PyTorch's first-inside index; skip those.
    real = np.isfinite(values) | np.isnan(values)
    np.testing.assert_array_equal(indices[real], shifted[real])


@given(pool_cases(), st.data())
@scaled(0.5)
def test_max_unpool_matches_torch_on_pool_indices(case, data):
    """Unpooling what max_pool returned, into the default size or the pooled input's size."""
    rank = case["rank"]
    x = values_for(case["kind"], case["shape"], case["seed"])
    reference = _torch_pool(case, torch.from_numpy(x))
    if reference is None:
        return
    values, indices = reference
    stride = case["stride"]
    padding = case["padding"]
    kernel = case["kernel_size"]
    step = kernel if stride is None else stride
    default = tuple((o - 1) * s + k - 2 * p for o, s, k, p in
                    zip(values.shape[2:], step, kernel, padding))
    choices = [None, x.shape[2:], x.shape]
    form = data.draw(st.sampled_from(range(3)))
    output_size = choices[form]
    sizes = default if output_size is None else tuple(x.shape[2:])
    legal = all(d - s < n < d + s for n, d, s in zip(sizes, default, step))
    fits = int(indices.max()) < math.prod(sizes) and min(sizes) >= 1
    if not (legal and fits):
        with pytest.raises(ValueError, match="output_size|indices|empty"):
            tconv.max_unpool(values.numpy(), indices.numpy(), kernel, stride, padding,
                             output_size)
        return
    expected = UNPOOL[rank](values, indices, kernel, stride, padding, output_size)
    got = tconv.max_unpool(values.numpy(), indices.numpy(), kernel, stride, padding,
                           output_size)
    np.testing.assert_array_equal(got, expected.numpy())


@st.composite
def unpool_cases(draw):
    """Any legal unpool: kernel, stride, padding, pooled size, an output size in range,
    and distinct random indices per plane."""
    rank = draw(st.integers(1, 3))
    kernel, stride, pad, size, out = [], [], [], [], []
    for _ in range(rank):
        k = draw(st.integers(1, 4))
        s = draw(st.integers(1, 3))
        p = draw(st.integers(0, 2))
        least = 1 + max(0, -(-(1 - k + 2 * p) // s))  # a default size >= 1
        n = draw(st.integers(least, least + (4 if rank < 3 else 2)))
        default = (n - 1) * s + k - 2 * p
        kernel.append(k), stride.append(s), pad.append(p), size.append(n)
        out.append(draw(st.integers(max(default - s + 1, 1), default + s - 1)))
    form = draw(st.sampled_from(["none", "spatial", "full"]))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size)
    return rank, shape, tuple(kernel), tuple(stride), tuple(pad), tuple(out), form, \
        draw(st.integers(0, 2**32 - 1))


@given(unpool_cases(), st.sampled_from([np.float64, np.float32]))
def test_max_unpool_matches_torch(case, dtype):
    rank, shape, kernel, stride, padding, out, form, seed = case
    rng = np.random.default_rng(seed)
    default = tuple((n - 1) * s + k - 2 * p for n, s, k, p in
                    zip(shape[2:], stride, kernel, padding))
    sizes = default if form == "none" else out
    plane, count = math.prod(sizes), math.prod(shape[2:])
    if count > plane:
        return  # no distinct indices fit
    x = rng.standard_normal(shape).astype(dtype)
    indices = np.stack([rng.permutation(plane)[:count] for _ in range(shape[0] * shape[1])])
    indices = indices.reshape(shape)
    output_size = {"none": None, "spatial": out, "full": shape[:2] + out}[form]
    expected = UNPOOL[rank](torch.from_numpy(x), torch.from_numpy(indices), kernel, stride,
                            padding, output_size)
    got = tconv.max_unpool(x, indices, kernel, stride, padding, output_size)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, expected.numpy())
    unbatched = tconv.max_unpool(x[0], indices[0], kernel, stride, padding,
                                 None if output_size is None else out)
    np.testing.assert_array_equal(unbatched, expected[0].numpy())


# --------------------------------------------------------------------------- torch tensors


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_tensor_in_tensor_out(dtype):
    x = torch.randn(2, 3, 6, 5, dtype=dtype, requires_grad=True)
    values, indices = tconv.max_pool(x, 2, padding=1, return_indices=True)
    assert isinstance(values, torch.Tensor) and values.dtype == dtype
    assert indices.dtype == torch.int64 and values.requires_grad
    reference = F.max_pool2d(x, 2, padding=1, return_indices=True)
    assert torch.equal(values, reference[0]) and torch.equal(indices, reference[1])
    unpooled = tconv.max_unpool(values, indices, 2, padding=1, output_size=(6, 5))
    assert isinstance(unpooled, torch.Tensor) and unpooled.dtype == dtype
    assert unpooled.requires_grad
    assert torch.equal(unpooled, F.max_unpool2d(*reference, 2, padding=1, output_size=(6, 5)))
    unbatched = tconv.max_pool(x[0], (2, 2), padding=1)
    assert torch.equal(unbatched, reference[0][0])


def test_every_backend_keeps_its_library(backend):
    x = backend.asarray(values_for("ties", (1, 2, 5, 4), 3))
    values, indices = tconv.max_pool(x, 2, stride=1, return_indices=True)
    unpooled = tconv.max_unpool(values, indices, 2, stride=1)
    reference = F.max_pool2d(torch.from_numpy(backend.to_numpy(x)), 2, 1, return_indices=True)
    for array in (values, indices, unpooled):
        assert type(array) is type(x)
    np.testing.assert_array_equal(backend.to_numpy(values), reference[0].numpy())
    np.testing.assert_array_equal(backend.to_numpy(indices), reference[1].numpy())
    np.testing.assert_array_equal(backend.to_numpy(unpooled),
                                  F.max_unpool2d(*reference, 2, 1).numpy())


@given(pool_cases())
@scaled(0.4)
def test_max_pool_gradient_equals_torch(case):
    """With ties the first maximum gets the gradient; overlapping windows add up.

    Not compared: windows holding no input at all (padding and dilation can
    leave every tap outside; the output is -inf). PyTorch's backward then
    sends the gradient to the flat plane position of the first tap past the
    padding, which is another element of the plane (or past its end); tconv
    gives those outputs no gradient path.
    """
    x = values_for("ties" if case["kind"] == "special" else case["kind"], case["shape"],
                   case["seed"])
    leaf, theirs = (torch.tensor(x, requires_grad=True) for _ in range(2))
    reference = _torch_pool(case, theirs)
    if reference is None or torch.isinf(reference[0]).any():
        return
    upstream = torch.from_numpy(np.random.default_rng(case["seed"]).standard_normal(
        tuple(reference[0].shape)))
    values = tconv.max_pool(leaf, case["kernel_size"], **_kwargs(case))
    (got,) = torch.autograd.grad(values, leaf, upstream)
    (expected,) = torch.autograd.grad(reference[0], theirs, upstream)
    # Overlapping windows sum several upstream values, in another order than torch's.
    assert_close(got.numpy(), expected.numpy(), what="gradient")


@given(unpool_cases())
@scaled(0.3)
def test_max_unpool_gradient_equals_torch(case):
    rank, shape, kernel, stride, padding, out, _, seed = case
    rng = np.random.default_rng(seed)
    plane, count = math.prod(out), math.prod(shape[2:])
    if count > plane:
        return
    indices = torch.from_numpy(np.stack(
        [rng.permutation(plane)[:count] for _ in range(shape[0] * shape[1])]).reshape(shape))
    x = rng.standard_normal(shape)
    leaf, theirs = (torch.tensor(x, requires_grad=True) for _ in range(2))
    expected_out = UNPOOL[rank](theirs, indices, kernel, stride, padding, out)
    upstream = torch.from_numpy(rng.standard_normal(tuple(expected_out.shape)))
    got_out = tconv.max_unpool(leaf, indices, kernel, stride, padding, out)
    (got,) = torch.autograd.grad(got_out, leaf, upstream)
    (expected,) = torch.autograd.grad(expected_out, theirs, upstream)
    assert torch.equal(got, expected)


def test_gradient_of_a_window_without_input():
    """A window holding no input (padding (0, 1), dilation 3) is -inf, its index PyTorch's
    first tap past the padding (flattened as ``h*W + w`` though ``w`` is outside the plane);
    on PyTorch tensors max_pool runs PyTorch's kernel, so the gradient goes there too."""
    x = np.arange(4.0).reshape(1, 1, 2, 2)
    leaf, theirs = (torch.tensor(x, requires_grad=True) for _ in range(2))
    values, indices = tconv.max_pool(leaf, (1, 2), 1, (0, 1), (1, 3), return_indices=True)
    expected = F.max_pool2d(theirs, (1, 2), 1, (0, 1), (1, 3), return_indices=True)
    assert torch.equal(values, expected[0]) and torch.equal(indices, expected[1])
    values.sum().backward()
    expected[0].sum().backward()
    assert torch.equal(leaf.grad, theirs.grad)


def test_gradcheck():
    x = torch.randn(1, 2, 5, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda t: tconv.max_pool(t, 3, 2, 1), (x,))
    values, indices = F.max_pool2d(x.detach(), 2, return_indices=True)
    values.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: tconv.max_unpool(t, indices, 2), (values,))


# --------------------------------------------------------------------------- worked examples


def test_semantics_3_3_ceil_mode_examples():
    """n=5,k=2,s=2,p=1,ceil -> 3 windows [0,2,4] (not 4); n=9,k=3,s=4,p=1,ceil -> [1,5,8]."""
    got = tconv.max_pool(np.arange(5.0)[None, None], 2, stride=2, padding=1, ceil_mode=True)
    assert got.tolist() == [[[0.0, 2.0, 4.0]]]
    got = tconv.max_pool(np.arange(9.0)[None, None], 3, stride=4, padding=1, ceil_mode=True)
    assert got.tolist() == [[[1.0, 5.0, 8.0]]]


def test_semantics_3_3_ties_nan_padding():
    values, indices = tconv.max_pool([[[5, 5]]], 2, return_indices=True)
    assert values.tolist() == [[[5.0]]] and indices.tolist() == [[[0]]]  # first maximum
    nan = float("nan")
    values, indices = tconv.max_pool([[[1, nan, 3, nan, 2]]], 5, return_indices=True)
    assert np.isnan(values).all() and indices.tolist() == [[[3]]]  # NaN wins, the last one
    values, indices = tconv.max_pool([[[-5, -7]]], 3, stride=1, padding=1,
                                     return_indices=True)
    assert values.tolist() == [[[-5.0, -5.0]]] and indices.tolist() == [[[0, 0]]]
    # ceil_mode window with no input in it: -inf, its index where PyTorch puts it (4).
    values, indices = tconv.max_pool([[[0, 1, 2]]], 2, stride=2, padding=1, dilation=5,
                                     ceil_mode=True, return_indices=True)
    assert values.tolist() == [[[-math.inf]]] and indices.tolist() == [[[4]]]


def test_semantics_5_5_pool_and_unpool():
    x = [[[1, 9, 2, 3], [4, 5, 8, 6], [7, 0, 1, 2], [3, 4, 5, 6]]]
    values, indices = tconv.max_pool(x, (2, 2), return_indices=True)
    assert values.tolist() == [[[9, 8], [7, 6]]]
    assert indices.tolist() == [[[1, 6], [8, 15]]]
    unpooled = tconv.max_unpool(values, indices, (2, 2))
    expected = np.zeros((1, 4, 4))
    expected.flat[[1, 6, 8, 15]] = [9, 8, 7, 6]
    np.testing.assert_array_equal(unpooled, expected)


def test_semantics_3_4_output_size_range():
    """2x2 pooled, k=s=2: output sizes 3..5 legal (d values or the full shape), 6 rejected."""
    x = np.arange(4.0).reshape(1, 1, 2, 2)
    indices = np.array([[[[0, 1], [2, 3]]]])
    for n in (3, 4, 5):
        for output_size in ((n, n), (1, 1, n, n)):
            got = tconv.max_unpool(x, indices, 2, output_size=output_size)
            expected = F.max_unpool2d(torch.from_numpy(x), torch.from_numpy(indices), 2,
                                      output_size=output_size)
            np.testing.assert_array_equal(got, expected.numpy())
    for n in (2, 6):
        with pytest.raises(ValueError, match=r"output_size.*3\.\.5"):
            tconv.max_unpool(x, indices, 2, output_size=(n, n))


def test_overlapping_windows_share_indices():
    """Several windows picking one position carry one value, written back once."""
    x = np.array([[[0.0, 9.0, 0.0, 0.0]]])
    values, indices = tconv.max_pool(x, 3, stride=1, return_indices=True)
    assert indices.tolist() == [[[1, 1]]]
    np.testing.assert_array_equal(tconv.max_unpool(values, indices, 3, stride=1), x)


# --------------------------------------------------------------------------- errors


X2 = np.zeros((1, 1, 4, 4))
POOLED = np.zeros((1, 1, 2, 2))
INDICES = np.array([[[[0, 1], [2, 3]]]])


@pytest.mark.parametrize("kwargs, error, name", [
    ({"kernel_size": 3, "padding": 2}, ValueError, "padding"),
    ({"kernel_size": (2, 3), "padding": (1, 2)}, ValueError, "padding"),
    ({"kernel_size": 2, "padding": -1}, ValueError, "padding"),
    ({"kernel_size": 2, "padding": "same"}, TypeError, "padding"),
    ({"kernel_size": 0}, ValueError, "kernel_size"),
    ({"kernel_size": 2.0}, TypeError, "kernel_size"),
    ({"kernel_size": (2, 2, 2, 2)}, ValueError, "kernel_size"),
    ({"kernel_size": (2, 2, 2)}, ValueError, "kernel_size"),
    ({"kernel_size": 2, "stride": 0}, ValueError, "stride"),
    ({"kernel_size": 2, "dilation": 0}, ValueError, "dilation"),
    ({"kernel_size": 5}, ValueError, "empty"),
    ({"kernel_size": 2, "dilation": 4}, ValueError, "empty"),
    ({"kernel_size": 2, "ceil_mode": 1}, TypeError, "ceil_mode"),
    ({"kernel_size": 2, "return_indices": "yes"}, TypeError, "return_indices"),
])
def test_max_pool_errors(kwargs, error, name):
    with pytest.raises(error, match=f"^max_pool: .*{name}"):
        tconv.max_pool(X2, **kwargs)


def test_max_pool_input_errors():
    with pytest.raises(ValueError, match="kernel_size"):
        tconv.max_pool(np.zeros((4, 4)), 2)  # int kernel_size needs batched input
    with pytest.raises(ValueError, match="x has shape"):
        tconv.max_pool(np.zeros((1, 0, 4)), 2)
    with pytest.raises(TypeError, match="x"):
        tconv.max_pool(np.array([["a"]]), (1,))


@pytest.mark.parametrize("args, kwargs, error, name", [
    ((POOLED, INDICES[..., :1], 2), {}, ValueError, "indices"),
    ((POOLED, INDICES + 13, 2), {}, ValueError, "indices"),
    ((POOLED, INDICES - 1, 2), {}, ValueError, "indices"),
    ((POOLED, INDICES.astype(float), 2), {}, TypeError, "indices"),
    ((POOLED, INDICES, 2), {"output_size": (6, 6)}, ValueError, "output_size"),
    ((POOLED, INDICES, 2), {"output_size": (5,)}, ValueError, "output_size"),
    ((POOLED, INDICES, 2), {"output_size": 2.5}, TypeError, "output_size"),
    ((POOLED, INDICES, 2), {"padding": -1}, ValueError, "padding"),
    ((POOLED, INDICES, 2), {"stride": 0}, ValueError, "stride"),
    ((POOLED, INDICES, 0), {}, ValueError, "kernel_size"),
    ((POOLED, INDICES, 1), {"padding": 1}, ValueError, "empty"),
])
def test_max_unpool_errors(args, kwargs, error, name):
    with pytest.raises(error, match=f"^max_unpool: .*{name}"):
        tconv.max_unpool(*args, **kwargs)


def test_out_of_range_index_message_states_the_range():
    with pytest.raises(ValueError, match=r"indices.*0\.\.15"):
        tconv.max_unpool(POOLED, INDICES + 13, 2)
