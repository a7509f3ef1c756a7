"""Integer geometry of convolution and transposed convolution.

Everything here is plain Python ints and tuples: no arrays. Every size, padding
and output_padding rule of the core lives in exactly one function below (the
framework conventions are in the sibling modules), and the resolved result is
a frozen :class:`ConvPlan` that the algorithms, ``conv_matrix``, ``explain``
and the CLI all reuse.

One axis, notation of docs/rules/README.md: ``n`` input length, ``k`` kernel length,
``s`` stride, ``d`` dilation, ``ke = d*(k-1) + 1`` the effective kernel,
``(lo, hi)`` padding before/after, ``extra`` output_padding (``op`` names
the operation, ``"conv"`` or ``"conv_transpose"``).

Both ops share one index relation. A convolution reads input ``j`` for output
``i`` and tap ``t`` when ``j = i*s + t*d - lo``; the transposed convolution
writes input ``i`` times tap ``t`` into output ``j`` by the same relation. That
is why one plan describes both, and why they are adjoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .. import _args

Pads = tuple[tuple[int, int], ...]


def effective_kernel(k: int, dil: int) -> int:
    """Span of a dilated kernel: ``ke = dil*(k - 1) + 1``."""
    return dil * (k - 1) + 1


def conv_length(size: int, k: int, s: int, dil: int, lo: int, hi: int) -> int:
    """Output length of a convolution along one axis.

    ``out = (n + lo + hi - ke) // s + 1``; zero or negative means the padded
    input is shorter than the kernel (the caller reports that as an error).
    """
    span = size + lo + hi - effective_kernel(k, dil)
    return span // s + 1 if span >= 0 else 0


def full_transpose_length(size: int, k: int, s: int, dil: int) -> int:
    """Length of the uncropped transposed-convolution output.

    ``F = (n - 1)*s + ke``: input ``i`` times tap ``t`` lands at ``i*s + t*d``.
    """
    return (size - 1) * s + effective_kernel(k, dil)


def conv_transpose_length(size: int, k: int, s: int, dil: int, lo: int, hi: int,
                          extra: int) -> int:
    """Output length of a transposed convolution along one axis.

    ``out = F - lo - hi + extra`` with ``F`` from :func:`full_transpose_length`
    and ``extra`` the output_padding.
    Output ``j`` is ``full[j + lo]`` while ``j + lo < F`` and zero after
    (output_padding beyond the end padding appends zeros).
    """
    return full_transpose_length(size, k, s, dil) - lo - hi + extra


def output_padding_limit(s: int, dil: int) -> int:
    """PyTorch's bound on output_padding: it must stay below ``max(stride, dilation)``."""
    return max(s, dil)


def same_pads_conv(size: int, k: int, s: int, dil: int) -> tuple[int, int]:
    """TensorFlow/Keras ``"same"`` padding of a convolution along one axis.

    ``out = ceil(n / s)``, ``total = max((out - 1)*s + ke - n, 0)``,
    ``lo = total // 2``, ``hi = total - lo``: the odd unit goes at the END.
    """
    out = -(-size // s)
    total = max((out - 1) * s + effective_kernel(k, dil) - size, 0)
    return total // 2, total - total // 2


def same_pads_conv_transpose(size: int, k: int, s: int, dil: int) -> tuple[int, int, int]:
    """``"same"`` for a transposed convolution: ``(lo, hi, extra)`` giving ``n*s``.

    It is the adjoint of ``"same"`` convolution on an input of length ``n*s``:
    the pads are those of that convolution, ``total = max(ke - s, 0)``, odd
    unit at the end, and when ``ke < s`` the ``s - ke`` missing samples are
    zeros appended at the end (as Keras and TensorFlow do).
    """
    lo, hi = same_pads_conv(size * s, k, s, dil)
    extra = size * s - conv_transpose_length(size, k, s, dil, lo, hi, 0)
    return lo, hi, extra


def conv_formula(size: int, k: int, s: int, dil: int, lo: int, hi: int) -> str:
    """:func:`conv_length` with the numbers in: ``"(n + lo + hi - d*(k-1) - 1) // s + 1 = out"``."""
    out = conv_length(size, k, s, dil, lo, hi)
    return f"({size} + {lo} + {hi} - {dil}*({k}-1) - 1) // {s} + 1 = {out}"


def conv_transpose_formula(size: int, k: int, s: int, dil: int, lo: int, hi: int,
                           extra: int) -> str:
    """:func:`conv_transpose_length` with the numbers in (``extra`` is output_padding)."""
    out = conv_transpose_length(size, k, s, dil, lo, hi, extra)
    return f"({size}-1)*{s} + {dil}*({k}-1) + 1 - {lo} - {hi} + {extra} = {out}"


def value_text(value) -> str:
    """A value as it reads in a call: strings with double quotes."""
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def stacked_border(layers) -> int:
    """Span of a stack of transposed layers along one axis, in output samples.

    ``layers`` are ``(k, s, dil)`` first to last; each layer multiplies the
    span so far by its stride and adds its own ``ke - 1``.
    """
    border = 0
    for k, s, dil in layers:
        border = border * s + effective_kernel(k, dil) - 1
    return border


@dataclass(frozen=True)
class ConvPlan:
    """Resolved geometry of one convolution or transposed convolution call.

    ``in_size``/``out_size`` are the spatial sizes of this op's input and
    output. ``pads`` are ``(before, after)`` per axis: added to the input of a
    convolution, cropped from the full output of a transposed convolution
    (whose ``output_padding`` then appends samples at the end).
    """

    op: str  # "conv" or "conv_transpose"
    in_size: tuple[int, ...]
    out_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: Pads
    output_padding: tuple[int, ...]
    groups: int
    in_channels: int
    out_channels: int

    @property
    def rank(self) -> int:
        return len(self.kernel_size)

    @property
    def is_transposed(self) -> bool:
        return self.op == "conv_transpose"

    @property
    def effective_kernel(self) -> tuple[int, ...]:
        return tuple(effective_kernel(k, d) for k, d in zip(self.kernel_size, self.dilation))

    @property
    def full_size(self) -> tuple[int, ...]:
        """Uncropped transposed-convolution output (transposed plans only)."""
        return tuple(full_transpose_length(*a) for a in
                     zip(self.in_size, self.kernel_size, self.stride, self.dilation))

    @property
    def conv_size(self) -> tuple[int, ...]:
        """Spatial size on the convolution's input side (the large side)."""
        return self.out_size if self.is_transposed else self.in_size

    @property
    def window_count(self) -> tuple[int, ...]:
        """Spatial size on the convolution's output side (the small side)."""
        return self.in_size if self.is_transposed else self.out_size

    @property
    def offset(self) -> tuple[int, ...]:
        """Per axis ``lo``: large-side index of window 0, tap 0 is ``-lo``."""
        return tuple(lo for lo, _ in self.pads)

    def as_conv(self) -> ConvPlan:
        """The convolution with this plan's index relation (``self`` for a conv).

        For a transposed plan that is the convolution it is the adjoint of,
        from ``out_size`` back to ``in_size``. Its end pad ``F - lo - out`` may
        be negative (the tail of the large side is never read), which is why
        public padding cannot express every transposed call as a conv.
        """
        if not self.is_transposed:
            return self
        pads = tuple((lo, f - lo - m) for lo, f, m in
                     zip(self.offset, self.full_size, self.out_size))
        return ConvPlan("conv", self.out_size, self.in_size, self.kernel_size, self.stride,
                        self.dilation, pads, (0,) * self.rank, self.groups,
                        self.out_channels, self.in_channels)


def zero_insertion_pads(plan: ConvPlan) -> Pads:
    """Pads of a transposed plan's zero-inserted input, ``(before, after)`` per axis.

    Insert ``s - 1`` zeros between inputs (length ``(n-1)*s + 1``), pad
    ``ke - 1 - lo`` before and ``ke - 1 - hi + extra`` after (a negative pad
    removes cells), and a stride-1 convolution with the flipped kernel gives
    the output: the padded length is ``out + ke - 1``.
    """
    return tuple((ke - 1 - lo, ke - 1 - hi + extra) for ke, (lo, hi), extra in
                 zip(plan.effective_kernel, plan.pads, plan.output_padding))


def zero_inserted_size(plan: ConvPlan) -> tuple[int, ...]:
    """A transposed plan's input with ``s - 1`` zeros between samples: ``(n-1)*s + 1``."""
    return tuple((n - 1) * s + 1 for n, s in zip(plan.in_size, plan.stride))


def zero_insertion_size(plan: ConvPlan) -> tuple[int, ...]:
    """The zero-inserted input after :func:`zero_insertion_pads`: ``out + ke - 1``."""
    return tuple(m + ke - 1 for m, ke in zip(plan.out_size, plan.effective_kernel))


def subpixel_kernel_length(ke: int, s: int) -> int:
    """Taps per phase of a transposed convolution's sub-pixel form: ``K = ceil(ke / s)``."""
    return -(-ke // s)


def subpixel_pads(lo: int, hi: int, extra: int, s: int, ke: int, big_k: int):
    """Sub-pixel ``(conv (before, after), crop (before, after))`` along one axis.

    Padded by ``K - 1`` on both sides, the shuffled result has ``s*(n+K-1)``
    samples: the full output (``F = (n-1)*s + ke``), then zeros. The
    transposed output is its window from ``lo``, which leaves ``c = s*K - ke +
    hi - extra`` samples at the end (zeros to append when negative). Whole
    blocks of ``s`` are taken off the convolution's padding instead of cropped.
    """
    head = min(lo // s, big_k - 1)
    tail = s * big_k - ke + hi - extra
    if tail >= 0:
        cut = min(tail // s, big_k - 1)
        return (big_k - 1 - head, big_k - 1 - cut), (lo - s * head, tail - s * cut)
    extra = -(tail // s)  # ceil(-tail / s) more zero blocks from the conv's padding
    return (big_k - 1 - head, big_k - 1 + extra), (lo - s * head, tail + s * extra)


@dataclass(frozen=True)
class AxisPhase:
    """One output phase of a transposed convolution along one axis.

    Outputs ``j = start + stride*m`` for ``m < count`` receive, for each
    ``(tap, shift)``, ``w[tap] * x[m + shift]`` (zero where ``m + shift`` is
    outside the input).
    """

    start: int
    count: int
    taps: tuple[tuple[int, int], ...]


@lru_cache(maxsize=256)
def phases(plan: ConvPlan) -> tuple[tuple[AxisPhase, ...], ...]:
    """Sub-pixel (phase) decomposition of a transposed plan, per axis.

    Output ``j`` is full output ``q = j + lo``, fed by input ``i`` and tap
    ``t`` when ``q = i*s + t*d``. Fix ``j = j0 + s*m``; with
    ``r = (j0 + lo) % s`` and ``base = (j0 + lo) // s`` the taps with
    ``t*d % s == r`` contribute ``x[m + base - (t*d - r)//s]``: a stride-1
    correlation per phase, the ``s`` phases interleaving into the output.
    """
    per_axis = []
    for m_out, k, s, d, lo in zip(plan.out_size, plan.kernel_size, plan.stride,
                                  plan.dilation, plan.offset):
        axis = []
        for j0 in range(min(s, m_out)):
            r, base = (j0 + lo) % s, (j0 + lo) // s
            taps = tuple((t, base - (t * d - r) // s) for t in range(k) if t * d % s == r)
            axis.append(AxisPhase(j0, -(-(m_out - j0) // s), taps))
        per_axis.append(tuple(axis))
    return tuple(per_axis)


def resolve_padding(op: str, padding, in_size, kernel_size, stride, dilation, *,
                    transposed: bool) -> tuple[Pads, bool]:
    """Turn any public padding form into ``(before, after)`` pairs.

    Returns the pairs and whether ``"same"`` was asked for; ``op`` names the
    caller in error messages.
    """
    rank = len(kernel_size)
    form = _args.padding_form(op, padding, rank)
    if form == "valid":
        return ((0, 0),) * rank, False
    if form == "same":
        if not transposed:
            return tuple(same_pads_conv(*a) for a in
                         zip(in_size, kernel_size, stride, dilation)), True
        return tuple(same_pads_conv_transpose(*a)[:2] for a in
                     zip(in_size, kernel_size, stride, dilation)), True
    return form, False


def resolve_conv(in_size, kernel_size, *, stride=1, padding=0, dilation=1, groups=1,
                 in_channels=1, out_channels=1, op_name="conv") -> ConvPlan:
    """Validate the geometry of a convolution and return its plan."""
    rank = len(kernel_size)
    stride = _args.positive_ints(op_name, "stride", stride, rank)
    dilation = _args.positive_ints(op_name, "dilation", dilation, rank)
    pads, _ = resolve_padding(op_name, padding, in_size, kernel_size, stride, dilation,
                              transposed=False)
    out_size = tuple(conv_length(n, k, s, d, lo, hi) for n, k, s, d, (lo, hi) in
                     zip(in_size, kernel_size, stride, dilation, pads))
    if min(out_size) < 1:
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(in_size, pads))
        eff = tuple(effective_kernel(k, d) for k, d in zip(kernel_size, dilation))
        message = (f"{op_name}: the output would be empty: padded input size {padded} is "
                   f"smaller than the effective kernel size {eff} on some axis "
                   f"(input size {tuple(in_size)}, kernel_size={tuple(kernel_size)}, "
                   f"padding={pads}, dilation={dilation}); each padded size must be >= its "
                   "kernel span (a larger input_shape or x, more padding, a smaller kernel "
                   "or dilation)")
        raise ValueError(message)
    return ConvPlan("conv", tuple(in_size), out_size, tuple(kernel_size), stride, dilation,
                    pads, (0,) * rank, groups, in_channels, out_channels)


def resolve_conv_transpose(in_size, kernel_size, *, stride=1, padding=0, output_padding=0,
                           dilation=1, groups=1, output_size=None, in_channels=1,
                           out_channels=1, op_name="conv_transpose") -> ConvPlan:
    """Validate the geometry of a transposed convolution and return its plan.

    ``output_padding`` must satisfy ``0 <= extra < max(stride, dilation)``
    (what PyTorch's functional ops allow). ``output_size`` derives it instead:
    ``extra = output_size - (F - lo - hi)``, and any size it reaches is accepted.
    """
    rank = len(kernel_size)
    stride = _args.positive_ints(op_name, "stride", stride, rank)
    dilation = _args.positive_ints(op_name, "dilation", dilation, rank)
    pads, is_same = resolve_padding(op_name, padding, in_size, kernel_size, stride, dilation,
                                    transposed=True)
    limit = tuple(output_padding_limit(s, d) for s, d in zip(stride, dilation))
    base = tuple(conv_transpose_length(n, k, s, d, lo, hi, 0) for n, k, s, d, (lo, hi) in
                 zip(in_size, kernel_size, stride, dilation, pads))
    if output_size is not None:
        if not _args.is_zero(output_padding):
            message = (f"{op_name}: give output_size or output_padding, not both "
                       f"(output_size={output_size!r}, output_padding={output_padding!r}); "
                       "output_padding is derived from output_size")
            raise ValueError(message)
        wanted = _args.output_size(op_name, output_size, rank)
        lowest = tuple(max(b, 1) for b in base)
        highest = tuple(b + lim - 1 for b, lim in zip(base, limit))
        if any(not lo <= w <= hi for w, lo, hi in zip(wanted, lowest, highest)):
            ranges = ", ".join(f"{lo}..{hi}" for lo, hi in zip(lowest, highest))
            message = (f"{op_name}: output_size={tuple(wanted)} cannot be reached; from input "
                       f"size {tuple(in_size)} the reachable sizes per axis are {ranges} "
                       f"(stride={stride}, padding={pads}, dilation={dilation}, "
                       f"kernel_size={tuple(kernel_size)})")
            raise ValueError(message)
        output_padding = tuple(w - b for w, b in zip(wanted, base))
    elif is_same:
        if not _args.is_zero(output_padding):
            message = (f"{op_name}: output_padding={output_padding!r} cannot be combined with "
                       "padding='same', whose output size is input * stride; use explicit "
                       "padding, output_size, or tconv.keras.conv_transpose for Keras's rule")
            raise ValueError(message)
        output_padding = tuple(same_pads_conv_transpose(*a)[2] for a in
                               zip(in_size, kernel_size, stride, dilation))
    else:
        output_padding = _args.nonnegative_ints(op_name, "output_padding", output_padding, rank)
        if any(extra >= lim for extra, lim in zip(output_padding, limit)):
            message = (f"{op_name}: output_padding={output_padding} must be smaller than "
                       f"max(stride, dilation)={limit} on every axis "
                       f"(stride={stride}, dilation={dilation})")
            raise ValueError(message)
    out_size = tuple(b + extra for b, extra in zip(base, output_padding))
    if min(out_size) < 1:
        message = (f"{op_name}: the output would be empty: size {out_size} from input size "
                   f"{tuple(in_size)}, kernel_size {tuple(kernel_size)}, stride {stride}, "
                   f"dilation {dilation}, padding {pads}, output_padding {output_padding}; "
                   f"the full output {tuple(base[i] + sum(pads[i]) for i in range(rank))} "
                   "must be longer than the padding removed from it")
        raise ValueError(message)
    return ConvPlan("conv_transpose", tuple(in_size), out_size, tuple(kernel_size), stride,
                    dilation, pads, output_padding, groups, in_channels, out_channels)


__all__ = [
    "ConvPlan", "conv_formula", "conv_length", "conv_transpose_formula", "conv_transpose_length",
    "effective_kernel", "full_transpose_length", "output_padding_limit", "resolve_conv",
    "resolve_conv_transpose", "same_pads_conv", "same_pads_conv_transpose",
    "stacked_border", "subpixel_kernel_length", "subpixel_pads", "value_text",
    "zero_inserted_size", "zero_insertion_pads", "zero_insertion_size",
]
