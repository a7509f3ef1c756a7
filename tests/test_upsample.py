"""``pixel_shuffle``, ``pixel_unshuffle``, ``bed_of_nails`` and ``upsampling_kernel``.

* pixel_shuffle / pixel_unshuffle equal PyTorch's (values, any leading axes,
  float64 and float32) and invert each other; gradients equal torch's.
* bed_of_nails equals its definition and PyTorch's max_unpool with every
  index at its block's first position.
* upsampling_kernel: "nearest" reproduces ``interpolate(mode="nearest")``
  everywhere; "bilinear" reproduces ``interpolate(mode="bilinear",
  align_corners=False)`` (linear / trilinear for rank 1 / 3) away from the
  borders, differs exactly on the first and last ``factor // 2`` rows and
  columns, and equals it everywhere on a replicate-padded input.
* Bad input raises ValueError/TypeError naming the parameter.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tconv
from _cases import scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.usefixtures("torch_one_thread")

LINEAR = {1: "linear", 2: "bilinear", 3: "trilinear"}
UNPOOL = {1: F.max_unpool1d, 2: F.max_unpool2d, 3: F.max_unpool3d}


@st.composite
def shuffle_cases(draw):
    """Leading axes (0-2 beyond C), a factor r, channels C*r*r, a small H and W."""
    r = draw(st.integers(1, 3))
    lead = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    shape = (*lead, draw(st.integers(1, 3)) * r * r, draw(st.integers(1, 4)),
             draw(st.integers(1, 4)))
    return shape, r, draw(st.integers(0, 2**32 - 1))


# --------------------------------------------------------------------------- pixel shuffle


@given(shuffle_cases(), st.sampled_from([np.float64, np.float32]))
def test_pixel_shuffle_matches_torch_and_round_trips(case, dtype):
    shape, r, seed = case
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    y = tconv.pixel_shuffle(x, r)
    assert y.dtype == dtype
    np.testing.assert_array_equal(y, F.pixel_shuffle(torch.from_numpy(x), r).numpy())
    back = tconv.pixel_unshuffle(y, r)
    np.testing.assert_array_equal(back, F.pixel_unshuffle(torch.from_numpy(y), r).numpy())
    np.testing.assert_array_equal(back, x)


@given(shuffle_cases())
@scaled(0.3)
def test_pixel_shuffle_gradient_equals_torch(case):
    shape, r, seed = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    leaf, theirs = (torch.tensor(x, requires_grad=True) for _ in range(2))
    y, expected_y = tconv.pixel_shuffle(leaf, r), F.pixel_shuffle(theirs, r)
    assert torch.equal(y, expected_y)
    upstream = torch.from_numpy(rng.standard_normal(tuple(y.shape)))
    assert torch.equal(torch.autograd.grad(y, leaf, upstream)[0],
                       torch.autograd.grad(expected_y, theirs, upstream)[0])
    z = tconv.pixel_unshuffle(leaf.detach().reshape(y.shape).requires_grad_(), r)
    assert z.requires_grad


def test_semantics_pixel_shuffle_examples():
    """docs/rules/pytorch.md: 8 channels, r=2 -> [[0,1],[2,3]] and [[4,5],[6,7]]; a 4x4 ramp
    unshuffled has channels [0,1,4,5] at (0,0)."""
    y = tconv.pixel_shuffle(np.arange(8).reshape(1, 8, 1, 1), 2)
    assert y.tolist() == [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]]
    z = tconv.pixel_unshuffle(np.arange(16).reshape(1, 1, 4, 4), 2)
    assert z[0, :, 0, 0].tolist() == [0, 1, 4, 5]


def test_every_backend_keeps_its_library(backend):
    x = backend.asarray(np.arange(16.0).reshape(1, 4, 2, 2))
    for y in (tconv.pixel_shuffle(x, 2), tconv.pixel_unshuffle(x, 2),
              tconv.bed_of_nails(x, 2), tconv.bed_of_nails(x[0, ...], (2, 3))):
        assert type(y) is type(x)
    np.testing.assert_array_equal(backend.to_numpy(tconv.pixel_shuffle(x, 2)),
                                  F.pixel_shuffle(torch.arange(16.0).reshape(1, 4, 2, 2), 2))


# --------------------------------------------------------------------------- bed of nails


@st.composite
def nail_cases(draw):
    rank = draw(st.integers(1, 3))
    scale = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    size = tuple(draw(st.integers(1, 5 if rank < 3 else 3)) for _ in range(rank))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size)
    return rank, shape, scale, draw(st.integers(0, 2**32 - 1))


def _first_position_indices(shape, scale):
    """max_unpool indices putting each value at the first position of its block."""
    out = tuple(n * s for n, s in zip(shape[2:], scale))
    grids = np.meshgrid(*[np.arange(n) * s for n, s in zip(shape[2:], scale)], indexing="ij")
    flat = np.ravel_multi_index(tuple(grids), out)
    return np.broadcast_to(flat, shape).copy(), out


@given(nail_cases(), st.sampled_from([np.float64, np.float32]))
def test_bed_of_nails_definition_and_torch_max_unpool(case, dtype):
    rank, shape, scale, seed = case
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    form = scale[0] if len(set(scale)) == 1 and rank == len(shape) - 2 else scale
    y = tconv.bed_of_nails(x, form)
    assert y.dtype == dtype
    assert y.shape == shape[:2] + tuple(n * s for n, s in zip(shape[2:], scale))
    nails = (..., *[slice(None, None, s) for s in scale])
    np.testing.assert_array_equal(y[nails], x)  # the definition: values at block starts,
    rest = np.ones(y.shape, dtype=bool)
    rest[nails] = False
    assert not y[rest].any()  # zeros elsewhere
    indices, out = _first_position_indices(shape, scale)
    expected = UNPOOL[rank](torch.from_numpy(x), torch.from_numpy(indices), scale,
                            output_size=out)
    np.testing.assert_array_equal(y, expected.numpy())
    np.testing.assert_array_equal(tconv.max_unpool(x, indices, scale), y)
    np.testing.assert_array_equal(tconv.bed_of_nails(x[0], scale), y[0])


def test_bed_of_nails_tensor_and_gradient():
    x = torch.randn(2, 3, 4, 5, dtype=torch.float64, requires_grad=True)
    y = tconv.bed_of_nails(x, (2, 3))
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float64 and y.shape == (2, 3, 8, 15)
    upstream = torch.randn(y.shape, dtype=torch.float64)
    (grad,) = torch.autograd.grad(y, x, upstream)
    assert torch.equal(grad, upstream[..., ::2, ::3])
    assert torch.autograd.gradcheck(lambda t: tconv.bed_of_nails(t, 2), (x[:1, :1].detach()
                                                                        .requires_grad_(),))


# --------------------------------------------------------------------------- upsampling_kernel


def _upsample_by_kernel(x, mode, factor):
    """``conv_transpose`` with the kernel repeated over the channels, groups=C."""
    rank = x.ndim - 2
    weight, stride, padding = tconv.upsampling_kernel(mode, factor, rank=rank)
    channels = x.shape[1]
    weight = np.repeat(weight, channels, axis=0).astype(x.dtype)  # float64 would promote
    return tconv.conv_transpose(x, weight, stride=stride, padding=padding, groups=channels)


def _torch_upsample(x, mode, factor):
    rank = x.ndim - 2
    if mode == "nearest":
        return F.interpolate(torch.from_numpy(x), scale_factor=factor, mode="nearest").numpy()
    return F.interpolate(torch.from_numpy(x), scale_factor=factor, mode=LINEAR[rank],
                         align_corners=False).numpy()


SIZES = {1: (7,), 2: (5, 6), 3: (4, 3, 5)}


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5])
def test_nearest_kernel_equals_torch_everywhere(rank, factor):
    x = np.random.default_rng(factor).standard_normal((2, 3, *SIZES[rank]))
    y = _upsample_by_kernel(x, "nearest", factor)
    np.testing.assert_array_equal(y, _torch_upsample(x, "nearest", factor))


def _border_mask(shape, band):
    """True on every output whose position on some spatial axis is in a border band."""
    mask = np.zeros(shape, dtype=bool)
    for axis in range(2, len(shape)):
        index = [slice(None)] * len(shape)
        index[axis] = np.r_[0:band, shape[axis] - band:shape[axis]]
        mask[tuple(index)] = True
    return mask


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bilinear_kernel_equals_torch_away_from_borders(rank, factor, dtype):
    """Equal on the interior; the first and last ``factor // 2`` positions of each axis
    differ (in general: every one of them here, with positive random data); on an input
    replicate-padded by 1 and cropped by ``factor`` per side, equal everywhere."""
    rng = np.random.default_rng(10 * rank + factor)
    x = (rng.random((2, 3, *SIZES[rank])) + 0.5).astype(dtype)
    y = _upsample_by_kernel(x, "bilinear", factor)
    expected = _torch_upsample(x, "bilinear", factor)
    assert y.shape == expected.shape and y.dtype == dtype
    band = factor // 2
    border = _border_mask(y.shape, band)
    assert_close(y[~border], expected[~border], dtype=dtype, what="interior")
    differs = np.abs(y - expected) > 1e-3
    np.testing.assert_array_equal(differs, border)  # exactly the border bands differ
    # Torch clamps the source coordinate to the edge sample: replicate padding.
    padded = F.pad(torch.from_numpy(x), (1, 1) * rank, mode="replicate").numpy()
    full = _upsample_by_kernel(padded, "bilinear", factor)
    crop = (..., *[slice(factor, -factor)] * rank)
    assert_close(full[crop], expected, dtype=dtype, what="replicate-padded")


def test_bilinear_border_rows_and_columns_2d():
    """The docstring's statement, literally, for factor 4 on a 3x5 input: rows 0, 1, 10,
    11 and columns 0, 1, 18, 19 differ; everything else equals PyTorch."""
    x = np.arange(1.0, 16.0).reshape(1, 1, 3, 5) ** 2
    y = _upsample_by_kernel(x, "bilinear", 4)
    differs = ~np.isclose(y, _torch_upsample(x, "bilinear", 4), rtol=0, atol=1e-12)[0, 0]
    assert np.flatnonzero(differs.all(axis=1)).tolist() == [0, 1, 10, 11]
    assert np.flatnonzero(differs.all(axis=0)).tolist() == [0, 1, 18, 19]
    assert not differs[2:10, 2:18].any()
    assert differs[:2].all() and differs[-2:].all()
    assert differs[:, :2].all() and differs[:, -2:].all()


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 6, 7])
def test_bilinear_kernel_shape_stride_padding(factor):
    weight, stride, padding = tconv.upsampling_kernel("bilinear", factor, rank=2)
    k = 2 * factor - factor % 2
    assert weight.shape == (1, 1, k, k) and weight.dtype == np.float64
    assert stride == (factor, factor)
    assert padding == (math.ceil((factor - 1) / 2),) * 2 == (factor // 2,) * 2
    # Every output phase sums to one (a partition of unity): constants stay constant.
    taps = tconv.upsampling_kernel("bilinear", factor, rank=1)[0][0, 0]
    np.testing.assert_array_equal(weight[0, 0], np.multiply.outer(taps, taps))
    for phase in range(factor):
        assert math.isclose(taps[phase::factor].sum(), 1.0)
    assert tconv.upsampling_kernel("linear", factor, rank=2)[0].tolist() == weight.tolist()


def test_per_axis_factors():
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 5))
    weight, stride, padding = tconv.upsampling_kernel("bilinear", (2, 3))
    assert weight.shape == (1, 1, 4, 5) and stride == (2, 3) and padding == (1, 1)
    y = tconv.conv_transpose(x, np.repeat(weight, 2, axis=0), stride=stride,
                             padding=padding, groups=2)
    expected = F.interpolate(torch.from_numpy(x), scale_factor=(2, 3), mode="bilinear",
                             align_corners=False).numpy()
    assert_close(y[..., 1:-1, 1:-1], expected[..., 1:-1, 1:-1])


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("call, error, name", [
    (lambda: tconv.pixel_shuffle(np.zeros((1, 3, 2, 2)), 2), ValueError, "upscale_factor"),
    (lambda: tconv.pixel_shuffle(np.zeros((1, 4, 2, 2)), 0), ValueError, "upscale_factor"),
    (lambda: tconv.pixel_shuffle(np.zeros((1, 4, 2, 2)), 2.0), TypeError, "upscale_factor"),
    (lambda: tconv.pixel_shuffle(np.zeros((4, 2)), 2), ValueError, "x has shape"),
    (lambda: tconv.pixel_shuffle(np.zeros((1, 4, 0, 2)), 2), ValueError, "empty"),
    (lambda: tconv.pixel_unshuffle(np.zeros((1, 1, 3, 2)), 2), ValueError, "downscale_factor"),
    (lambda: tconv.pixel_unshuffle(np.zeros((1, 1, 2, 3)), 2), ValueError, "downscale_factor"),
    (lambda: tconv.pixel_unshuffle(np.zeros((1, 1, 2, 2)), -1), ValueError, "downscale_factor"),
    (lambda: tconv.bed_of_nails(np.zeros((1, 1, 2)), 0), ValueError, "scale_factor"),
    (lambda: tconv.bed_of_nails(np.zeros((1, 1, 2)), 1.5), TypeError, "scale_factor"),
    (lambda: tconv.bed_of_nails(np.zeros((2, 2)), 2), ValueError, "scale_factor"),
    (lambda: tconv.bed_of_nails(np.zeros((1, 1, 2)), (2, 2, 2)), ValueError, "scale_factor"),
    (lambda: tconv.upsampling_kernel("bicubic", 2), ValueError, "mode"),
    (lambda: tconv.upsampling_kernel("nearest", 0), ValueError, "factor"),
    (lambda: tconv.upsampling_kernel("nearest", 2, rank=4), ValueError, "rank"),
    (lambda: tconv.upsampling_kernel("nearest", (2, 2), rank=1), ValueError, "factor"),
])
def test_errors(call, error, name):
    with pytest.raises(error, match=name) as info:
        call()
    assert str(info.value).split(":")[0] in {"pixel_shuffle", "pixel_unshuffle",
                                             "bed_of_nails", "upsampling_kernel"}
