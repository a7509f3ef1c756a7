"""PyTorch tensors: torch out, same dtype and device, and torch's own gradients.

For every algorithm, the gradients of ``sum(g * op(x, w, b))`` with respect to
``x``, ``weight`` and ``bias`` equal those of PyTorch's own ops (through the
differentiable ``F.pad`` / crop references of ``_torch_ref`` where PyTorch
has no such padding), in float64. ``torch.autograd.gradcheck`` checks a few
small cases against finite differences.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given

import tconv
from _cases import case, cases, scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch

pytestmark = pytest.mark.usefixtures("torch_one_thread")

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])

OPS = {
    True: (tconv.conv_transpose, tconv.CONV_TRANSPOSE_ALGORITHMS),
    False: (tconv.conv, tconv.CONV_ALGORITHMS),
}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("transposed", [True, False], ids=["conv_transpose", "conv"])
def test_tensor_in_tensor_out(transposed, dtype, device):
    op, algorithms = OPS[transposed]
    c = case(transposed, (5, 4), 3, stride=2, padding=((1, 0), (1, 1)), groups=2,
             in_channels=2, out_channels=4, has_bias=True)
    x, weight, bias = (torch.tensor(a, dtype=dtype, device=device) for a in c.arrays())
    weight.requires_grad_(True)
    for name in algorithms:
        for batched in (x, x[0]):
            y = op(batched, weight, bias, algorithm=name, **c.kwargs())
            assert isinstance(y, torch.Tensor), name
            assert y.dtype == dtype and y.device == x.device, (name, y.dtype, y.device)
            assert tuple(y.shape) == c.y_shape[len(c.y_shape) - batched.ndim:], name
            assert y.requires_grad, f"{name}: the result lost the weight's autograd graph"


def _leaves(c):
    x, weight, bias = c.arrays()
    return [ref.tensor(a, requires_grad=True) for a in (x, weight, bias) if a is not None]


def _grads(output, upstream, inputs):
    return torch.autograd.grad(output, inputs, upstream)


def _check_gradients(c):
    """Forward values and gradients of every algorithm against the torch reference."""
    op, algorithms = OPS[c.transposed]
    leaves = _leaves(c)
    bias = leaves[2] if c.has_bias else None
    expected = ref.for_case(c, leaves[0], leaves[1], bias)
    upstream = ref.tensor(np.random.default_rng(c.seed + 1).standard_normal(expected.shape))
    expected_grads = _grads(expected, upstream, leaves)
    # The same gradients on |x|, |w|, |b|, |g| bound every sum (the tolerance scale).
    abs_leaves = [ref.tensor(np.abs(ref.numpy(t)), requires_grad=True) for t in leaves]
    abs_out = ref.for_case(c, abs_leaves[0], abs_leaves[1], abs_leaves[2] if bias is not None
                           else None)
    scales = _grads(abs_out, upstream.abs(), abs_leaves)
    names = ["x", "weight", "bias"]
    for name in algorithms:
        y = op(leaves[0], leaves[1], bias, algorithm=name, **c.kwargs())
        assert y.requires_grad, f"{name}: the result is cut off from autograd: {c!r}"
        assert_close(ref.numpy(y), ref.numpy(expected), scale=ref.numpy(abs_out),
                     what=f"forward [{name}] {c!r}")
        got = _grads(y, upstream, leaves)
        for what, g, e, s in zip(names, got, expected_grads, scales):
            assert_close(ref.numpy(g), ref.numpy(e), scale=ref.numpy(s),
                         what=f"d/d{what} [{name}] {c!r}")


@scaled(0.1)
@given(cases(transposed=True, symmetric=False))
@example(case(True, (3, 3), 3, stride=2, padding=1, output_padding=1, groups=2,
              in_channels=2, out_channels=4, batch=2, has_bias=True))
@example(case(True, 4, 3, stride=1, dilation=2, output_padding=1, has_bias=True))
@example(case(True, (3, 2), 2, stride=(2, 3), padding=((1, 0), (0, 2)), output_padding=(1, 2),
              dilation=(2, 1), groups=3, in_channels=3, out_channels=3, batch=None,
              has_bias=True))
@example(case(True, (2, 2, 2), 2, stride=2, padding=((0, 1), 1, (1, 0)), output_padding=1,
              has_bias=True))
# Every output sample lies past the full output: zeros, yet still part of the graph.
@example(case(True, 1, 1, stride=2, padding=((1, 0),), output_padding=1, batch=None))
@example(case(True, 1, 2, stride=3, padding=((3, 0),), output_padding=2))
@example(case(True, (1, 1), 1, stride=(1, 2), padding=(0, (1, 0)), output_padding=(0, 1),
              batch=None))
def test_conv_transpose_gradients_match_torch(c):
    _check_gradients(c)


@scaled(0.1)
@given(cases(transposed=False, symmetric=False))
@example(case(False, (5, 5), 3, stride=2, padding=1, dilation=2, groups=2, in_channels=2,
              out_channels=4, batch=2, has_bias=True))
@example(case(False, 6, 2, stride=3, padding=((2, 0),), has_bias=True, batch=None))
def test_conv_gradients_match_torch(c):
    _check_gradients(c)


@pytest.mark.parametrize("algorithm", tconv.CONV_TRANSPOSE_ALGORITHMS)
@pytest.mark.parametrize("in_size, kernel, stride", [((3,), 3, 2), ((2, 3), (2, 3), (3, 2))])
def test_conv_transpose_same_gradients_match_torch(in_size, kernel, stride, algorithm):
    """Transposed ``"same"``: the window of docs/rules/keras.md, gradients included."""
    c = case(True, in_size, kernel, stride=stride, groups=2, in_channels=2, out_channels=2,
             has_bias=True)
    x, weight, bias = _leaves(c)
    expected = ref.same_conv_transpose(x, weight, bias, stride=c.stride, dilation=c.dilation,
                                       groups=c.groups)
    y = tconv.conv_transpose(x, weight, bias, stride=stride, padding="same", groups=2,
                             algorithm=algorithm)
    assert_close(ref.numpy(y), ref.numpy(expected))
    upstream = torch.randn(expected.shape, dtype=torch.float64,
                           generator=torch.Generator().manual_seed(0))
    for what, g, e in zip(("x", "weight", "bias"), _grads(y, upstream, (x, weight, bias)),
                          _grads(expected, upstream, (x, weight, bias))):
        assert_close(ref.numpy(g), ref.numpy(e), what=f"d/d{what}")


GRADCHECK_CASES = [
    case(True, 3, 3, stride=2, padding=((1, 0),), output_padding=1, in_channels=2,
         out_channels=2, has_bias=True),
    case(True, (2, 2), 2, stride=(1, 2), dilation=(2, 1), output_padding=(1, 1), groups=2,
         in_channels=2, out_channels=2, batch=None, has_bias=True),
    case(False, (4, 3), 2, stride=2, padding=((1, 0), (0, 1)), dilation=(1, 2), groups=2,
         in_channels=2, out_channels=2, has_bias=True),
]


@pytest.mark.parametrize("c", GRADCHECK_CASES, ids=repr)
def test_gradcheck(c):
    op, algorithms = OPS[c.transposed]
    leaves = tuple(_leaves(c))
    for name in algorithms:
        def call(*args, name=name):
            return op(args[0], args[1], args[2] if len(args) > 2 else None, algorithm=name,
                      **c.kwargs())

        assert torch.autograd.gradcheck(call, leaves), name
