"""Front doors: ``conv``, ``conv_transpose`` and their shape functions.

Each front door does the same six steps and nothing else: coerce the inputs
into ``x``'s array namespace, validate, resolve the geometry into a plan, pick
the algorithm, run it, and restore batchedness (adding the bias on the way).
"""

from __future__ import annotations

from array_api_compat import is_numpy_namespace

from . import _args, _delegate, _geometry, _lean, _limits
from ._algorithms import CONV, CONV_TRANSPOSE, choose
from ._args import check_channels, check_weight_rank
from ._xp import as_array, compute_dtype, namespace_of

CONV_ALGORITHMS: tuple[str, ...] = ("auto", *CONV)
CONV_TRANSPOSE_ALGORITHMS: tuple[str, ...] = ("auto", *CONV_TRANSPOSE)

_DOC = {
    "int_or_tuple": "int or tuple of d ints (one per spatial axis)",
    "padding": """padding : int, tuple of d ints, tuple of d (before, after) pairs, or str
        Padding of the convolution input (for ``conv_transpose``: removed
        from the full output). ``(before, after)`` pairs give asymmetric
        padding; a flat pair is read as d ints, so one axis with different
        sides is ``((before, after),)``. ``"valid"`` means none. ``"same"``
        is TensorFlow/Keras's: the odd unit goes at the end (see Notes).""",
    "arrays": """x : array_like
        ``(N, C_in, *S)`` or unbatched ``(C_in, *S)``; NumPy array, nested
        list, or any array-API array (PyTorch tensors keep autograd). The
        result has ``x``'s library, device and batchedness. Floating dtypes
        are kept (NumPy promotion between ``x``, ``weight`` and ``bias``);
        integers and bools are computed in float64.""",
}


def _fill_doc(func):
    func.__doc__ = func.__doc__.format(**_DOC)
    return func


def _prepare(op: str, x, weight, bias, *, transposed: bool):
    """Coerce and check the arrays; return ``(xp, x, weight, bias, is_batched)``."""
    xp = namespace_of(x)
    x = as_array(op, "x", x, xp)
    weight = as_array(op, "weight", weight, xp, like=x)
    bias = None if bias is None else as_array(op, "bias", bias, xp, like=x)
    rank = check_weight_rank(op, weight, transposed=transposed)
    if x.ndim not in (rank + 1, rank + 2):
        message = (f"{op}: x has shape {tuple(x.shape)} ({x.ndim} dims) but weight "
                   f"{tuple(weight.shape)} is {rank}-D; x must be (N, C, *S) with "
                   f"{rank + 2} dims or unbatched (C, *S) with {rank + 1} dims")
        raise ValueError(message)
    is_batched = x.ndim == rank + 2
    if not is_batched:
        x = xp.expand_dims(x, axis=0)
    _args.nonempty(op, "x", x.shape)
    _args.nonempty(op, "weight", weight.shape)
    dtype = compute_dtype(xp, x, weight, bias)
    x, weight = xp.astype(x, dtype, copy=False), xp.astype(weight, dtype, copy=False)
    if bias is not None:
        bias = xp.astype(bias, dtype, copy=False)
    return xp, x, weight, bias, is_batched


def _blame_transposed(plan, stride, dilation, output_size, weight):
    """The parameter that made a transposed output large: ``(name, value)``."""
    if output_size is not None:
        return "output_size", output_size
    by_stride = max((n - 1) * (s - 1) for n, s in zip(plan.in_size, plan.stride))
    by_kernel = max(d * (k - 1) for k, d in zip(plan.kernel_size, plan.dilation))
    if by_stride >= by_kernel and by_stride > 0:
        return "stride", stride
    if max(plan.dilation) > 1:
        return "dilation", dilation
    return ("weight", f"<shape {tuple(weight.shape)}>") if by_kernel else ("x", "<input>")


def check_output_bytes(op, plan, x, weight, *, stride, padding, dilation, output_size=None):
    """The output-size guard of ``conv`` and ``conv_transpose`` (see ``tconv._limits``)."""
    batch, size = x.shape[0], _limits.itemsize(x)
    given = _limits.nbytes(x)
    if plan.is_transposed:
        # The algorithms build the full (uncropped) output, or the output when larger.
        shape = [batch, plan.out_channels] + [max(f, o) for f, o in
                                              zip(plan.full_size, plan.out_size)]
        if _limits.exceeds(shape, size, input_bytes=given):
            name, value = _blame_transposed(plan, stride, dilation, output_size, weight)
            _limits.check_bytes(op, name, value, shape, size, input_bytes=given)
        return
    if plan.pads != ((0, 0),) * plan.rank:
        # Padding that at most doubles the input (already in memory) always passes.
        shape = [batch, plan.in_channels] + [n + lo + hi for n, (lo, hi) in
                                             zip(plan.in_size, plan.pads)]
        _limits.check_bytes(op, "padding", padding, shape, size, input_bytes=2 * given,
                            what="a padded input")
    _limits.check_bytes(op, "x", "<input>", [batch, plan.out_channels, *plan.out_size], size,
                        input_bytes=given)
_NATIVE = {"conv": _delegate.conv, "conv_transpose": _delegate.conv_transpose}


def _run(op, registry, algorithm, x, weight, bias, plan, xp, is_batched, key=None):
    if algorithm == "auto":  # PyTorch's own kernel on PyTorch tensors
        y = _NATIVE[op](x, weight, bias, plan)
        if y is not None:
            _lean.remember(key, op, plan, None, is_batched, xp)
            return y if is_batched else y[0, ...]
    name = (choose(registry, plan, x.shape[0], numpy=is_numpy_namespace(xp))
            if algorithm == "auto" else algorithm)
    _lean.remember(key, op, plan, name, is_batched, xp)
    y = registry[name](x, weight, plan, xp)
    if bias is not None:
        bias = xp.reshape(bias, (1, -1) + (1,) * plan.rank)
        if is_numpy_namespace(xp):
            y += bias  # y is the algorithm's own new array: no output-sized copy
        else:
            y = y + bias
    return y if is_batched else y[0, ...]


@_args.keywords
@_fill_doc
def conv(x, weight, bias=None, *, stride=1, padding=0, dilation=1, groups=1,
         algorithm="auto"):
    """Convolution (cross-correlation), identical to ``torch.nn.functional.conv{{d}}d``.

    Parameters
    ----------
    {arrays}
    weight : array_like
        ``(C_out, C_in/groups, *k)``; its number of kernel axes d (1, 2, 3) is
        the spatial rank.
    bias : array_like, optional
        ``(C_out,)``, added to every output position.
    stride, dilation : {int_or_tuple}
        Step between windows; spacing between kernel taps. Positive.
    {padding}
    groups : int
        Split channels into ``groups`` independent convolutions
        (``groups == C_in`` is depthwise).
    algorithm : str
        One of ``tconv.CONV_ALGORITHMS``: ``"auto"``, ``"direct"`` (a matrix
        multiply per kernel tap over strided windows), ``"matrix"``
        (multiply by the sparse convolution matrix of ``tconv.conv_matrix``),
        ``"im2col"`` (every window gathered into one matrix, one multiply),
        ``"implicit"`` (NumPy: windows copied tap by tap from a padded
        channels-first input into a bounded buffer, one multiply per chunk)
        or ``"compiled"`` (numba loops, the ``fast`` extra).

    Returns
    -------
    array
        ``(N, C_out, *S_out)`` (unbatched: ``(C_out, *S_out)``), sizes from
        :func:`tconv.conv_output_shape`.

    Raises
    ------
    ValueError
        Bad shapes, channels that don't match ``groups``, non-positive stride
        or dilation, negative padding, an empty output, an unknown algorithm,
        or an output (or padded input) over ``tconv.get_max_output_bytes()``
        (2 GiB by default; see :func:`tconv.set_max_output_bytes`).
    TypeError
        Non-numeric arrays, or a float/bool/str where ints belong.

    Notes
    -----
    Per axis ``out = (n + before + after - dilation*(k-1) - 1) // stride + 1``.
    ``"same"`` (TensorFlow/Keras): ``out = ceil(n / stride)``, total padding
    ``max((out-1)*stride + dilation*(k-1) + 1 - n, 0)``, ``before = total//2``.
    Unlike PyTorch, ``"same"`` works with any stride, and padding may differ
    per side.

    Examples
    --------
    >>> import tconv
    >>> tconv.conv([[1, 2, 3, 4]], [[[1, 10]]])
    array([[21., 32., 43.]])
    >>> tconv.conv([[1, 2, 3, 4]], [[[1, 10]]], padding="same")
    array([[21., 32., 43.,  4.]])
    >>> tconv.conv([[1, 2, 3, 4, 5]], [[[1, 10, 100]]], stride=2, padding=((1, 0),))
    array([[210., 432.]])
    """
    op = "conv"
    key = _lean.key(op, x, weight, bias, algorithm, stride, padding, dilation, groups)
    if (entry := _lean.PLANS.get(key)) is not None:  # checked before (see tconv._lean)
        return _lean.run(entry, x, weight, bias, CONV)
    _args.choice(op, "algorithm", algorithm, CONV_ALGORITHMS)
    xp, x, weight, bias, is_batched = _prepare(op, x, weight, bias, transposed=False)
    groups = _args.positive_int(op, "groups", groups)
    c_in = x.shape[1]
    c_out = check_channels(op, c_in, weight, bias, groups, transposed=False)
    plan = _geometry.resolve_conv(tuple(x.shape[2:]), tuple(weight.shape[2:]), stride=stride,
                                  padding=padding, dilation=dilation, groups=groups,
                                  in_channels=c_in, out_channels=c_out)
    check_output_bytes(op, plan, x, weight, stride=stride, padding=padding, dilation=dilation)
    return _run(op, CONV, algorithm, x, weight, bias, plan, xp, is_batched, key)


@_args.keywords
@_fill_doc
def conv_transpose(x, weight, bias=None, *, stride=1, padding=0, output_padding=0,
                   dilation=1, groups=1, output_size=None, algorithm="auto"):
    """Transposed convolution, identical to ``torch.nn.functional.conv_transpose{{d}}d``.

    Every input value times the kernel, added into the output at
    ``input index * stride``: the adjoint (input gradient) of :func:`conv`
    with the same weight, stride, padding, dilation and groups.

    Parameters
    ----------
    {arrays}
    weight : array_like
        ``(C_in, C_out/groups, *k)`` (PyTorch's transposed layout); its number
        of kernel axes d (1, 2, 3) is the spatial rank.
    bias : array_like, optional
        ``(C_out,)``, added to every output position.
    stride, dilation : {int_or_tuple}
        Spacing of the kernel copies in the output; spacing of kernel taps.
    {padding}
    output_padding : {int_or_tuple}
        Samples added at the end of each axis, each smaller than
        ``max(stride, dilation)``; the first ``min(output_padding, after)``
        are values the end padding would have cut, the rest zeros. Must be 0
        with ``padding="same"``.
    groups : int
        Split channels into ``groups`` independent transposed convolutions.
    output_size : int or tuple of ints, optional
        Wanted spatial size (d ints, or the full shape whose leading values
        are ignored, as in PyTorch's ``ConvTranspose{{d}}d.forward``);
        ``output_padding`` is derived from it. Every size reachable with a
        legal output_padding is accepted.
    algorithm : str
        One of ``tconv.CONV_TRANSPOSE_ALGORITHMS``: ``"auto"``, ``"scatter"``
        (the textbook reference: each input value times the kernel, added into
        the output), ``"matrix"`` (the transposed convolution matrix ``C^T``)
        ``"dilate"`` (insert ``stride - 1`` zeros between inputs, pad, and
        run a stride-1 convolution with the flipped kernel), ``"gemm"`` (one
        large multiply then col2im: the fast one) or ``"phase"`` (one multiply
        per sub-pixel output phase).

    Returns
    -------
    array
        ``(N, C_out, *S_out)`` (unbatched: ``(C_out, *S_out)``), sizes from
        :func:`tconv.conv_transpose_output_shape`.

    Raises
    ------
    ValueError
        Bad shapes, channels that don't match ``groups``, non-positive stride
        or dilation, negative padding, output_padding not below
        ``max(stride, dilation)``, an unreachable output_size (the message
        gives the reachable range), an empty output, an unknown algorithm,
        or an output over ``tconv.get_max_output_bytes()`` (2 GiB by default;
        see :func:`tconv.set_max_output_bytes`).
    TypeError
        Non-numeric arrays, or a float/bool/str where ints belong.

    Notes
    -----
    Per axis the full output has ``F = (n-1)*stride + dilation*(k-1) + 1``
    samples; ``out = F - before - after + output_padding``. ``"same"``
    gives ``out = n * stride``: the adjoint of ``conv(..., padding="same")``
    on an input of that size (zeros appended when the kernel span is shorter
    than the stride), as Keras's ``Conv{{d}}DTranspose(padding="same")``.

    Examples
    --------
    >>> import tconv
    >>> x = [[[55, 52], [57, 50]]]            # (C_in=1, 2, 2), unbatched
    >>> w = [[[[1, 2], [2, 1]]]]              # (C_in=1, C_out=1, 2, 2)
    >>> tconv.conv_transpose(x, w)
    array([[[ 55., 162., 104.],
            [167., 323., 152.],
            [114., 157.,  50.]]])
    >>> tconv.conv_transpose([[1, 2, 3]], [[[1, 10, 100]]], stride=2, padding=1,
    ...                      output_padding=1)
    array([[ 10., 102.,  20., 203.,  30., 300.]])
    >>> tconv.conv_transpose([[1, 2, 3]], [[[1, 10, 100]]], stride=2, padding="same")
    array([[  1.,  10., 102.,  20., 203.,  30.]])
    """
    op = "conv_transpose"
    key = _lean.key(op, x, weight, bias, algorithm, stride, padding, output_padding, dilation,
                    groups, output_size)
    if (entry := _lean.PLANS.get(key)) is not None:  # checked before (see tconv._lean)
        return _lean.run(entry, x, weight, bias, CONV_TRANSPOSE)
    _args.choice(op, "algorithm", algorithm, CONV_TRANSPOSE_ALGORITHMS)
    xp, x, weight, bias, is_batched = _prepare(op, x, weight, bias, transposed=True)
    groups = _args.positive_int(op, "groups", groups)
    c_in = x.shape[1]
    c_out = check_channels(op, c_in, weight, bias, groups, transposed=True)
    plan = _geometry.resolve_conv_transpose(
        tuple(x.shape[2:]), tuple(weight.shape[2:]), stride=stride, padding=padding,
        output_padding=output_padding, dilation=dilation, groups=groups,
        output_size=output_size, in_channels=c_in, out_channels=c_out)
    check_output_bytes(op, plan, x, weight, stride=stride, padding=padding, dilation=dilation,
                       output_size=output_size)
    return _run(op, CONV_TRANSPOSE, algorithm, x, weight, bias, plan, xp, is_batched, key)


def _spatial(op: str, name: str, value) -> tuple[int, ...]:
    """A spatial shape: one int or 1-3 positive ints."""
    values = (value,) if _args.is_int(value) else _args.sequence(value)
    if values is None or not all(_args.is_int(v) for v in values):
        message = f"{op}: {name}={value!r} must be an int or a sequence of 1-3 ints"
        raise TypeError(message)
    if not 1 <= len(values) <= 3:
        message = f"{op}: {name}={value!r} must have 1, 2 or 3 spatial sizes"
        raise ValueError(message)
    return _args.positive_ints(op, name, values, len(values))


@_args.keywords
def conv_output_shape(input_shape, kernel_size, *, stride=1, padding=0, dilation=1):
    """Spatial output shape of :func:`conv`.

    Parameters
    ----------
    input_shape : int or tuple of ints
        Spatial input shape (no batch or channel axes); its length is the rank.
    kernel_size, stride, dilation : int or tuple of ints
        As in :func:`conv` (one int is used for every axis).
    padding
        Any form :func:`conv` accepts.

    Returns
    -------
    tuple of int

    Notes
    -----
    The formulas are those of :func:`conv` (``tconv._geometry.conv_length``).

    Examples
    --------
    >>> import tconv
    >>> tconv.conv_output_shape((7, 7), 3, stride=2, padding=1)
    (4, 4)
    >>> tconv.conv_output_shape(7, 3, stride=2, padding="same")
    (4,)
    """
    op = "conv_output_shape"
    in_size = _spatial(op, "input_shape", input_shape)
    kernel = _args.positive_ints(op, "kernel_size", kernel_size, len(in_size))
    return _geometry.resolve_conv(in_size, kernel, stride=stride, padding=padding,
                                  dilation=dilation, op_name=op).out_size


@_args.keywords
def conv_transpose_output_shape(input_shape, kernel_size, *, stride=1, padding=0,
                                output_padding=0, dilation=1):
    """Spatial output shape of :func:`conv_transpose`.

    Parameters
    ----------
    input_shape : int or tuple of ints
        Spatial input shape (no batch or channel axes); its length is the rank.
    kernel_size, stride, output_padding, dilation : int or tuple of ints
        As in :func:`conv_transpose` (one int is used for every axis).
    padding
        Any form :func:`conv_transpose` accepts.

    Returns
    -------
    tuple of int

    Notes
    -----
    ``out = (n-1)*stride + dilation*(k-1) + 1 - before - after + output_padding``
    (``tconv._geometry.conv_transpose_length``); ``"same"`` gives ``n*stride``.

    Examples
    --------
    >>> import tconv
    >>> tconv.conv_transpose_output_shape((4, 4), 3, stride=2, padding=1, output_padding=1)
    (8, 8)
    >>> tconv.conv_transpose_output_shape(3, 4, stride=2, padding="same")
    (6,)
    """
    op = "conv_transpose_output_shape"
    in_size = _spatial(op, "input_shape", input_shape)
    kernel = _args.positive_ints(op, "kernel_size", kernel_size, len(in_size))
    return _geometry.resolve_conv_transpose(in_size, kernel, stride=stride, padding=padding,
                                            output_padding=output_padding, dilation=dilation,
                                            op_name=op).out_size
