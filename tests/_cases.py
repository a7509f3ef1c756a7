"""Convolution geometries for property tests, valid by construction.

A :class:`Case` holds everything one ``conv`` or ``conv_transpose`` call needs:
rank, channels and groups, per-axis kernel, stride, dilation, ``(before,
after)`` pads, output_padding and the input size, plus batchedness, whether
there is a bias, and a seed for the values. The strategies draw each axis so
that the output is non-empty (docs/rules/pytorch.md) without any filtering:

* convolution: kernel, stride, dilation and pads first, then an input at least
  as long as the effective kernel minus the padding;
* transposed convolution: kernel, stride, dilation, ``output_padding <
  max(stride, dilation)`` and the input first, then pads that leave at least
  one output sample (``before + after <= F + output_padding - 1``).

Sizes are kept small (channels <= 4, spatial <= 7, 3-D <= 5, kernel <= 4) so
that the CI profile's thousands of examples stay fast; only a convolution input
grows past that, to hold a dilated kernel its padding does not cover.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MAX_CHANNELS = 4
MAX_PAD = 4
# Per rank: (largest input size, largest kernel, largest stride, largest dilation).
LIMITS = {1: (7, 4, 4, 3), 2: (7, 4, 3, 3), 3: (5, 3, 3, 2)}


def scaled(fraction: float, *, least: int = 10, fixtures: bool = False) -> settings:
    """Settings with ``fraction`` of the active profile's ``max_examples``.

    For the secondary property tests: the main parity test keeps the whole
    profile (2000 examples under ``ci``), the others take a share of it.
    ``fixtures=True`` allows function-scoped fixtures (such as the stateless
    ``backend``) in a ``@given`` test.
    """
    current = settings()
    suppressed = list(current.suppress_health_check)
    if fixtures:
        suppressed.append(HealthCheck.function_scoped_fixture)
    return settings(max_examples=max(least, round(current.max_examples * fraction)),
                    suppress_health_check=suppressed)


def effective(k: int, d: int) -> int:
    return d * (k - 1) + 1


def compact(values: tuple):
    """One int when every axis agrees (exercises the int form), else the tuple."""
    return values[0] if len(set(values)) == 1 else tuple(values)


@dataclass(frozen=True)
class Case:
    """One call's geometry; ``in_size`` is the spatial size of the op's input."""

    transposed: bool
    in_size: tuple[int, ...]
    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pads: tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...]
    groups: int = 1
    in_channels: int = 1
    out_channels: int = 1
    batch: int | None = 1  # None: unbatched
    has_bias: bool = False
    seed: int = 0

    @property
    def rank(self) -> int:
        return len(self.kernel_size)

    @property
    def is_symmetric(self) -> bool:
        return all(lo == hi for lo, hi in self.pads)

    @property
    def padding(self):
        """The public ``padding`` argument: ints when symmetric, else pairs."""
        if self.is_symmetric:
            return compact(tuple(lo for lo, _ in self.pads))
        return tuple(self.pads)

    @property
    def symmetric_padding(self) -> tuple[int, ...]:
        return tuple(lo for lo, _ in self.pads)

    @property
    def effective_kernel(self) -> tuple[int, ...]:
        return tuple(effective(k, d) for k, d in zip(self.kernel_size, self.dilation))

    @property
    def full_size(self) -> tuple[int, ...]:
        """Uncropped transposed-convolution output ``(n-1)*s + ke`` (docs/rules/pytorch.md)."""
        return tuple((n - 1) * s + ke for n, s, ke in
                     zip(self.in_size, self.stride, self.effective_kernel))

    @property
    def out_size(self) -> tuple[int, ...]:
        """Expected spatial output size, from docs/rules/pytorch.md (not from tconv)."""
        if self.transposed:
            return tuple(f - lo - hi + op for f, (lo, hi), op in
                         zip(self.full_size, self.pads, self.output_padding))
        return tuple((n + lo + hi - ke) // s + 1 for n, (lo, hi), ke, s in
                     zip(self.in_size, self.pads, self.effective_kernel, self.stride))

    @property
    def weight_shape(self) -> tuple[int, ...]:
        if self.transposed:
            return (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        return (self.out_channels, self.in_channels // self.groups, *self.kernel_size)

    @property
    def x_shape(self) -> tuple[int, ...]:
        lead = () if self.batch is None else (self.batch,)
        return (*lead, self.in_channels, *self.in_size)

    @property
    def y_shape(self) -> tuple[int, ...]:
        lead = () if self.batch is None else (self.batch,)
        return (*lead, self.out_channels, *self.out_size)

    def kwargs(self) -> dict:
        """Keyword arguments of the tconv call (ints where every axis agrees)."""
        options = {"stride": compact(self.stride), "padding": self.padding,
                   "dilation": compact(self.dilation), "groups": self.groups}
        if self.transposed:
            options["output_padding"] = compact(self.output_padding)
        return options

    def arrays(self, dtype=np.float64):
        """``(x, weight, bias)`` as NumPy arrays of ``dtype`` (bias None without one)."""
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal(self.x_shape).astype(dtype)
        weight = rng.standard_normal(self.weight_shape).astype(dtype)
        bias = rng.standard_normal(self.out_channels).astype(dtype) if self.has_bias else None
        return x, weight, bias

    def replace(self, **changes) -> Case:
        return dataclasses.replace(self, **changes)

    def __repr__(self):  # short enough to read in a hypothesis failure report
        kind = "conv_transpose" if self.transposed else "conv"
        return (f"{kind}(x={self.x_shape}, w={self.weight_shape}, stride={self.stride}, "
                f"dilation={self.dilation}, pads={self.pads}, "
                f"output_padding={self.output_padding}, groups={self.groups}, "
                f"bias={self.has_bias}, seed={self.seed}) -> {self.out_size}")


def case(transposed: bool, in_size, kernel_size, *, stride=1, dilation=1, padding=0,
         output_padding=0, groups=1, in_channels=None, out_channels=None, batch=1,
         has_bias=False, seed=0) -> Case:
    """A :class:`Case` written by hand (for ``@example``); ints broadcast to every axis.

    ``padding`` is an int, ``rank`` ints or ``rank`` ``(before, after)`` pairs.
    Channels default to ``groups`` (one per group).
    """
    in_size = (in_size,) if isinstance(in_size, int) else tuple(in_size)
    rank = len(in_size)

    def axes(value):
        return (value,) * rank if isinstance(value, int) else tuple(value)

    if isinstance(padding, int):
        pads = ((padding, padding),) * rank
    else:
        pads = tuple((p, p) if isinstance(p, int) else tuple(p) for p in padding)
    return Case(transposed, in_size, axes(kernel_size), axes(stride), axes(dilation), pads,
                axes(output_padding), groups, in_channels or groups, out_channels or groups,
                batch, has_bias, seed)


@st.composite
def channels(draw):
    """``(groups, C_in, C_out)``: depthwise (C_in == groups) and C_out/groups > 1 included."""
    groups = draw(st.integers(1, MAX_CHANNELS))
    per_group = MAX_CHANNELS // groups
    return (groups, groups * draw(st.integers(1, per_group)),
            groups * draw(st.integers(1, per_group)))


@st.composite
def _transpose_axis(draw, rank: int, symmetric: bool):
    n_max, k_max, s_max, d_max = LIMITS[rank]
    k = draw(st.integers(1, k_max))
    s = draw(st.integers(1, s_max))
    d = draw(st.integers(1, d_max))
    op = draw(st.integers(0, max(s, d) - 1))
    n = draw(st.integers(1, n_max))
    room = (n - 1) * s + effective(k, d) + op - 1  # before + after may crop this much
    if symmetric:
        p = draw(st.integers(0, min(room // 2, MAX_PAD)))
        pad = (p, p)
    else:
        lo = draw(st.integers(0, min(room, MAX_PAD)))
        pad = (lo, draw(st.integers(0, min(room - lo, MAX_PAD))))
    return n, k, s, d, pad, op


@st.composite
def _conv_axis(draw, rank: int, symmetric: bool):
    n_max, k_max, s_max, d_max = LIMITS[rank]
    k = draw(st.integers(1, k_max))
    s = draw(st.integers(1, s_max))
    d = draw(st.integers(1, d_max))
    if symmetric:
        p = draw(st.integers(0, MAX_PAD))
        pad = (p, p)
    else:
        pad = (draw(st.integers(0, MAX_PAD)), draw(st.integers(0, MAX_PAD)))
    least = max(1, effective(k, d) - sum(pad))  # the padded input must hold the kernel
    n = draw(st.integers(least, max(least, n_max)))
    return n, k, s, d, pad, 0


@st.composite
def cases(draw, transposed: bool, *, symmetric: bool = True, ranks=(1, 2, 3),
          batched=None, bias=None) -> Case:
    """Any valid :class:`Case`; ``batched``/``bias`` None draws them too."""
    rank = draw(st.sampled_from(ranks))
    axis = _transpose_axis if transposed else _conv_axis
    n, k, s, d, pad, op = zip(*(draw(axis(rank, symmetric)) for _ in range(rank)))
    groups, c_in, c_out = draw(channels())
    is_batched = draw(st.booleans()) if batched is None else batched
    batch = draw(st.integers(1, 2)) if is_batched else None
    has_bias = draw(st.booleans()) if bias is None else bias
    seed = draw(st.integers(0, 2**32 - 1))
    return Case(transposed, n, k, s, d, pad, op, groups, c_in, c_out, batch, has_bias, seed)
