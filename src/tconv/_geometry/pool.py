"""Pooling's integer rules: window counts, unpooled lengths, the pool plan.

PyTorch's ``max_pool``/``max_unpool`` conventions (docs/rules/pytorch.md);
ONNX's MaxPool lengths are in :mod:`tconv._geometry.onnx`. Plain ints and
tuples only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import _args
from .conv import Pads, effective_kernel


def pool_length(size: int, k: int, s: int, dil: int, lo: int, hi: int,
                ceil_mode: bool) -> int:
    """Number of pooling windows along one axis (PyTorch's ``pooling_output_shape``).

    ``out = floor((n + lo + hi - ke) / s) + 1``, or with ``ceil_mode``
    ``ceil(...) + 1`` minus one when that last window would start at or past
    ``n + lo`` (in the end padding): ``n=5, k=2, s=2, p=1`` gives 3 windows,
    not 4. Zero or less means no window fits.
    """
    span = size + lo + hi - effective_kernel(k, dil)
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + lo:
        out -= 1
    return out


def unpool_length(size: int, k: int, s: int, lo: int, hi: int) -> int:
    """Default output length of ``max_unpool`` along one axis.

    ``out = (n - 1)*s + k - lo - hi``: the input size of the ``max_pool``
    (without dilation or ``ceil_mode``) that gives ``n`` windows. PyTorch
    accepts any ``output_size`` strictly between ``out - s`` and ``out + s``.
    """
    return (size - 1) * s + k - lo - hi


@dataclass(frozen=True)
class PoolPlan:
    """Resolved geometry of one ``max_pool`` or ``max_unpool`` call.

    ``in_size``/``out_size`` are this op's spatial input and output sizes (for
    ``max_unpool`` the pooled size and the unpooled size). ``pads`` are
    ``(before, after)`` per axis.
    """

    op: str
    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: Pads
    ceil_mode: bool

    @property
    def rank(self) -> int:
        return len(self.kernel_size)


def _pool_pads(op: str, padding, kernel: tuple[int, ...]) -> Pads:
    """``padding`` as ``(before, after)`` pairs: an int, d ints or d pairs."""
    rank = len(kernel)
    if isinstance(padding, str):
        message = (f"{op}: padding={padding!r} is not accepted here; give an int, {rank} "
                   f"ints or {rank} (before, after) pairs")
        raise TypeError(message)
    return _args.padding_form(op, padding, rank)


def resolve_pool(op: str, in_size, kernel_size, stride, padding, dilation,
                 ceil_mode: bool) -> PoolPlan:
    """Validate the geometry of ``max_pool`` and return its plan."""
    rank = len(in_size)
    kernel = _args.positive_ints(op, "kernel_size", kernel_size, rank)
    stride = kernel if stride is None else _args.positive_ints(op, "stride", stride, rank)
    dilation = _args.positive_ints(op, "dilation", dilation, rank)
    pads = _pool_pads(op, padding, kernel)
    if any(max(p) > k // 2 for p, k in zip(pads, kernel)):
        limits = tuple(k // 2 for k in kernel)
        message = (f"{op}: padding={padding!r} must be at most half the kernel size on "
                   f"every side, as in PyTorch: kernel_size={kernel} allows at most "
                   f"{limits} (the undilated kernel counts)")
        raise ValueError(message)
    out_size = tuple(pool_length(n, k, s, d, lo, hi, ceil_mode) for n, k, s, d, (lo, hi)
                     in zip(in_size, kernel, stride, dilation, pads))
    if min(out_size) < 1:
        spans = tuple(effective_kernel(k, d) for k, d in zip(kernel, dilation))
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(in_size, pads))
        message = (f"{op}: the output would be empty ({out_size} windows): the padded "
                   f"input size {padded} (input {tuple(in_size)}, padding {pads}) must be "
                   f"at least the kernel span {spans} (kernel_size={kernel}, "
                   f"dilation={dilation}) on every axis")
        raise ValueError(message)
    return PoolPlan(op, tuple(in_size), out_size, kernel, stride, dilation, pads, ceil_mode)


def resolve_unpool(op: str, in_size, kernel_size, stride, padding,
                   output_size) -> PoolPlan:
    """Validate the geometry of ``max_unpool`` and return its plan.

    Each wanted output size must lie strictly between ``default - stride``
    and ``default + stride`` (PyTorch's rule), ``default`` from
    :func:`unpool_length`.
    """
    rank = len(in_size)
    kernel = _args.positive_ints(op, "kernel_size", kernel_size, rank)
    stride = kernel if stride is None else _args.positive_ints(op, "stride", stride, rank)
    pads = _pool_pads(op, padding, kernel)
    default = tuple(unpool_length(n, k, s, lo, hi) for n, k, s, (lo, hi)
                    in zip(in_size, kernel, stride, pads))
    if output_size is None:
        if min(default) < 1:
            message = (f"{op}: the output would be empty: (n - 1)*stride + kernel_size - "
                       f"padding = {default} for input size {tuple(in_size)}, "
                       f"kernel_size={kernel}, stride={stride}, padding={pads}; "
                       "reduce the padding or give output_size")
            raise ValueError(message)
        out_size = default
    else:
        out_size = _args.output_size(op, output_size, rank)
        if any(not d - s < w < d + s for w, d, s in zip(out_size, default, stride)):
            ranges = ", ".join(f"{max(d - s + 1, 1)}..{d + s - 1}"
                               for d, s in zip(default, stride))
            message = (f"{op}: output_size={output_size!r} cannot be used: each size must "
                       f"be strictly between default - stride and default + stride, i.e. "
                       f"{ranges} per axis (default size {default} from input size "
                       f"{tuple(in_size)}, kernel_size={kernel}, stride={stride}, "
                       f"padding={pads})")
            raise ValueError(message)
    return PoolPlan(op, tuple(in_size), tuple(out_size), kernel, stride, (1,) * rank,
                    pads, False)
