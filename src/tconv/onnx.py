"""ONNX conventions: ``Conv``, ``ConvTranspose``, ``MaxPool``, ``MaxUnpool``,
``DepthToSpace``, ``SpaceToDepth`` (opsets 22 and 28) and ``Resize`` (opset 19).

A translator onto the core ops: ONNX attribute names (``strides``, ``pads``,
``dilations``, ``group``), the flat ``pads`` layout ``[b_1..b_d, e_1..e_d]``
turned into ``(before, after)`` pairs, ``auto_pad`` and ``output_shape``
turned into explicit pads (docs/rules/onnx.md), and ONNX's global MaxPool
indices; ``Resize`` runs on the separable engine of ``tconv._resize``. Inputs
and outputs are NumPy arrays with the dtypes ONNX specifies. Errors name the
function as ``onnx.<name>`` and the ONNX attribute, also when the core op
called underneath raised them.

By default (``runtime="spec"``) every op computes what the ONNX
specification defines: its operator text, its backend node test cases (all
of them pass) and its reference implementation where that is not known to be
wrong. Every op also takes ``runtime="onnxruntime"``, which reproduces
onnxruntime where it departs from the specification (Resize
``align_corners`` with ``scales``, MaxUnpool with ``output_shape``, MaxPool
pads and ``SAME_*`` with dilation, ...). Each departure, with a worked
example, is listed in docs/rules/onnx-departures.md. Where the
specification is silent, onnxruntime is followed. ``onnx`` itself is never
imported.

Sizes are checked before any allocation, against the library's one limit
(``tconv.get_max_output_bytes()``, 2 GiB by default): a Resize or MaxUnpool
output (counted in float64 for Resize, which computes in it), or the windows
a MaxPool beyond the core's pads gathers, over it raises a ValueError naming
the parameter and the bytes; ``tconv.set_max_output_bytes(n)``, the context
manager ``tconv.max_output_bytes(n)`` or the environment variable
``TCONV_MAX_OUTPUT_BYTES`` raise it.
"""
from __future__ import annotations

import contextlib
import math
import re

import numpy as np

from . import _args, _limits, _resize
from ._conv import conv as _conv
from ._conv import conv_transpose as _conv_transpose
from ._geometry import effective_kernel
from ._geometry import onnx as _rules
from ._geometry.pool import unpool_length
from ._pool import max_pool as _max_pool
from ._pool import max_unpool as _max_unpool

__all__ = ["conv", "conv_transpose", "depth_to_space", "max_pool", "max_unpool",
           "resize", "space_to_depth"]

AUTO_PADS = _rules.AUTO_PADS
DEPTH_MODES = ("DCR", "CRD")
RUNTIMES = ("spec", "onnxruntime")


# The core's parameter names and ONNX's, where they differ (in error messages).
_ONNX_NAMES = {"stride": "strides", "dilation": "dilations", "groups": "group",
               "kernel_size": "kernel_shape", "weight": "W", "bias": "B"}


@contextlib.contextmanager
def _as_onnx(op: str):
    """Re-raise a core op's ``ValueError``/``TypeError`` as ``op``'s own.

    The core names itself (``conv: ...``) and its parameters (``groups=2``);
    the message keeps its text with ``op`` (``onnx.conv``) and ONNX's names.
    """
    try:
        yield
    except (ValueError, TypeError) as error:
        text = str(error)
        head, sep, rest = text.partition(": ")
        if sep and not head.startswith("onnx.") and " " not in head:
            text = rest
        for core, onnx_name in _ONNX_NAMES.items():
            text = re.sub(rf"\b{core}\b", onnx_name, text)
        message = f"{op}: {text}"
        raise type(error)(message) from None


# -------------------------------------------------------------------- attribute readers


def _string(op: str, name: str, value, allowed) -> str:
    """A string attribute given as ``str`` or ``bytes`` (as ONNX graphs store them)."""
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    return _args.choice(op, name, value, allowed)


def _runtime(op: str, runtime) -> bool:
    """``runtime``: True for ``"onnxruntime"``, False for ``"spec"``."""
    return _string(op, "runtime", runtime, RUNTIMES) == "onnxruntime"


def _items(op: str, name: str, value) -> tuple | None:
    """A flat list, tuple or 1-D array as a tuple; ``None`` for anything else.

    Sets and dicts (no order, or keys that are not values) and nested lists
    are refused by the caller instead of being read as a sequence.
    """
    if isinstance(value, np.ndarray):
        return tuple(value.tolist()) if value.ndim == 1 else None
    if not isinstance(value, (list, tuple)):
        return None
    if any(isinstance(v, (list, tuple, set, dict, np.ndarray, str, bytes)) for v in value):
        return None
    return tuple(value)


def _flag01(op: str, name: str, value) -> int:
    """A 0/1 int attribute (``ceil_mode``, ``storage_order``, ``antialias``...).

    Only a Python or NumPy integer (or bool) scalar; arrays and tensors are
    refused with a TypeError instead of NumPy's "truth value is ambiguous".
    """
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if not _args.is_int(value):
        message = f"{op}: {name}={value!r} must be the int 0 or 1; got {type(value).__name__}"
        raise TypeError(message)
    if value not in (0, 1):
        message = f"{op}: {name}={value!r} must be 0 or 1"
        raise ValueError(message)
    return int(value)


def _optional(value, op: str | None = None, name: str | None = None):
    """An optional tensor input: ``None`` or empty means absent.

    With ``op`` and ``name`` the input must be numeric (a string such as
    ``roi='abc'``, a set or a dict is refused, never ignored).
    """
    if value is None:
        return None
    if op is not None and (isinstance(value, (str, bytes, set, frozenset, dict))):
        message = (f"{op}: {name}={value!r} must be a 1-D list or array of numbers; "
                   f"got {type(value).__name__}")
        raise TypeError(message)
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nesting
        message = f"{op or 'onnx'}: {name or 'input'}={value!r} must be a flat list of numbers"
        raise TypeError(message) from None
    if op is not None and array.size and array.dtype.kind not in "biuf":
        message = (f"{op}: {name}={value!r} must be a 1-D list or array of numbers; "
                   f"got dtype {array.dtype}")
        raise TypeError(message)
    return None if array.size == 0 else array


def _array(op: str, name: str, value) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        message = f"{op}: {name} must be a numeric array; got dtype {array.dtype}"
        raise TypeError(message)
    return array


def _batched(op: str, name: str, array: np.ndarray, rank: int | None = None) -> int:
    """Check ``(N, C, *S)`` with 1-3 spatial axes; return the spatial rank."""
    if not 3 <= array.ndim <= 5 or (rank is not None and array.ndim != rank + 2):
        wanted = "3-5" if rank is None else str(rank + 2)
        message = (f"{op}: {name} must be (N, C, *spatial) with {wanted} axes; got shape "
                   f"{array.shape}")
        raise ValueError(message)
    return array.ndim - 2


def read_ints(op: str, name: str, value, count: int, default: int) -> tuple[int, ...]:
    """An ints attribute of ``count`` values (``None`` gives the default)."""
    if value is None:
        return (default,) * count
    values = _items(op, name, value)
    if values is None or not all(_args.is_int(v) for v in values):
        message = f"{op}: {name}={value!r} must be a list of {count} ints"
        raise TypeError(message)
    if len(values) != count:
        message = f"{op}: {name}={value!r} must have {count} values; got {len(values)}"
        raise ValueError(message)
    return tuple(int(v) for v in values)


def _positive(op: str, name: str, value, rank: int) -> tuple[int, ...]:
    values = read_ints(op, name, value, rank, 1)
    if min(values) < 1:
        message = f"{op}: {name}={value!r} must be positive on every axis"
        raise ValueError(message)
    return values


def read_pads(op: str, pads, rank: int) -> tuple[tuple[int, int], ...]:
    """``[b_1..b_d, e_1..e_d]`` as d ``(before, after)`` pairs."""
    flat = read_ints(op, "pads", pads, 2 * rank, 0)
    if min(flat) < 0:
        message = f"{op}: pads={pads!r} must be non-negative"
        raise ValueError(message)
    return tuple(zip(flat[:rank], flat[rank:]))


def _kernel_shape(op: str, kernel_shape, weight_shape: tuple[int, ...]) -> None:
    """``kernel_shape`` is optional for Conv/ConvTranspose; if given it must match W."""
    if kernel_shape is None:
        return
    given = read_ints(op, "kernel_shape", kernel_shape, len(weight_shape), 1)
    if given != weight_shape:
        message = (f"{op}: kernel_shape={kernel_shape!r} does not match the spatial shape "
                   f"{weight_shape} of W")
        raise ValueError(message)


def _forward_pads(op: str, auto_pad: str, pads, in_size, kernel, stride, dilation, *,
                  clamp: bool, dilate: bool = True):
    explicit = read_pads(op, pads, len(in_size)) if auto_pad == "NOTSET" else None
    return _rules.forward_pads(auto_pad, explicit, in_size, kernel, stride, dilation,
                               clamp=clamp, dilate=dilate)


def _crop(X: np.ndarray, pads):
    """Negative pads as a crop of ``X``: ``(X, non-negative pads, crop offsets)``."""
    index = (slice(None),) * 2 + tuple(slice(max(-lo, 0), n - max(-hi, 0))
                                       for n, (lo, hi) in zip(X.shape[2:], pads))
    return (X[index], tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads),
            tuple(max(-lo, 0) for lo, _ in pads))


# ------------------------------------------------------------------ Conv, ConvTranspose


@_args.keywords
def conv(X, W, B=None, *, auto_pad="NOTSET", dilations=None, group=1, kernel_shape=None,
         pads=None, strides=None, runtime="spec"):
    """ONNX ``Conv`` (opset 22).

    Parameters
    ----------
    X : array_like
        ``(N, C, *S)`` with 1-3 spatial axes.
    W : array_like
        ``(M, C/group, *k)``.
    B : array_like, optional
        ``(M,)``; ``None`` or empty means no bias.
    auto_pad : str or bytes
        ``"NOTSET"`` (use ``pads``), ``"VALID"``, ``"SAME_UPPER"`` (odd
        padding unit at the end) or ``"SAME_LOWER"`` (at the start).
    dilations, strides : list of ints, optional
        One per spatial axis; default 1.
    group : int
    kernel_shape : list of ints, optional
        Must equal ``W.shape[2:]`` when given.
    pads : list of ints, optional
        ``[b_1..b_d, e_1..e_d]``; default zeros; ignored unless NOTSET.
    runtime : {"spec", "onnxruntime"}
        ``"onnxruntime"`` refuses ``SAME_*`` with dilations, as onnxruntime
        does (docs/rules/onnx-departures.md).

    Returns
    -------
    numpy.ndarray
        ``(N, M, *S_out)``, X's floating dtype.

    Raises
    ------
    ValueError, TypeError
        Bad attributes (the message names the ONNX attribute) or shapes.

    Notes
    -----
    ``SAME_*`` gives ``ceil(n / stride)`` outputs with total padding
    ``max((out - 1)*s + ke - n, 0)`` (docs/rules/onnx.md); dilation is
    honoured there as the spec says (onnxruntime refuses it).

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.arange(6.0).reshape(1, 1, 6)
    >>> W = np.array([[[1.0, 1.0, 1.0]]])
    >>> tconv.onnx.conv(X, W, auto_pad="SAME_UPPER", strides=[2])
    array([[[3., 9., 9.]]])
    >>> tconv.onnx.conv(X, W, auto_pad=b"SAME_LOWER", strides=[2])
    array([[[ 1.,  6., 12.]]])
    """
    op = "onnx.conv"
    ort = _runtime(op, runtime)
    auto_pad = _string(op, "auto_pad", auto_pad, AUTO_PADS)
    X, W = _array(op, "X", X), _array(op, "W", W)
    rank = _batched(op, "X", X)
    _batched(op, "W", W, rank)
    _kernel_shape(op, kernel_shape, W.shape[2:])
    stride = _positive(op, "strides", strides, rank)
    dilation = _positive(op, "dilations", dilations, rank)
    if ort and auto_pad.startswith("SAME") and max(dilation) > 1:
        message = (f"{op}: auto_pad={auto_pad!r} with dilations={list(dilation)!r} is "
                   "refused by onnxruntime (runtime='onnxruntime'); the spec's result is "
                   "runtime='spec'")
        raise ValueError(message)
    padding = _forward_pads(op, auto_pad, pads, X.shape[2:], W.shape[2:], stride, dilation,
                            clamp=True)
    group = _args.positive_int(op, "group", group)
    X, padding, _ = _crop(X, padding)
    with _as_onnx(op):
        return _conv(X, W, _optional(B), stride=stride, padding=padding, dilation=dilation,
                     groups=group)


def _transpose_pads(op, auto_pad, pads, output_shape, in_size, kernel, stride, dilation,
                    output_padding, ort=False):
    """Per axis ``(before, after, output_padding)`` for the core (docs/rules/onnx.md).

    Reads ``pads`` and ``output_shape``; the rule is
    :func:`tconv._geometry.onnx.transpose_pads`.
    """
    rank = len(in_size)
    wanted = None
    if output_shape is not None:
        if output_shape.ndim != 1:
            message = (f"{op}: output_shape={output_shape.tolist()!r} must be a flat list of "
                       "ints")
            raise TypeError(message)
        wanted = list(output_shape.tolist())
        if len(wanted) == rank + 2:  # the full shape, as onnxruntime also accepts
            wanted = wanted[2:]
        wanted = read_ints(op, "output_shape", wanted, rank, 1)
        if min(wanted) < 1:
            message = f"{op}: output_shape={output_shape.tolist()!r} must be positive"
            raise ValueError(message)
    explicit = read_pads(op, pads, rank) if auto_pad == "NOTSET" and wanted is None else None
    return _rules.transpose_pads(op, auto_pad, explicit, wanted, in_size, kernel, stride,
                                 dilation, output_padding, ort=ort)


@_args.keywords
def conv_transpose(X, W, B=None, *, auto_pad="NOTSET", dilations=None, group=1,
                   kernel_shape=None, output_padding=None, output_shape=None, pads=None,
                   strides=None, runtime="spec"):
    """ONNX ``ConvTranspose`` (opset 22).

    Parameters
    ----------
    X : array_like
        ``(N, C, *S)`` with 1-3 spatial axes.
    W : array_like
        ``(C, M/group, *k)``.
    B : array_like, optional
        ``(M,)``; ``None`` or empty means no bias.
    auto_pad : str or bytes
        ``"NOTSET"``, ``"VALID"``, ``"SAME_UPPER"`` or ``"SAME_LOWER"``.
    dilations, strides, output_padding : list of ints, optional
        One per spatial axis; defaults 1, 1, 0.
    group : int
    kernel_shape : list of ints, optional
        Must equal ``W.shape[2:]`` when given.
    output_shape : array_like of ints, optional
        Spatial output shape (or the full shape, whose N and C are ignored,
        as onnxruntime accepts it); overrides ``pads`` (as onnxruntime does, even
        with ``pads`` given). ``None`` or empty means absent.
    pads : list of ints, optional
        ``[b_1..b_d, e_1..e_d]``, cropped from the full output.
    runtime : {"spec", "onnxruntime"}
        ``"onnxruntime"``: ``SAME_*`` whose total padding is negative
        (kernel shorter than the stride) returns the full output, as
        onnxruntime does, instead of ``n*s`` values, and an
        ``output_padding`` not below ``strides`` is refused
        (docs/rules/onnx-departures.md).

    Returns
    -------
    numpy.ndarray
        ``(N, M, *S_out)``, X's floating dtype.

    Raises
    ------
    ValueError, TypeError
        Bad attributes (the message names the ONNX attribute), shapes, an
        output_padding not below ``max(strides, dilations)``, an
        ``output_shape`` more than ``max(strides, dilations) - 1`` beyond
        the full output.

    Notes
    -----
    Per axis ``F = s*(n-1) + output_padding + ke``. SAME_* gives ``n*s``;
    with ``output_shape`` or SAME_*, ``total = F - out``; SAME_UPPER crops
    ``total//2`` at the start, NOTSET/VALID/SAME_LOWER ``total - total//2``
    (docs/rules/onnx.md). A negative total (``ke < s`` with SAME_*, or an
    ``output_shape`` beyond ``F``) appends zeros at the end of the axis
    (the spec read with C truncation; onnxruntime returns a shorter output
    for SAME_* there). The reference evaluator refuses ``group > 1`` and
    ``output_shape`` without ``SAME_*``, and uses ``pads`` together with
    ``output_shape``; the spec's text is followed (``pads`` ignored).

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.array([[[1.0, 2.0, 3.0]]])
    >>> W = np.array([[[1.0, 10.0, 100.0]]])
    >>> tconv.onnx.conv_transpose(X, W, strides=[2])
    array([[[  1.,  10., 102.,  20., 203.,  30., 300.]]])
    >>> tconv.onnx.conv_transpose(X, W, strides=[2], auto_pad="SAME_UPPER")
    array([[[  1.,  10., 102.,  20., 203.,  30.]]])
    >>> tconv.onnx.conv_transpose(X, W, strides=[2], output_shape=[4])
    array([[[102.,  20., 203.,  30.]]])
    """
    op = "onnx.conv_transpose"
    ort = _runtime(op, runtime)
    auto_pad = _string(op, "auto_pad", auto_pad, AUTO_PADS)
    X, W = _array(op, "X", X), _array(op, "W", W)
    rank = _batched(op, "X", X)
    _batched(op, "W", W, rank)
    _kernel_shape(op, kernel_shape, W.shape[2:])
    stride = _positive(op, "strides", strides, rank)
    dilation = _positive(op, "dilations", dilations, rank)
    extra = read_ints(op, "output_padding", output_padding, rank, 0)
    limit = tuple(_rules.output_padding_limit(s, d) for s, d in zip(stride, dilation))
    if any(not 0 <= p < lim for p, lim in zip(extra, limit)):
        message = (f"{op}: output_padding={output_padding!r} must be non-negative and "
                   f"smaller than max(strides, dilations) = {limit}")
        raise ValueError(message)
    if ort and not _rules.output_padding_allowed(extra, stride):
        message = (f"{op}: output_padding={output_padding!r} must be smaller than "
                   f"strides={list(stride)!r} with runtime='onnxruntime' (onnxruntime refuses "
                   "it even below dilations; runtime='spec' accepts it)")
        raise ValueError(message)
    group = _args.positive_int(op, "group", group)
    geometry = _transpose_pads(op, auto_pad, pads, _optional(output_shape, op, "output_shape"),
                               X.shape[2:], W.shape[2:], stride, dilation, extra, ort)
    with _as_onnx(op):
        return _conv_transpose(X, W, _optional(B), stride=stride,
                               padding=tuple((lo, hi) for lo, hi, _ in geometry),
                               output_padding=tuple(p for _, _, p in geometry),
                               dilation=dilation, groups=group)


# ------------------------------------------------------------------- MaxPool, MaxUnpool


def _pool_input(op: str, X, kernel_shape):
    X = _array(op, "X", X)
    values = _items(op, "kernel_shape", kernel_shape)
    if values is None:
        message = (f"{op}: kernel_shape={kernel_shape!r} is required, a flat list of ints "
                   "(one per spatial axis)")
        raise TypeError(message)
    rank = _batched(op, "X", X)
    if len(values) != rank:
        message = (f"{op}: kernel_shape={kernel_shape!r} has {len(values)} values; X of shape "
                   f"{X.shape} has {rank} spatial axes, so it needs {rank}")
        raise ValueError(message)
    kernel = _positive(op, "kernel_shape", kernel_shape, rank)
    return X, rank, kernel



def _needs_wide(sizes, kernel, stride, padding, dilation, ceil_mode, ort) -> bool:
    """Whether the core (PyTorch's rules) cannot pool this: the adapter does."""
    if any(max(p) > k // 2 or min(p) < 0 for p, k in zip(padding, kernel)):
        return True  # a negative pad (SAME_* total < 0) only moves the windows
    outs = _rules.pool_lengths(sizes, kernel, stride, padding, dilation, ceil_mode, ort)
    for n, k, s, (lo, hi), d, out in zip(sizes, kernel, stride, padding, dilation, outs):
        if out is None:
            return False  # the core refuses it, naming the sizes
        if n + lo + hi < effective_kernel(k, d):
            return True  # onnxruntime's one window over a short input
        where = np.arange(out)[:, None] * s - lo + np.arange(k)[None, :] * d
        if not ((where >= 0) & (where < n)).any(axis=1).all():
            return True  # a window wholly in the padding
    return False


def _pool_wide(op: str, X: np.ndarray, kernel, stride, padding, dilation, ceil_mode: bool,
               ort: bool):
    """MaxPool with any pads (implicit ``-inf``), per window; ``(Y, positions)``.

    For pads beyond half the kernel, which ONNX allows and the core (as
    PyTorch) refuses. ``positions`` holds per spatial axis the input
    coordinate of each window's first maximum (row-major window order, NaN
    winning, as the core). A window that holds no input element has no
    defined value: refused.
    """
    rank = len(kernel)
    sizes = X.shape[2:]
    outs = _rules.pool_lengths(sizes, kernel, stride, padding, dilation, ceil_mode, ort)
    for n, k, d, (lo, hi), out in zip(sizes, kernel, dilation, padding, outs):
        if out is None or out < 1:
            message = (f"{op}: kernel_shape={list(kernel)!r} (dilated span "
                       f"{effective_kernel(k, d)}) is longer than the padded input "
                       f"({n + lo + hi}); the output would be empty")
            raise ValueError(message)
    count = math.prod(kernel)
    # The windows are gathered at once: values plus a validity byte each.
    _limits.check_bytes(op, "pads", [p for pair in zip(*padding) for p in pair],
                        (*X.shape[:2], *outs, count), X.dtype.itemsize + 1,
                        what="a gather of the windows")
    index, valid = [], np.ones((1,) * (2 * rank), dtype=bool)
    for a, (n, k, s, (lo, _), d) in enumerate(zip(sizes, kernel, stride, padding, dilation)):
        shape = [1] * (2 * rank)
        shape[a], shape[rank + a] = outs[a], k
        where = (np.arange(outs[a])[:, None] * s - lo + np.arange(k)[None, :] * d)
        where = where.reshape(shape)
        index.append(np.clip(where, 0, n - 1))
        valid = valid & (where >= 0) & (where < n)
    gathered = X[(slice(None), slice(None), *index)]
    gathered = gathered.reshape(X.shape[:2] + tuple(outs) + (count,))
    valid = np.broadcast_to(valid, tuple(outs) + tuple(kernel)).reshape(tuple(outs) + (count,))
    if not valid.any(axis=-1).all():
        message = (f"{op}: pads={[p for pair in zip(*padding) for p in pair]!r} leave a "
                   f"window (kernel_shape={list(kernel)!r}, dilations={list(dilation)!r}) "
                   "with no input element; ONNX defines no value for it")
        raise ValueError(message)
    if X.dtype.kind == "f":
        lowest = -np.inf
    elif X.dtype.kind == "b":
        lowest = False
    else:
        lowest = np.iinfo(X.dtype).min
    best = np.where(valid, gathered, lowest).max(axis=-1, keepdims=True)
    hit = valid & (gathered == best)
    if X.dtype.kind == "f":
        hit |= valid & np.isnan(gathered) & np.isnan(best)
    first = hit.argmax(axis=-1)
    values = np.take_along_axis(gathered, first[..., None], axis=-1)[..., 0]
    taps = np.unravel_index(first, kernel)
    positions = []
    for a, (s, (lo, _), d) in enumerate(zip(stride, padding, dilation)):
        start = (np.arange(outs[a]) * s - lo).reshape((outs[a],) + (1,) * (rank - a - 1))
        positions.append(start + taps[a] * d)
    return values, tuple(positions)


@_args.keywords
def max_pool(X, *, kernel_shape, auto_pad="NOTSET", ceil_mode=0, dilations=None, pads=None,
             storage_order=0, strides=None, runtime="spec"):
    """ONNX ``MaxPool`` (opset 22), returning ``(Y, Indices)``.

    Parameters
    ----------
    X : array_like
        ``(N, C, *S)`` with 1-3 spatial axes; any numeric dtype (uint8 and
        int8 as in ONNX) is kept.
    kernel_shape : list of ints
    auto_pad : str or bytes
        ``"NOTSET"``, ``"VALID"``, ``"SAME_UPPER"`` or ``"SAME_LOWER"``
        (``ceil(n / s)`` outputs).
    ceil_mode : int
        0 or 1.
    dilations, strides : list of ints, optional
        Defaults 1.
    pads : list of ints, optional
        ``[b_1..b_d, e_1..e_d]``, any size (implicit ``-inf`` padding, never
        chosen) as long as every window holds an input element.
    storage_order : int
        0: Indices row-major; 1: the spatial part column-major.
    runtime : {"spec", "onnxruntime"}
        ``"onnxruntime"``: ``SAME_*`` pads count the undilated kernel, and
        pads not smaller than the kernel are refused, as onnxruntime does
        (docs/rules/onnx-departures.md).

    Returns
    -------
    Y : numpy.ndarray
        X's dtype.
    Indices : numpy.ndarray of int64
        Flattened over the whole tensor, N and C included (docs/rules/onnx.md).

    Raises
    ------
    ValueError, TypeError
        Bad attributes (the message names the ONNX attribute) or shapes.

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.array([[[[1, 9], [4, 5]]], [[[7, 0], [3, 8]]]], dtype=np.uint8)
    >>> Y, I = tconv.onnx.max_pool(X, kernel_shape=[2, 2])
    >>> Y.ravel(), I.ravel()
    (array([9, 8], dtype=uint8), array([1, 7]))
    >>> tconv.onnx.max_pool(X, kernel_shape=[2, 2], storage_order=1)[1].ravel()
    array([2, 7])
    """
    op = "onnx.max_pool"
    ort = _runtime(op, runtime)
    auto_pad = _string(op, "auto_pad", auto_pad, AUTO_PADS)
    X, rank, kernel = _pool_input(op, X, kernel_shape)
    ceil_mode = _flag01(op, "ceil_mode", ceil_mode)
    storage_order = _flag01(op, "storage_order", storage_order)
    stride = _positive(op, "strides", strides, rank)
    dilation = _positive(op, "dilations", dilations, rank)
    padding = _forward_pads(op, auto_pad, pads, X.shape[2:], kernel, stride, dilation,
                            clamp=False, dilate=not ort)
    if auto_pad.startswith("SAME") and not ort:
        ceil_mode = 0  # SAME pads already give ceil(n / s) windows (not onnxruntime's)
    if ort and any(max(p) >= k for p, k in zip(padding, kernel)):
        source = "" if auto_pad == "NOTSET" else f" (from auto_pad={auto_pad!r})"
        message = (f"{op}: pads={[p for pair in zip(*padding) for p in pair]!r}{source} "
                   f"must be smaller than kernel_shape={list(kernel)!r} with "
                   "runtime='onnxruntime' (onnxruntime refuses them; runtime='spec' "
                   "accepts them)")
        raise ValueError(message)
    in_size = X.shape[2:]
    if not _needs_wide(in_size, kernel, stride, padding, dilation, bool(ceil_mode), ort):
        with _as_onnx(op):
            values, plane_indices = _max_pool(X, kernel, stride, padding, dilation,
                                              bool(ceil_mode), return_indices=True)
        # per-plane index -> ONNX's index into X
        positions = np.unravel_index(np.asarray(plane_indices, dtype=np.int64), in_size)
    else:  # beyond the core's (PyTorch's) limits
        values, positions = _pool_wide(op, X, kernel, stride, padding, dilation,
                                       bool(ceil_mode), ort)
    values = np.asarray(values).astype(X.dtype, copy=False)
    order = "F" if storage_order else "C"
    plane_indices = np.ravel_multi_index(positions, in_size, order=order).astype(np.int64)
    planes = np.arange(X.shape[0] * X.shape[1], dtype=np.int64).reshape(
        X.shape[:2] + (1,) * rank)
    return values, plane_indices + planes * math.prod(in_size)


@_args.keywords
def max_unpool(X, I, output_shape=None, *, kernel_shape, pads=None, strides=None,
               runtime="spec"):
    """ONNX ``MaxUnpool`` (opset 22).

    Parameters
    ----------
    X : array_like
        Pooled values ``(N, C, *S)``.
    I : array_like of ints
        Global row-major indices as :func:`max_pool` (storage_order 0)
        returns them, addressing the output tensor.
    output_shape : array_like of ints, optional
        Full output shape ``(N, C, *S_out)``. ``None`` or empty means absent.
        As the spec's backend test defines it, ``I`` addresses the default
        shape (from ``pads``), which is then padded with zeros at the end (or
        cropped, if nothing lands there) to ``output_shape``.
    kernel_shape : list of ints
    pads, strides : list of ints, optional
    runtime : {"spec", "onnxruntime"}
        ``"onnxruntime"``: with ``output_shape``, ``I`` holds flat positions
        of the ``output_shape`` plane (as onnxruntime and
        ``torch.nn.functional.max_unpool2d`` read them), and each spatial
        size must lie strictly between ``default - s`` and ``default + s``
        (docs/rules/onnx-departures.md).

    Returns
    -------
    numpy.ndarray
        X's dtype; zeros where no index points.

    Raises
    ------
    ValueError, TypeError
        Bad attributes (the message names the ONNX attribute), indices
        outside the output, an output_shape out of range.

    Notes
    -----
    Default spatial size ``(n - 1)*s - (pb + pe) + k`` (docs/rules/onnx.md).
    With ``output_shape`` the two runtimes differ: X ``[[5, 6], [7, 8]]``,
    I ``[[5, 7], [13, 15]]``, kernel and strides 2, output_shape
    ``[1, 1, 5, 5]`` puts 5, 6, 7, 8 at (1, 1), (1, 3), (3, 1), (3, 3) by the
    spec, and at (1, 0), (1, 2), (2, 3), (3, 0) in onnxruntime.

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.array([[[[1.0, 9.0], [4.0, 5.0]]]])
    >>> Y, I = tconv.onnx.max_pool(X, kernel_shape=[2, 2])
    >>> tconv.onnx.max_unpool(Y, I, kernel_shape=[2, 2])
    array([[[[0., 9.],
             [0., 0.]]]])
    """
    op = "onnx.max_unpool"
    ort = _runtime(op, runtime)
    X, rank, kernel = _pool_input(op, X, kernel_shape)
    I = np.asarray(I)
    if I.dtype.kind not in "iu":
        message = f"{op}: I must hold integers; got dtype {I.dtype}"
        raise TypeError(message)
    if I.shape != X.shape:
        message = f"{op}: I must have X's shape {X.shape}; got {I.shape}"
        raise ValueError(message)
    stride = _positive(op, "strides", strides, rank)
    padding = read_pads(op, pads, rank)
    shape = _optional(output_shape, op, "output_shape")
    default = tuple(unpool_length(n, k, s, lo, hi) for n, k, s, (lo, hi)
                    in zip(X.shape[2:], kernel, stride, padding))
    if shape is None:
        out_size = default
    else:
        if shape.ndim != 1:
            message = f"{op}: output_shape={shape.tolist()!r} must be a flat list of ints"
            raise TypeError(message)
        full = read_ints(op, "output_shape", shape.tolist(), rank + 2, 1)
        if full[:2] != X.shape[:2]:
            message = (f"{op}: output_shape={list(full)!r} must start with X's "
                       f"(N, C) = {X.shape[:2]}")
            raise ValueError(message)
        out_size = full[2:]
        if min(out_size) < 1:
            message = f"{op}: output_shape={list(full)!r} must be positive"
            raise ValueError(message)
        _check_bytes(op, X, range(2, rank + 2), out_size, "output_shape", list(full))
        if not ort:
            Y = max_unpool(X, I, kernel_shape=kernel, pads=[p for pair in zip(*padding)
                                                            for p in pair],
                           strides=stride, runtime="spec")
            return _fit(op, Y, out_size)
    _check_bytes(op, X, range(2, rank + 2), out_size, "strides", list(stride))
    if min(out_size) < 1:
        message = f"{op}: the output would be empty ({out_size}); check pads={pads!r}"
        raise ValueError(message)
    plane = math.prod(out_size)
    planes = np.arange(X.shape[0] * X.shape[1], dtype=np.int64).reshape(
        X.shape[:2] + (1,) * rank)
    plane_indices = I.astype(np.int64) - planes * plane
    if plane_indices.size and (plane_indices.min() < 0 or plane_indices.max() >= plane):
        message = (f"{op}: I holds indices outside their (N, C) plane of the output "
                   f"{X.shape[:2] + tuple(out_size)}")
        raise ValueError(message)
    with _as_onnx(op):
        Y = _max_unpool(X, plane_indices, kernel, stride, padding,
                        output_size=None if shape is None else out_size)
    return np.asarray(Y).astype(X.dtype, copy=False)


def _fit(op: str, Y: np.ndarray, out_size) -> np.ndarray:
    """``Y`` zero-padded at the end, or cropped where it holds only zeros, to ``out_size``."""
    crop = (slice(None),) * 2 + tuple(slice(0, min(n, m)) for n, m in zip(Y.shape[2:], out_size))
    kept = Y[crop]
    if np.count_nonzero(kept) != np.count_nonzero(Y):
        message = (f"{op}: output_shape {tuple(out_size)} is smaller than the default "
                   f"{Y.shape[2:]} and I points into the part it would cut off")
        raise ValueError(message)
    result = np.zeros(Y.shape[:2] + tuple(out_size), dtype=Y.dtype)
    result[(slice(None),) * 2 + tuple(slice(0, n) for n in kept.shape[2:])] = kept
    return result


# ----------------------------------------------------------- DepthToSpace, SpaceToDepth


def _blocks(op: str, X, blocksize):
    if isinstance(X, (str, bytes, set, frozenset, dict)):
        message = f"{op}: X must be an array; got {type(X).__name__}"
        raise TypeError(message)
    X = np.asarray(X)
    if X.ndim != 4:
        message = f"{op}: X must be (N, C, H, W); got shape {X.shape}"
        raise ValueError(message)
    return X, _args.positive_int(op, "blocksize", blocksize)


@_args.keywords
def depth_to_space(X, *, blocksize, mode="DCR", runtime="spec"):
    """ONNX ``DepthToSpace`` (opset 13 and later).

    Output ``(c, h*b + i, w*b + j)`` reads input channel ``(i*b + j)*C_out + c``
    (DCR, TF's depth_to_space) or ``c*b*b + i*b + j`` (CRD, ==
    ``tconv.pixel_shuffle``). Only reshapes and transposes: every dtype is kept.

    Parameters
    ----------
    X : array_like
        ``(N, C, H, W)``, ``C`` divisible by ``blocksize**2``.
    blocksize : int
    mode : str or bytes
        ``"DCR"`` or ``"CRD"``.
    runtime : {"spec", "onnxruntime"}
        Accepted for uniformity; onnxruntime does not depart here.

    Returns
    -------
    numpy.ndarray
        ``(N, C/b**2, H*b, W*b)``.

    Raises
    ------
    ValueError, TypeError
        Bad shape, blocksize or mode.

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.arange(8).reshape(1, 8, 1, 1)
    >>> tconv.onnx.depth_to_space(X, blocksize=2)[0, 0]
    array([[0, 2],
           [4, 6]])
    >>> tconv.onnx.depth_to_space(X, blocksize=2, mode="CRD")[0, 0]
    array([[0, 1],
           [2, 3]])
    """
    op = "onnx.depth_to_space"
    _runtime(op, runtime)
    mode = _string(op, "mode", mode, DEPTH_MODES)
    X, b = _blocks(op, X, blocksize)
    n, c, h, w = X.shape
    if c % (b * b):
        message = f"{op}: X has {c} channels, not divisible by blocksize**2 = {b * b}"
        raise ValueError(message)
    if mode == "DCR":
        Y = X.reshape(n, b, b, c // (b * b), h, w).transpose(0, 3, 4, 1, 5, 2)
    else:
        Y = X.reshape(n, c // (b * b), b, b, h, w).transpose(0, 1, 4, 2, 5, 3)
    return Y.reshape(n, c // (b * b), h * b, w * b)


@_args.keywords
def space_to_depth(X, *, blocksize, mode="DCR", runtime="spec"):
    """ONNX ``SpaceToDepth`` (opset 28, which adds ``mode``; earlier opsets are DCR).

    The inverse of :func:`depth_to_space` with the same mode; CRD equals
    ``tconv.pixel_unshuffle``. Only reshapes and transposes: every dtype is kept.

    Parameters
    ----------
    X : array_like
        ``(N, C, H, W)``, ``H`` and ``W`` divisible by ``blocksize``.
    blocksize : int
    mode : str or bytes
        ``"DCR"`` (default) or ``"CRD"``.
    runtime : {"spec", "onnxruntime"}
        Accepted for uniformity; onnxruntime does not depart here (it has no
        ``mode`` before opset 28: DCR).

    Returns
    -------
    numpy.ndarray
        ``(N, C*b**2, H/b, W/b)``.

    Raises
    ------
    ValueError, TypeError
        Bad shape, blocksize or mode.

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.arange(16).reshape(1, 1, 4, 4)
    >>> tconv.onnx.space_to_depth(X, blocksize=2, mode="CRD")[0, :, 0, 0]
    array([0, 1, 4, 5])
    """
    op = "onnx.space_to_depth"
    _runtime(op, runtime)
    mode = _string(op, "mode", mode, DEPTH_MODES)
    X, b = _blocks(op, X, blocksize)
    n, c, h, w = X.shape
    if h % b or w % b:
        message = f"{op}: X's spatial shape {(h, w)} is not divisible by blocksize={b}"
        raise ValueError(message)
    Y = X.reshape(n, c, h // b, b, w // b, b)
    Y = Y.transpose(0, 3, 5, 1, 2, 4) if mode == "DCR" else Y.transpose(0, 1, 3, 5, 2, 4)
    return Y.reshape(n, c * b * b, h // b, w // b)


# ----------------------------------------------------------------------------- Resize

# onnxruntime's CPU Resize kernels (1.31): float32, float16, int32, int8 and
# uint8 (cubic only for floats); float64 follows the spec (onnxruntime has no
# double kernel); anything else is refused rather than guessed.
RESIZE_DTYPES = tuple(np.dtype(t) for t in (np.float16, np.float32, np.float64, np.int8,
                                            np.uint8, np.int32))


def _flag(op: str, name: str, value) -> bool:
    """A 0/1 int attribute."""
    return bool(_flag01(op, name, value))


def _real(op: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                         np.floating)):
        message = f"{op}: {name}={value!r} must be a float"
        raise TypeError(message)
    if not math.isfinite(value):
        message = f"{op}: {name}={value!r} must be finite"
        raise ValueError(message)
    return float(value)


def _resize_axes(op: str, axes, rank: int) -> tuple[int, ...]:
    """``axes`` (negative counted from the end) as distinct axes in ``0..rank-1``."""
    if axes is None:
        return tuple(range(rank))
    values = _items(op, "axes", axes)
    if values is None or not values or not all(_args.is_int(a) for a in values):
        message = f"{op}: axes={axes!r} must be a non-empty list of ints"
        raise TypeError(message)
    if any(not -rank <= a < rank for a in values):
        message = f"{op}: axes={axes!r} must lie in [{-rank}, {rank - 1}] for X of rank {rank}"
        raise ValueError(message)
    result = tuple(int(a) % rank for a in values)
    if len(set(result)) != len(result):
        message = f"{op}: axes={axes!r} names an axis twice"
        raise ValueError(message)
    return result


def _vector(op: str, name: str, value, count: int, kinds: str, what: str) -> np.ndarray:
    """A 1-D tensor input of ``count`` values whose dtype kind is in ``kinds``."""
    array = np.asarray(value)
    if array.dtype.kind == "b":
        message = f"{op}: {name}={array.tolist()!r} must be a 1-D list of {what}, not bools"
        raise TypeError(message)
    if array.dtype.kind not in kinds or array.ndim != 1:
        message = f"{op}: {name}={array.tolist()!r} must be a 1-D list of {what}"
        raise TypeError(message)
    if len(array) != count:
        message = (f"{op}: {name}={array.tolist()!r} has {len(array)} values; it needs "
                   f"{count} (one per entry of axes, or per axis of X)")
        raise ValueError(message)
    return array


def _resize_plans(op, X, axes, roi, scales, sizes, coordinate, policy, runtime="spec"):
    """Per resized axis: ``AxisPlan`` (sizes, mapping scale, roi) (docs/rules/onnx.md)."""
    count = len(axes)
    in_sizes = [X.shape[a] for a in axes]
    ranges = [(0.0, 1.0)] * count
    if coordinate == "tf_crop_and_resize":
        if roi is None:
            message = (f"{op}: coordinate_transformation_mode='tf_crop_and_resize' needs "
                       f"roi, {2 * count} values [starts..., ends...] (normalised; "
                       f"{[0] * count + [1] * count} is the whole input)")
            raise ValueError(message)
        roi = _vector(op, "roi", roi, 2 * count, "iuf", "numbers")
        ranges = [(float(np.float32(roi[i])), float(np.float32(roi[count + i])))
                  for i in range(count)]
    if scales is not None:
        if policy != "stretch":
            message = (f"{op}: keep_aspect_ratio_policy={policy!r} applies to sizes only; "
                       "with scales use 'stretch'")
            raise ValueError(message)
        scales = _vector(op, "scales", scales, count, "iuf", "positive floats")
        values = [float(np.float32(s)) for s in scales]
        if not all(math.isfinite(s) and s > 0 for s in values):
            message = f"{op}: scales={scales.tolist()!r} must be positive and finite"
            raise ValueError(message)
        out_sizes = [_resize.size_from_scale(n, s, runtime) for n, s in zip(in_sizes, values)]
        widths = [None] * count
        if coordinate == "tf_crop_and_resize" and runtime == "spec":
            # the text: floor(in * (roi_end - roi_start) * scale), the crop scaled
            widths = [n * (hi - lo) * s for n, (lo, hi), s in zip(in_sizes, ranges, values)]
            out_sizes = [math.floor(w) if w > 0 else 0 for w in widths]
        what = f"scales={scales.tolist()!r}"
    else:
        sizes = _vector(op, "sizes", sizes, count, "iu", "ints")
        wanted = [int(v) for v in sizes]
        if min(wanted) < 1:
            message = f"{op}: sizes={wanted!r} must be positive"
            raise ValueError(message)
        if policy == "stretch":
            out_sizes = wanted
            values = [_ratio(n, m, runtime) for n, m in zip(in_sizes, wanted)]
        else:
            scale = _resize.aspect_scale(in_sizes, wanted, policy, runtime)
            out_sizes = [_resize.size_from_aspect(n, scale, runtime) for n in in_sizes]
            values = [scale] * count
        what = f"sizes={wanted!r} (keep_aspect_ratio_policy={policy!r})"
        widths = [None] * count
    if min(out_sizes) < 1:
        message = (f"{op}: {what} gives an empty output {out_sizes} on axes {list(axes)} "
                   f"of sizes {in_sizes}; every output length must be >= 1")
        raise ValueError(message)
    if scales is not None:
        _check_bytes(op, X, axes, out_sizes, "scales", values)
    else:
        _check_bytes(op, X, axes, out_sizes, "sizes", wanted)
    is_ratio = scales is None and policy == "stretch"
    # keep_aspect_ratio_policy turns sizes into one scale: the spec then maps
    # with that scale's fractional width, as with scales (length 1 included).
    return [_resize.AxisPlan(a, n, m, s, r, is_ratio, width, from_sizes=is_ratio)
            for a, n, m, s, r, width in zip(axes, in_sizes, out_sizes, values, ranges, widths)]


def _ratio(n: int, m: int, runtime: str) -> float:
    """``m / n``: float64 by the spec, float32 in onnxruntime."""
    return float(np.float32(m) / np.float32(n)) if runtime == "onnxruntime" else m / n


def _check_bytes(op: str, X: np.ndarray, axes, out_sizes, name: str, value) -> None:
    """Refuse an output (float64 while computing) over the library's limit."""
    shape = list(X.shape)
    for a, m in zip(axes, out_sizes):
        shape[a] = m
    _limits.check_bytes(op, name, value, shape, max(X.dtype.itemsize, 8),
                        input_bytes=X.nbytes)


@_args.keywords
def resize(X, roi=None, scales=None, sizes=None, *, antialias=0, axes=None,
           coordinate_transformation_mode="half_pixel", cubic_coeff_a=-0.75,
           exclude_outside=0, extrapolation_value=0.0, keep_aspect_ratio_policy="stretch",
           mode="nearest", nearest_mode="round_prefer_floor", runtime="spec"):
    """ONNX ``Resize`` (opset 19): nearest, linear or cubic resampling of any axes.

    Parameters
    ----------
    X : array_like
        Any rank >= 1; every axis listed in ``axes`` (by default all, N and C
        included) is resized. dtypes: float16, float32, float64, and int8,
        uint8, int32 for nearest and linear (as onnxruntime).
    roi : array_like, optional
        ``[start_1..start_k, end_1..end_k]`` (normalised), one pair per entry
        of ``axes``; required by, and only used by, ``tf_crop_and_resize``.
    scales : array_like of floats, optional
        One per entry of ``axes``; read as float32, as in ONNX graphs. Output
        length ``floor(in * scale)``, mapped with the given scale.
    sizes : array_like of ints, optional
        One per entry of ``axes``. Exactly one of ``scales`` and ``sizes``;
        ``None`` or empty means absent.
    antialias : {0, 1}
        Linear and cubic only: when downscaling, widen the kernel by
        ``1/scale`` and normalise its weights.
    axes : list of ints, optional
        The axes ``roi``, ``scales`` and ``sizes`` refer to (negative ones
        count from the end); default all.
    coordinate_transformation_mode : str or bytes
        ``"half_pixel"``, ``"half_pixel_symmetric"``, ``"pytorch_half_pixel"``,
        ``"align_corners"``, ``"asymmetric"`` or ``"tf_crop_and_resize"``.
    cubic_coeff_a : float
        The Keys coefficient ``a`` of cubic mode (-0.75 as PyTorch; -0.5 as
        TensorFlow and JAX).
    exclude_outside : {0, 1}
        Give taps outside the input weight 0 and renormalise, instead of
        repeating the edge.
    extrapolation_value : float
        ``tf_crop_and_resize`` only: the value of outputs whose source lies
        outside the input.
    keep_aspect_ratio_policy : str or bytes
        ``"stretch"``, ``"not_larger"`` or ``"not_smaller"`` (with ``sizes``).
    mode : str or bytes
        ``"nearest"``, ``"linear"`` or ``"cubic"``.
    nearest_mode : str or bytes
        ``"round_prefer_floor"``, ``"round_prefer_ceil"``, ``"floor"`` or
        ``"ceil"``.
    runtime : {"spec", "onnxruntime"}
        ``"spec"``: the specification's formulas (float64, ``output_width =
        scale * in`` fractional with ``scales``). ``"onnxruntime"``:
        onnxruntime's CPU kernel (float32, integer output length; see Notes).

    Returns
    -------
    numpy.ndarray
        X's dtype. Integer linear results are truncated toward zero (with
        antialias: rounded half away from zero and clipped to the dtype's
        range), as onnxruntime does for uint8.

    Raises
    ------
    ValueError, TypeError
        Both or neither of scales and sizes, lengths that don't match axes,
        unknown modes, antialias with nearest, tf_crop_and_resize without roi,
        keep_aspect_ratio_policy other than stretch with scales, cubic on
        integers, dtypes onnxruntime has no kernel for, an empty output.

    Notes
    -----
    Source coordinates, kernels and output sizes are those of
    docs/rules/onnx.md, computed per axis by ``tconv._resize``. By default
    (``runtime="spec"``) the spec's formulas are evaluated in float64 in
    the order of its reference implementation: output lengths
    ``floor(in * scale)``; ``align_corners`` and ``half_pixel_symmetric``
    with ``scales`` use ``output_width = scale * in`` (fractional: a 2 x 4
    input, scales 0.6, linear ``align_corners`` gives 1 and 3.142857 in the
    first row); ``pytorch_half_pixel`` maps an output of length 1 to 0.

    ``runtime="onnxruntime"`` reproduces onnxruntime where it departs
    (docs/rules/onnx-departures.md): float32 arithmetic (output lengths,
    coordinates, nearest rounding), the integer output length in every
    formula (the example above gives 1 and 4), a copy of the input when the output shape
    equals the input shape, an unchanged axis when antialiasing or when its
    scale is 1 (``roi`` ignored there), and refusals of ``exclude_outside=1``
    where onnxruntime refuses it (nearest; linear without antialias).
    Not reproduced: onnxruntime leaves negative ``axes`` out of
    ``keep_aspect_ratio_policy``, clips int8 antialiased results to 0..255
    and rounds integer antialiased results after each axis; here the axes
    are normalised and integers rounded once, clipped to the dtype's range.

    Examples
    --------
    >>> import numpy as np, tconv.onnx
    >>> X = np.array([[1.0, 2.0, 3.0, 4.0]])
    >>> tconv.onnx.resize(X, sizes=[8], axes=[1])
    array([[1., 1., 2., 2., 3., 3., 4., 4.]])
    >>> tconv.onnx.resize(X, scales=[2.0], axes=[-1], mode="linear")
    array([[1.  , 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4.  ]])
    >>> tconv.onnx.resize(X, sizes=[1, 3], mode="linear", antialias=1)
    array([[1.27272727, 2.5       , 3.72727273]])
    >>> tconv.onnx.resize(X, roi=[0.5, 1.5], sizes=[3], axes=[1], mode="linear",
    ...                   coordinate_transformation_mode="tf_crop_and_resize",
    ...                   extrapolation_value=-1.0)
    array([[ 2.5,  4. , -1. ]])
    """
    op = "onnx.resize"
    runtime = "onnxruntime" if _runtime(op, runtime) else "spec"
    mode = _string(op, "mode", mode, _resize.MODES)
    coordinate = _string(op, "coordinate_transformation_mode",
                         coordinate_transformation_mode, _resize.COORDINATE_MODES)
    nearest_mode = _string(op, "nearest_mode", nearest_mode, _resize.NEAREST_MODES)
    policy = _string(op, "keep_aspect_ratio_policy", keep_aspect_ratio_policy,
                     _resize.ASPECT_POLICIES)
    antialias = _flag(op, "antialias", antialias)
    exclude_outside = _flag(op, "exclude_outside", exclude_outside)
    cubic_coeff_a = _real(op, "cubic_coeff_a", cubic_coeff_a)
    extrapolation_value = _real(op, "extrapolation_value", extrapolation_value)
    X = _array(op, "X", X)
    if X.dtype not in RESIZE_DTYPES:
        message = (f"{op}: X has dtype {X.dtype}, which onnxruntime's Resize does not "
                   f"support; use one of {', '.join(str(d) for d in RESIZE_DTYPES)}")
        raise TypeError(message)
    if X.ndim == 0:
        message = f"{op}: X must have at least one axis; got a scalar"
        raise ValueError(message)
    _args.nonempty(op, "X", X.shape)
    if antialias and mode == "nearest":
        message = f"{op}: antialias=1 needs mode 'linear' or 'cubic'; got mode='nearest'"
        raise ValueError(message)
    is_integer = X.dtype.kind in "iu"
    if mode == "cubic" and is_integer:
        message = (f"{op}: mode='cubic' needs a floating X (onnxruntime has no integer "
                   f"cubic kernel); got dtype {X.dtype}")
        raise TypeError(message)
    if runtime == "onnxruntime" and exclude_outside and (mode == "nearest" or (
            mode == "linear" and not antialias)):
        message = (f"{op}: exclude_outside=1 with mode={mode!r}"
                   f"{'' if mode == 'nearest' else ' and antialias=0'} is refused by "
                   "onnxruntime (runtime='onnxruntime'); it changes nothing by the spec")
        raise ValueError(message)
    axes = _resize_axes(op, axes, X.ndim)
    roi = _optional(roi, op, "roi")
    scales, sizes = _optional(scales, op, "scales"), _optional(sizes, op, "sizes")
    if roi is not None and coordinate != "tf_crop_and_resize":
        _vector(op, "roi", roi, 2 * len(axes), "iuf", "numbers")  # checked, then unused
    if (scales is None) == (sizes is None):
        given = "both" if scales is not None else "neither"
        message = f"{op}: give exactly one of scales and sizes; got {given}"
        raise ValueError(message)
    plans = _resize_plans(op, X, axes, roi, scales, sizes, coordinate, policy, runtime)
    kernel = _resize.Kernel(mode, coordinate, nearest_mode, cubic_coeff_a, exclude_outside,
                            antialias, runtime)
    if runtime == "onnxruntime":
        if all(p.out_size == p.in_size for p in plans):
            return X.copy()  # onnxruntime copies X whatever the scales
        kept = [p for p in plans if p.out_size != p.in_size or not (
            antialias or np.float32(p.scale) == 1)]
        # An axis skipped for antialias (same length, scale not 1) still
        # extrapolates outside the roi (tf_crop_and_resize); a scale-1 axis
        # is skipped whole.
        unresampled = [p for p in plans if p not in kept and np.float32(p.scale) != 1]
        plans = kept
    else:
        unresampled = []
    if mode == "nearest":
        return _resize.resize(X, plans, kernel, extrapolation_value, unresampled)
    Y = _resize.resize(X.astype(np.float64), plans, kernel, extrapolation_value,
                       unresampled)
    return _resize.restore_dtype(Y, X.dtype, antialias)
