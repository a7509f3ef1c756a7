"""The convolution matrix ``C``, built from a plan.

``C`` maps the flattened input of a convolution to its flattened output:
``C[(co, i), (ci, j)] = w[co, ci, t]`` wherever ``j = i*stride + t*dilation - lo``
lies inside the input. Its transpose ``C^T`` is the transposed convolution
with the same weight, stride, padding and dilation. The sparsity structure is
pure geometry (integer index arrays); only the values come from the weight.
"""

from __future__ import annotations

import math

import numpy as np

from . import _args, _limits
from ._algorithms.sparsity import matrix_structure
from ._geometry import resolve_conv
from ._xp import as_array, namespace_of


def _entries_per_axis(windows: int, m: int, k: int, s: int, d: int, lo: int) -> int:
    """How many (window, tap) pairs of one axis read inside the input (no arrays)."""
    count = 0
    for t in range(k):
        first = max(0, -(-(lo - t * d) // s))
        last = min(windows - 1, (m - 1 + lo - t * d) // s)
        count += max(0, last - first + 1)
    return count


@_args.keywords
def conv_matrix(input_shape, weight, *, stride=1, padding=0, dilation=1, groups=1):
    """The convolution matrix ``C`` as a ``scipy.sparse.csr_array``.

    Parameters
    ----------
    input_shape : tuple of ints
        ``(C_in, *S)``: channels and spatial sizes of the convolution input.
    weight : array_like
        Convolution weight ``(C_out, C_in/groups, *k)`` (PyTorch tensors are
        read through ``.detach().cpu()``). The matrix is float32 or float64:
        float16 weights give float32 (scipy.sparse has no float16), integer
        and bool weights float64.
    stride, padding, dilation, groups
        As in :func:`tconv.conv`.

    Returns
    -------
    scipy.sparse.csr_array
        Shape ``(C_out * prod(S_out), C_in * prod(S))`` with
        ``conv(x, w) == (C @ x.ravel()).reshape(C_out, *S_out)`` and, for the
        same stride, padding, dilation and groups,
        ``conv_transpose(y, w) == (C.T @ y.ravel()).reshape(C_in, *S)``
        (with ``output_size=S`` where ``S`` is not the default size).

    Examples
    --------
    >>> import tconv
    >>> C = tconv.conv_matrix((1, 3), [[[1, 10]]])
    >>> C.toarray()
    array([[ 1., 10.,  0.],
           [ 0.,  1., 10.]])
    >>> C.T @ [1, 2]
    array([ 1., 12., 20.])
    """
    op = "conv_matrix"
    values = _args.sequence(input_shape)
    if values is None or not all(_args.is_int(v) for v in values):
        message = (f"{op}: input_shape={input_shape!r} must be a sequence of ints "
                   "(C_in, *S): channels then 1-3 spatial sizes")
        raise TypeError(message)
    if not 2 <= len(values) <= 4 or min(values) < 1:
        message = (f"{op}: input_shape={input_shape!r} must be (C_in, *S): 2 to 4 positive "
                   "ints, channels then 1-3 spatial sizes")
        raise ValueError(message)
    host = weight.detach().cpu().numpy() if hasattr(weight, "detach") else weight
    w = as_array(op, "weight", host, namespace_of(np.empty(0)))
    rank = _args.check_weight_rank(op, w, transposed=False)
    if rank != len(values) - 1:
        message = (f"{op}: input_shape={tuple(values)} has {len(values) - 1} spatial sizes but "
                   f"weight {tuple(w.shape)} has {rank} kernel axes")
        raise ValueError(message)
    groups = _args.positive_int(op, "groups", groups)
    c_out = _args.check_channels(op, values[0], w, None, groups, transposed=False)
    plan = resolve_conv(tuple(values[1:]), tuple(w.shape[2:]), stride=stride, padding=padding,
                        dilation=dilation, groups=groups, in_channels=values[0],
                        out_channels=c_out, op_name=op)
    # The index arrays: rows, cols, weight index (int64) and the values, per entry.
    entries = plan.out_channels * (plan.in_channels // groups) * math.prod(
        _entries_per_axis(*axis) for axis in zip(plan.out_size, plan.in_size, plan.kernel_size,
                                                 plan.stride, plan.dilation, plan.offset))
    name, value = (("padding", padding) if entries and any(lo or hi for lo, hi in plan.pads)
                   and math.prod(plan.out_size) > math.prod(plan.in_size)
                   else ("input_shape", input_shape))
    _limits.check_bytes(op, name, value, (entries, 4), 8,
                        what="a sparse matrix's entries (rows, columns, weight index, value)")
    _limits.check_bytes(op, name, value, (plan.out_channels * math.prod(plan.out_size) + 1,), 8,
                        what="a sparse matrix's row index")
    rows, cols, weight_index, shape = matrix_structure(plan)
    # ints and bools become float64 (the dtype rule); scipy.sparse has no float16.
    dtype = np.float64 if w.dtype.kind in "biu" else np.promote_types(w.dtype, np.float32)
    data = np.asarray(w, dtype=dtype).reshape(-1)[weight_index]
    import scipy.sparse  # here, not at module top: it is half of `import tconv`'s time

    return scipy.sparse.csr_array((data, (rows, cols)), shape=shape)
