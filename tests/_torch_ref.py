"""PyTorch references for ``conv`` and ``conv_transpose``, including what torch lacks.

PyTorch takes symmetric padding only. The references extend it the way
docs/rules/ defines the extension, never by calling tconv:

* convolution with ``(before, after)`` pads: ``F.pad`` the input, then convolve
  without padding (1.1);
* transposed convolution with ``(before, after)`` pads and output_padding
  ``op``: the full output (torch with padding 0, output_padding 0), cropped by
  ``before`` at the start and ``after - op`` at the end, zero-extended where
  that is negative (1.2: ``y[j] = full[j + before]`` while inside, else 0),
  then the bias;
* ``"same"`` (2.1, 2.2) as explicit pads or as a window of the full output.

Everything is differentiable, so the same functions give reference gradients.
Compute references in float64 from contiguous tensors: oneDNN's float32
kernels are wrong for some one-channel channels-last inputs (docs/rules/pytorch.md).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
CONV_TRANSPOSE_MODULE = {1: torch.nn.ConvTranspose1d, 2: torch.nn.ConvTranspose2d,
                         3: torch.nn.ConvTranspose3d}


def tensor(array, dtype=torch.float64, requires_grad=False):
    """A contiguous float64 (by default) CPU tensor copy of ``array``."""
    t = torch.tensor(np.ascontiguousarray(array, dtype=np.float64), dtype=dtype)
    return t.requires_grad_(requires_grad)


def numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy()


def _pad_list(pairs) -> list[int]:
    """``(before, after)`` per axis -> ``F.pad``'s list (last axis first)."""
    return [v for pair in reversed(tuple(pairs)) for v in pair]


def window(full, starts, lengths):
    """``full[..., start : start + length]`` per spatial axis, zeros past the end.

    Negative ``F.pad`` amounts crop, positive ones append zeros; a start past
    the end crops everything first (the window is then all zeros).
    """
    sizes = full.shape[-len(starts):]
    starts = tuple(min(b, f) for b, f in zip(starts, sizes))
    return F.pad(full, _pad_list((-b, m - (f - b)) for b, m, f in zip(starts, lengths, sizes)))


def _with_bias(y, bias):
    if bias is None:
        return y
    return y + bias.reshape((1, -1) + (1,) * (y.ndim - 2))


def conv(x, weight, bias=None, *, stride, pads, dilation, groups):
    """``torch.nn.functional.conv{d}d`` with ``(before, after)`` pads; ``x`` batched."""
    rank = weight.ndim - 2
    if all(lo == hi for lo, hi in pads):
        return CONV[rank](x, weight, bias, stride=tuple(stride),
                          padding=tuple(lo for lo, _ in pads), dilation=tuple(dilation),
                          groups=groups)
    return CONV[rank](F.pad(x, _pad_list(pads)), weight, bias, stride=tuple(stride),
                      padding=0, dilation=tuple(dilation), groups=groups)


def conv_transpose_full(x, weight, *, stride, dilation, groups):
    """The uncropped transposed convolution (padding 0, output_padding 0, no bias)."""
    rank = weight.ndim - 2
    return CONV_TRANSPOSE[rank](x, weight, None, stride=tuple(stride), padding=0,
                                output_padding=0, groups=groups, dilation=tuple(dilation))


def conv_transpose_cropped(x, weight, bias=None, *, stride, pads, output_padding, dilation,
                           groups):
    """Transposed convolution with ``(before, after)`` pads, built from the full output."""
    full = conv_transpose_full(x, weight, stride=stride, dilation=dilation, groups=groups)
    sizes = full.shape[2:]
    lengths = tuple(f - lo - hi + op for f, (lo, hi), op in zip(sizes, pads, output_padding))
    return _with_bias(window(full, tuple(lo for lo, _ in pads), lengths), bias)


def conv_transpose(x, weight, bias=None, *, stride, pads, output_padding, dilation, groups):
    """``torch.nn.functional.conv_transpose{d}d`` itself when the pads are symmetric."""
    rank = weight.ndim - 2
    if all(lo == hi for lo, hi in pads):
        return CONV_TRANSPOSE[rank](x, weight, bias, stride=tuple(stride),
                                    padding=tuple(lo for lo, _ in pads),
                                    output_padding=tuple(output_padding), groups=groups,
                                    dilation=tuple(dilation))
    return conv_transpose_cropped(x, weight, bias, stride=stride, pads=pads,
                                  output_padding=output_padding, dilation=dilation,
                                  groups=groups)


def same_conv_pads(in_size, kernel_size, stride, dilation):
    """TensorFlow ``"same"`` pads (docs/rules/keras.md): ``out = ceil(n/s)``, odd unit last."""
    pads = []
    for n, k, s, d in zip(in_size, kernel_size, stride, dilation):
        out = -(-n // s)
        total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def same_conv_transpose(x, weight, bias=None, *, stride, dilation, groups):
    """Transposed ``"same"`` (docs/rules/keras.md): ``n*s`` samples of the full output from
    ``c = max((ke - s)//2, 0)``, zero-filled past its end."""
    full = conv_transpose_full(x, weight, stride=stride, dilation=dilation, groups=groups)
    kernel = weight.shape[2:]
    starts = tuple(max((d * (k - 1) + 1 - s) // 2, 0)
                   for k, s, d in zip(kernel, stride, dilation))
    lengths = tuple(n * s for n, s in zip(x.shape[2:], stride))
    return _with_bias(window(full, starts, lengths), bias)


def for_case(case, x, weight, bias=None):
    """The reference for a ``_cases.Case`` (batched or not) on torch tensors."""
    batched = x if case.batch is not None else x.unsqueeze(0)
    if case.transposed:
        y = conv_transpose(batched, weight, bias, stride=case.stride, pads=case.pads,
                           output_padding=case.output_padding, dilation=case.dilation,
                           groups=case.groups)
    else:
        y = conv(batched, weight, bias, stride=case.stride, pads=case.pads,
                 dilation=case.dilation, groups=case.groups)
    return y if case.batch is not None else y[0]


def expected_and_scale(case, x, weight, bias=None):
    """NumPy ``(reference, scale)`` in float64; ``scale = op(|x|, |w|) + |b|`` bounds
    the magnitude of every sum, for :func:`_tol.assert_close`."""
    with torch.no_grad():
        expected = for_case(case, tensor(x), tensor(weight),
                            None if bias is None else tensor(bias))
        scale = for_case(case, tensor(np.abs(x)), tensor(np.abs(weight)),
                         None if bias is None else tensor(np.abs(bias)))
    return numpy(expected), numpy(scale)
