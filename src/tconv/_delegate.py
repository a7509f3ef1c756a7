"""Delegation to a library's own kernels: ``"auto"`` on PyTorch tensors.

PyTorch has native kernels for every op tconv defines. When ``x`` is a
PyTorch tensor and the algorithm is ``"auto"``, the front doors call
:func:`conv`, :func:`conv_transpose`, ... here first; each maps the resolved
plan onto the native call and returns the result, or ``None`` when the call
is not a PyTorch one (then tconv's own algorithms run). tconv's extra
semantics are mapped exactly, so the values are PyTorch's and gradients flow
through the native backward:

* per-side padding of a convolution: the symmetric part goes to the native
  ``padding``, the rest is a zero ``F.pad`` of the input;
* transposed convolution: the native call crops the symmetric part of the
  ``(before, after)`` pads and appends what it can as ``output_padding``; an
  ``F.pad`` (negative values crop) then cuts or zero-extends the rest, and the
  bias is added after it when zeros were appended (they get the bias too);
* ``output_size`` and ``"same"`` arrive here already resolved into the plan.

Only float32 and float64 tensors are delegated (tconv's own algorithms keep
every other dtype). The modules are found in ``sys.modules``; nothing is
imported to detect a library.
"""

from __future__ import annotations

import functools
import sys

_DTYPES = ("float32", "float64")


def _torch_functional(x):
    """``torch.nn.functional`` when ``x`` is a float32/float64 torch tensor, else None."""
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(x, torch.Tensor):
        return None
    if str(x.dtype).removeprefix("torch.") not in _DTYPES:
        return None
    return torch.nn.functional


def flat_pads(pads):
    """``((lo, hi), ...)`` per axis -> ``F.pad``'s order (last axis first)."""
    return [v for lo, hi in reversed(pads) for v in (lo, hi)]


TORCH_CONV = ("conv1d", "conv2d", "conv3d")
TORCH_CONV_TRANSPOSE = ("conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def conv(x, weight, bias, plan):
    """``conv`` through ``torch.nn.functional.conv{d}d``, or None."""
    functional = _torch_functional(x)
    if functional is None:
        return None
    symmetric = tuple(min(lo, hi) for lo, hi in plan.pads)
    rest = tuple((lo - p, hi - p) for (lo, hi), p in zip(plan.pads, symmetric))
    if any(lo or hi for lo, hi in rest):
        x = functional.pad(x, flat_pads(rest))
    native = getattr(functional, TORCH_CONV[plan.rank - 1])
    return native(x, weight, bias, stride=plan.stride, padding=symmetric,
                  dilation=plan.dilation, groups=plan.groups)


@functools.lru_cache(maxsize=256)  # plans are frozen (hashable); layers repeat them
def transpose_window(plan):
    """Native ``(padding, output_padding)`` and the ``(before, after)`` fix-up per axis.

    The wanted output is ``full[lo : lo + out]`` of the uncropped output
    ``full`` (zeros past its end). The native call gives ``full[p : F - p + q]``
    with ``q < max(stride, dilation)``; the fix-up crops (negative) or
    zero-extends (positive) that window into the wanted one.
    """
    native_pads, native_extra, fixes = [], [], []
    for (lo, _), f, m, s, d in zip(plan.pads, plan.full_size, plan.out_size, plan.stride,
                                   plan.dilation):
        p = max(0, min(lo, f - lo - m))
        q = min(max(0, lo + m - (f - p)), max(s, d) - 1)
        native_pads.append(p)
        native_extra.append(q)
        fixes.append((-(lo - p), lo + m - (f - p + q)))
    return tuple(native_pads), tuple(native_extra), tuple(fixes)


def conv_transpose(x, weight, bias, plan):
    """``conv_transpose`` through ``torch.nn.functional.conv_transpose{d}d``, or None."""
    functional = _torch_functional(x)
    if functional is None:
        return None
    padding, output_padding, fixes = transpose_window(plan)
    extends = any(hi > 0 for _, hi in fixes)
    native = getattr(functional, TORCH_CONV_TRANSPOSE[plan.rank - 1])
    y = native(x, weight, None if extends else bias, stride=plan.stride, padding=padding,
               output_padding=output_padding, groups=plan.groups, dilation=plan.dilation)
    if any(lo or hi for lo, hi in fixes):
        y = functional.pad(y, flat_pads(fixes))
    if extends and bias is not None:
        y = y + bias.reshape((1, -1) + (1,) * plan.rank)
    return y


def max_pool(x, plan, return_indices):
    """``max_pool`` through ``torch.nn.functional.max_pool{d}d`` (symmetric pads), or None."""
    functional = _torch_functional(x)
    if functional is None or any(lo != hi for lo, hi in plan.pads):
        return None
    native = getattr(functional, f"max_pool{len(plan.kernel_size)}d")
    result = native(x, plan.kernel_size, plan.stride, tuple(lo for lo, _ in plan.pads),
                    plan.dilation, ceil_mode=plan.ceil_mode, return_indices=return_indices)
    return result if return_indices else (result, None)


def max_unpool(x, indices, plan):
    """``max_unpool`` through ``torch.nn.functional.max_unpool{d}d`` (symmetric pads), or None."""
    functional = _torch_functional(x)
    if functional is None or any(lo != hi for lo, hi in plan.pads):
        return None
    native = getattr(functional, f"max_unpool{len(plan.kernel_size)}d")
    return native(x, indices, plan.kernel_size, plan.stride, tuple(lo for lo, _ in plan.pads),
                  output_size=plan.out_size)


def interpolate(x, plan):
    """``interpolate`` through ``torch.nn.functional.interpolate``, or None.

    With a ``scale_factor``, PyTorch's backward of the nearest modes and of
    bicubic is not the adjoint of its forward (it maps indices another way);
    tconv's gradient is the adjoint, so those calls are delegated only when no
    gradient is recorded.
    """
    functional = _torch_functional(x)
    if functional is None:
        return None
    torch = sys.modules["torch"]
    if (plan.scale_factor is not None and plan.mode in ("nearest", "nearest-exact", "bicubic")
            and torch.is_grad_enabled() and x.requires_grad):
        return None
    align = plan.align_corners if plan.mode not in ("nearest", "nearest-exact") else None
    if plan.scale_factor is None:
        return functional.interpolate(x, size=plan.out_size, mode=plan.mode,
                                      align_corners=align)
    return functional.interpolate(x, scale_factor=plan.scale_factor, mode=plan.mode,
                                  align_corners=align)


def pixel_shuffle(x, r):
    """``pixel_shuffle`` through ``torch.nn.functional.pixel_shuffle``, or None."""
    functional = _torch_functional(x)
    return None if functional is None else functional.pixel_shuffle(x, r)
