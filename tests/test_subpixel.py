"""``subpixel_from_transposed`` / ``transposed_from_subpixel`` against PyTorch.

Oracle: ``torch.nn.functional.conv_transpose{1,2,3}d`` (through the
``_torch_ref`` extension to per-side pads) for the transposed side, and
``torch.nn.functional.conv{d}d`` followed by a pixel shuffle written here
from its index formula (``out[c, s*m + r] = in[c*prod(s) + flat(r), m]``,
checked against ``torch.pixel_shuffle`` in 2-D) for the sub-pixel side.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import case, cases, scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch

pytestmark = pytest.mark.usefixtures("torch_one_thread")
F = torch.nn.functional


def shuffle_reference(y: np.ndarray, factors) -> np.ndarray:
    """Pixel shuffle over the trailing axes of a batched ``(N, C*P, *S)`` array."""
    p = math.prod(factors)
    n, channels, *sizes = y.shape
    out = np.zeros((n, channels // p, *(m * s for m, s in zip(sizes, factors))), y.dtype)
    for phase in itertools.product(*(range(s) for s in factors)):
        flat = int(np.ravel_multi_index(phase, factors))
        target = (slice(None), slice(None), *(slice(r, None, s) for r, s in zip(phase, factors)))
        out[target] = y[:, flat::p]
    return out


def subpixel_reference(x, weight, *, pads, factors, crop, groups):
    """``crop(shuffle(torch conv(x, weight, pads)))``, NumPy float64 in and out."""
    with torch.no_grad():
        y = ref.conv(ref.tensor(x), ref.tensor(weight), stride=(1,) * len(factors), pads=pads,
                     dilation=(1,) * len(factors), groups=groups)
    y = shuffle_reference(ref.numpy(y), factors)
    index = (slice(None), slice(None), *(slice(lo, n - hi) for (lo, hi), n in
                                          zip(crop, y.shape[2:])))
    return y[index]


def test_shuffle_reference_is_torch_pixel_shuffle():
    y = np.random.default_rng(0).standard_normal((2, 12, 3, 4))
    expected = ref.numpy(F.pixel_shuffle(ref.tensor(y), 2))
    np.testing.assert_array_equal(shuffle_reference(y, (2, 2)), expected)


@scaled(0.25, least=150)  # 150 examples by default, 500 under the CI profile
@given(cases(True, symmetric=False))
@example(case(True, 5, 4, stride=2, padding=1))                  # k divisible by s
@example(case(True, 5, 3, stride=2, padding=1, output_padding=1))  # k not divisible by s
@example(case(True, 4, 1, stride=3, output_padding=2))            # k < s: empty phases
@example(case(True, (3, 4), (3, 2), stride=(2, 3), padding=((4, 0), (0, 3))))  # big crops
@example(case(True, 3, 2, stride=1, dilation=3, output_padding=2))  # op > stride - 1
@example(case(True, (3, 2, 2), 3, stride=(2, 1, 3), dilation=2, padding=1, groups=2,
              in_channels=4, out_channels=2, has_bias=True))
def test_subpixel_equals_torch_conv_transpose(c):
    x, weight, bias = c.arrays()
    expected, scale = ref.expected_and_scale(c, x, weight, bias)
    sub = tconv.subpixel_from_transposed(weight, c.stride, padding=c.padding,
                                         output_padding=c.output_padding,
                                         dilation=c.dilation, groups=c.groups)
    big = tuple(-(-ke // s) for ke, s in zip(c.effective_kernel, c.stride))
    assert sub.weight.shape == (c.out_channels * math.prod(c.stride),
                                c.in_channels // c.groups, *big)
    assert sub.upscale_factor == c.stride
    assert min(v for pair in sub.padding + sub.crop for v in pair) >= 0
    # Whole s-blocks come off the conv padding rather than being computed and cropped.
    for (pad_lo, pad_hi), (crop_lo, crop_hi), s in zip(sub.padding, sub.crop, c.stride):
        assert crop_lo < s or pad_lo == 0, (sub.padding, sub.crop)
        assert crop_hi < s or pad_hi == 0, (sub.padding, sub.crop)
    assert_close(sub.apply(x, bias), expected, scale=scale, what=repr(c))
    # The record is plain data: torch's conv and the index-formula shuffle agree too.
    batched = x if c.batch is not None else x[None]
    alone = subpixel_reference(batched, np.asarray(sub.weight), pads=sub.padding,
                               factors=sub.upscale_factor, crop=sub.crop, groups=sub.groups)
    if bias is not None:
        alone = alone + bias.reshape((-1,) + (1,) * c.rank)
    assert_close(alone if c.batch is not None else alone[0], expected, scale=scale,
                 what=f"torch conv + shuffle {c!r}")


@scaled(0.05, least=40)
@given(cases(True, symmetric=False, bias=True, batched=True))
def test_gradients_flow_to_the_transposed_weight(c):
    x, weight, bias = c.arrays()
    leaves = [ref.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    expected = ref.for_case(c, *leaves)
    upstream = ref.tensor(np.random.default_rng(c.seed + 1).standard_normal(expected.shape))
    expected_grads = torch.autograd.grad(expected, leaves, upstream)
    sub = tconv.subpixel_from_transposed(leaves[1], c.stride, padding=c.padding,
                                         output_padding=c.output_padding,
                                         dilation=c.dilation, groups=c.groups)
    assert isinstance(sub.weight, torch.Tensor) and sub.weight.requires_grad
    y = sub.apply(leaves[0], leaves[2])
    got = torch.autograd.grad(y, leaves, upstream)
    assert_close(ref.numpy(y), ref.numpy(expected), scale=100, what=f"forward {c!r}")
    for name, g, e in zip(("x", "weight", "bias"), got, expected_grads):
        assert_close(ref.numpy(g), ref.numpy(e), scale=100, what=f"d/d{name} {c!r}")


@pytest.mark.parametrize(("k", "s"), [(1, 2), (2, 2), (3, 2), (4, 2), (5, 2), (3, 3), (4, 3),
                                      (2, 4), (7, 3)])
@pytest.mark.parametrize("rank", [1, 2])
def test_same_padding_matches_torch(rank, k, s):
    rng = np.random.default_rng(k * 10 + s)
    x = rng.standard_normal((2, 3, *(5,) * rank))
    weight = rng.standard_normal((3, 2, *(k,) * rank))
    sub = tconv.subpixel_from_transposed(weight, s, padding="same")
    with torch.no_grad():
        expected = ref.same_conv_transpose(ref.tensor(x), ref.tensor(weight),
                                           stride=(s,) * rank, dilation=(1,) * rank, groups=1)
    y = sub.apply(x)
    assert y.shape == (2, 2, *(5 * s,) * rank)
    assert_close(y, ref.numpy(expected), scale=100, what=f"k={k} s={s}")


def test_hand_worked_phases():
    # k=4, s=2, padding=1: the classic 2x up-sampling layer. Phase 0 (even full
    # samples) meets taps 0 and 2, phase 1 taps 1 and 3; kernel ceil(4/2) = 2.
    w = np.array([[[1.0, 2.0, 3.0, 4.0]]])
    sub = tconv.subpixel_from_transposed(w, 2, padding=1)
    np.testing.assert_array_equal(sub.weight, [[[3.0, 1.0]], [[4.0, 2.0]]])
    assert sub.padding == ((1, 1),) and sub.crop == ((1, 1),)
    # x = [1, 10]: full output [1, 2, 3+10, 4+20, 30, 40], cropped by 1 on each side.
    np.testing.assert_array_equal(sub.apply([[1.0, 10.0]]), [[2.0, 13.0, 24.0, 30.0]])


def test_whole_blocks_of_padding_leave_the_conv_padding():
    # padding 5 with s=2, K=3: two whole blocks come off the conv padding, 1 is cropped.
    sub = tconv.subpixel_from_transposed(np.ones((1, 1, 6)), 2, padding=5)
    assert sub.padding == ((0, 0),) and sub.crop == ((1, 1),)


@st.composite
def subpixel_cases(draw):
    rank = draw(st.integers(1, 3))
    factors = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    big = tuple(draw(st.integers(1, 3)) for _ in range(rank))
    pads = tuple((draw(st.integers(0, k - 1)), draw(st.integers(0, k - 1))) for k in big)
    crop = tuple((draw(st.integers(0, s)), draw(st.integers(0, s))) for s in factors)
    kernel = tuple(draw(st.integers(s * (k - 1) + 1, s * k)) for s, k in zip(factors, big))
    groups = draw(st.integers(1, 2))
    c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    sizes = tuple(draw(st.integers(k + 2, k + 3)) for k in big)
    return rank, factors, big, pads, crop, kernel, groups, c_in, c_out, sizes, draw(
        st.integers(0, 2**32 - 1))


@scaled(0.25, least=150)
@given(subpixel_cases())
@example((1, (2,), (2,), ((1, 1),), ((1, 1),), (4,), 1, 1, 1, (4,), 0))
@example((2, (3, 1), (1, 2), ((0, 0), (1, 0)), ((0, 3), (1, 0)), (2, 2), 2, 2, 4, (3, 4), 1))
def test_transposed_from_subpixel_equals_torch_subpixel(drawn):
    rank, factors, big, pads, crop, kernel, groups, c_in, c_out, sizes, seed = drawn
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((c_out * math.prod(factors), c_in // groups, *big))
    # Zero the taps past kernel_size (slot a = K - 1 - u holds tap r + s*u).
    for axis, (s, k_big, k) in enumerate(zip(factors, big, kernel)):
        for r in range(s):
            for u in range(k_big):
                if r + s * u >= k:
                    index = [slice(None)] * (2 + rank)
                    index[2 + axis] = k_big - 1 - u
                    channel = np.arange(weight.shape[0]).reshape(-1, *factors)
                    phase = [slice(None)] * (rank + 1)
                    phase[1 + axis] = r
                    index[0] = channel[tuple(phase)].ravel()
                    weight[tuple(index)] = 0.0
    x = rng.standard_normal((2, c_in, *sizes))
    expected = subpixel_reference(x, weight, pads=pads, factors=factors, crop=crop,
                                  groups=groups)
    back = tconv.transposed_from_subpixel(weight, factors, padding=pads, crop=crop,
                                          groups=groups, kernel_size=kernel)
    assert back.weight.shape == (c_in, c_out // groups, *kernel)
    assert back.stride == factors
    assert all(0 <= op < s for op, s in zip(back.output_padding, factors))
    with torch.no_grad():
        via_torch = ref.conv_transpose(ref.tensor(x), ref.tensor(back.weight), stride=factors,
                                       pads=back.padding, output_padding=back.output_padding,
                                       dilation=(1,) * rank, groups=groups)
    assert_close(ref.numpy(via_torch), expected, scale=100, what=repr(drawn))
    assert_close(back.apply(x), expected, scale=100, what=f"apply {drawn!r}")


@scaled(0.1, least=100)
@given(cases(True, symmetric=False, batched=True))
def test_round_trip_returns_the_weight(c):
    _, weight, _ = c.arrays()
    c = c.replace(dilation=(1,) * c.rank,
                  output_padding=tuple(min(op, s - 1) for op, s in
                                       zip(c.output_padding, c.stride)))
    sub = tconv.subpixel_from_transposed(weight, c.stride, padding=c.padding,
                                         output_padding=c.output_padding, groups=c.groups)
    back = sub.to_transposed(kernel_size=c.kernel_size)
    np.testing.assert_array_equal(back.weight, weight)  # taps only move: exact
    assert back.stride == c.stride and back.groups == c.groups
    # The geometry may differ (after padding vs output_padding) but gives the same size.
    for (lo, hi), op, (lo2, hi2), op2 in zip(c.pads, c.output_padding, back.padding,
                                             back.output_padding):
        assert lo2 == lo and hi2 - op2 == hi - op
    # Round trip the other way: the sub-pixel weight comes back too.
    again = tconv.subpixel_from_transposed(back.weight, back.stride, padding=back.padding,
                                           output_padding=back.output_padding,
                                           groups=back.groups)
    np.testing.assert_array_equal(again.weight, sub.weight)


def test_round_trip_on_torch_keeps_autograd():
    weight = torch.randn(2, 3, 4, 4, dtype=torch.float64, requires_grad=True)
    back = tconv.subpixel_from_transposed(weight, 2, padding=1).to_transposed(kernel_size=4)
    assert torch.equal(back.weight, weight)
    (grad,) = torch.autograd.grad(back.weight.sum(), weight)
    assert torch.equal(grad, torch.ones_like(weight))


def test_namespace_is_kept(backend):
    weight = backend.asarray(np.arange(8.0).reshape(1, 2, 4))
    sub = tconv.subpixel_from_transposed(weight, 2, padding=1)
    assert type(sub.weight) is type(weight)
    x = backend.asarray(np.ones((1, 1, 3)))
    expected = tconv.conv_transpose(np.ones((1, 1, 3)), np.arange(8.0).reshape(1, 2, 4),
                                     stride=2, padding=1)
    y = sub.apply(x, backend.asarray(np.array([1.0, 2.0])))
    assert type(y) is type(x)
    np.testing.assert_allclose(backend.to_numpy(y), expected + np.array([1.0, 2.0])[:, None])


def test_float32_is_kept():
    sub = tconv.subpixel_from_transposed(np.ones((1, 1, 3), np.float32), 2)
    assert sub.weight.dtype == np.float32
    assert sub.apply(np.ones((1, 1, 4), np.float32)).dtype == np.float32


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 1, 3)), 0), ValueError, "stride=0"),
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 1, 3)), 2.0), TypeError, "stride"),
    (lambda: tconv.subpixel_from_transposed(np.ones((3, 1, 3)), 2, groups=2), ValueError,
     "subpixel_from_transposed: groups=2"),
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 1, 3)), 2, output_padding=2),
     ValueError, "output_padding"),
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 1, 3)), 2, padding="full"),
     ValueError, "padding='full'"),
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 3)), 2), ValueError, "weight"),
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 1, 3)), 2, padding=1,
                                            dilation=0), ValueError, "dilation"),
    (lambda: tconv.subpixel_from_transposed(np.ones((2, 1, 3)), 2).apply(np.ones((1, 2, 3)),
                                                                         [1.0, 2.0]),
     ValueError, "bias"),
    (lambda: tconv.subpixel_from_transposed(np.ones((1, 1, 1)), 1, padding=3).apply(
        np.ones((1, 1, 4))), ValueError, "too small"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 2, padding=2), ValueError,
     "padding before 2 > K - 1"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 2, padding=((0, 2),)),
     ValueError, "output_padding < 2"),
    (lambda: tconv.transposed_from_subpixel(np.ones((3, 1, 2)), 2), ValueError,
     "weight.shape\\[0\\]=3"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 2, kernel_size=3),
     ValueError, "kernel_size=3 would drop non-zero taps"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 2, kernel_size=2),
     ValueError, "kernel_size=2 is out of range.*3..4"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 2, crop="same"), TypeError,
     "crop='same'"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 2, crop=-1), ValueError,
     "crop=-1|padding=-1"),
    (lambda: tconv.transposed_from_subpixel(np.ones((4, 1, 2)), 0), ValueError,
     "upscale_factor=0"),
])
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
