"""The lean path of conv/conv_transpose (tconv._lean): a remembered call gives the
same result as the full path, and a call that must raise still raises."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import tconv
from tconv import _lean

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 4, 5, 5)).astype(np.float32)
W_T = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)  # transposed layout
W_C = RNG.standard_normal((3, 4, 3, 3)).astype(np.float32)  # conv layout
B = RNG.standard_normal(3).astype(np.float32)


def _both(op, x, w, b, **kw):
    """The result of the first (full, remembered) and the second (lean) call."""
    _lean.PLANS.clear()
    first = op(x, w, b, **kw)
    assert len(_lean.PLANS) == 1
    second = op(x, w, b, **kw)
    return first, second


@pytest.mark.parametrize("kw", [{"stride": 2, "padding": 1, "output_padding": 1},
                                {"stride": (1, 2), "padding": ((0, 2), (1, 0))},
                                {"padding": "same", "stride": 2},
                                {"output_size": (10, 9), "stride": 2, "padding": 1},
                                {"algorithm": "gemm", "dilation": 2}])
def test_remembered_transposed_call_matches_torch(kw):
    first, second = _both(tconv.conv_transpose, X, W_T, B, **kw)
    np.testing.assert_array_equal(first, second)
    xt, wt, bt = map(torch.from_numpy, (X, W_T, B))
    a, b = _both(tconv.conv_transpose, xt, wt, bt, **kw)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    np.testing.assert_allclose(second, b.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kw", [{"stride": 2, "padding": 1}, {"padding": ((0, 2), (1, 0))},
                                {"padding": "same", "dilation": 2}, {"algorithm": "direct"}])
def test_remembered_conv_call_matches_torch(kw):
    first, second = _both(tconv.conv, X, W_C, B, **kw)
    np.testing.assert_array_equal(first, second)
    xt, wt, bt = map(torch.from_numpy, (X, W_C, B))
    a, b = _both(tconv.conv, xt, wt, bt, **kw)
    torch.testing.assert_close(a, b, rtol=0, atol=0)
    np.testing.assert_allclose(second, b.numpy(), rtol=1e-4, atol=1e-4)


def test_unbatched_and_gradients_on_the_lean_path():
    first, second = _both(tconv.conv_transpose, X[0], W_T, B, stride=2)
    assert second.shape == first.shape == (3, 11, 11)
    np.testing.assert_array_equal(first, second)
    xt = torch.from_numpy(X).requires_grad_()
    wt = torch.from_numpy(W_T).requires_grad_()
    tconv.conv_transpose(xt, wt, stride=2, padding=((0, 1), (2, 0)))
    y = tconv.conv_transpose(xt, wt, stride=2, padding=((0, 1), (2, 0)))
    y.sum().backward()
    ref_x = xt.detach().clone().requires_grad_()
    ref = torch.nn.functional.conv_transpose2d(ref_x, wt.detach(), stride=2)[:, :, :-1, 2:]
    ref.sum().backward()
    torch.testing.assert_close(xt.grad, ref_x.grad)


@pytest.mark.parametrize("bad, error",
                         [(True, TypeError), (2.0, TypeError), (np.int64(0), ValueError)])
def test_look_alike_values_are_not_served_from_a_remembered_call(bad, error):
    """``True == 1`` and ``2.0 == 2`` hash alike: they must still be refused."""
    tconv.conv_transpose(X, W_T, stride=1)
    tconv.conv_transpose(X, W_T, stride=2)
    with pytest.raises(error, match="stride"):
        tconv.conv_transpose(X, W_T, stride=bad)


def test_the_output_limit_applies_to_remembered_calls():
    tconv.conv_transpose(X, W_T, stride=2)
    with tconv.max_output_bytes(1000), pytest.raises(ValueError, match="stride"):
        tconv.conv_transpose(X, W_T, stride=2)


def test_a_call_that_raised_raises_again():
    for _ in range(2):
        with pytest.raises(ValueError, match="groups"):
            tconv.conv(X, W_C, groups=3)
