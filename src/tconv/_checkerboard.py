"""Overlap (coverage) analysis of transposed convolutions: checkerboard artifacts.

Coverage ``cov[j]`` is how many (input, tap) pairs write output ``j``: the
transposed convolution of an all-ones input with an all-ones kernel
(docs/rules/checkerboard.md). Away from the borders it depends only on the phase of ``j``
modulo the stride (the stride product for a stack); it is uniform iff every
phase gets the same count, for ``dilation=1`` iff the stride divides the
kernel size. Everything is computed with :func:`tconv.conv_transpose`, never
with a formula.

Interior
    Output positions whose value equals what an unbounded input would give
    them: every tap that could land there does. They are found by running the
    same stack on an input larger by a margin on each side and comparing, so
    they start at most the stacked kernel span ``sum_l (ke_l - 1) * (stride of
    the later layers)`` from either end (less where padding cropped the border
    away). ``interior`` holds one ``(start, stop)`` per axis.
Score
    Over one period of the interior (``phases``), per output channel,
    ``(max - min) / mean(|value|)``; the largest over channels. Exactly
    ``0.0`` when the interior is uniform (including all zero), larger the more
    uneven: ``2/3`` for ``k=3, s=2`` in 1-D (``2 1``), ``4/3`` in 2-D
    (``4 2 / 2 1``), ``2`` where half the phases get nothing (``3 0``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from . import _args, _limits
from ._conv import conv_transpose
from ._files import atomic_output
from ._geometry import conv_length, conv_transpose_length, stacked_border

_OP = "checkerboard"
# The analysis runs every layer on a test input: a stated bound on the work.
MAX_LAYERS = 100
_LAYER_KEYS = ("kernel_size", "stride", "padding", "output_padding", "dilation")


@dataclass(frozen=True)
class _Layer:
    """One transposed convolution's geometry, ``rank`` ints per field."""

    kernel_size: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]

    def axis(self, a: int) -> _Layer:
        """The same layer along axis ``a`` only (rank 1)."""
        return _Layer(*((getattr(self, name)[a],) for name in _LAYER_KEYS))


@dataclass(frozen=True, eq=False)
class CheckerboardResult:
    """What :func:`checkerboard` found; arrays are NumPy float64.

    Attributes
    ----------
    coverage : ndarray
        Overlap count of the output, ``(*out)``; with ``weight``, the response
        to an all-ones input, ``(C_out, *out)``.
    period : tuple of int
        Interior period per axis: the stride (product of strides for a stack).
    phases : ndarray
        Interior values over one period, ``(*period)`` (``(C_out, *period)``
        with ``weight``): ``phases[q]`` is the value at every interior output
        position ``j`` with ``(j + shift) % period == q``.
    shift : tuple of int
        Phase of output position 0 per axis (the padding cropped, carried
        through the stack); phase 0 is where the first input lands.
    interior : tuple of (int, int)
        ``(start, stop)`` of the interior per axis of ``coverage``.
    score : float
        ``(max - min) / mean(|value|)`` over ``phases`` (largest over
        channels); exactly 0.0 iff uniform.
    gradient_coverage, gradient_phases, gradient_shift, gradient_score
        The same for the gradient direction: how often each input of the
        strided forward convolutions (same geometry, layers in the given order)
        is read, i.e. their input gradient for an all-ones output gradient and
        all-ones kernels (``weight`` is not used).
    verdict : str
        ``"uniform: ..."`` or ``"checkerboard: ..."`` with the fixes.
    in_size : tuple of int
        Spatial input size used for ``coverage``.

    Examples
    --------
    >>> import tconv
    >>> result = tconv.checkerboard(5, 2, rank=1, in_size=6)
    >>> result.period, result.interior, result.phases.tolist(), result.score
    ((2,), ((3, 12),), [3.0, 2.0], 0.4)
    >>> result.pattern
    array([2., 3., 2., 3., 2., 3., 2., 3., 2.])
    """

    coverage: np.ndarray = field(repr=False)
    period: tuple[int, ...]
    phases: np.ndarray = field(repr=False)
    shift: tuple[int, ...]
    interior: tuple[tuple[int, int], ...]
    score: float
    gradient_coverage: np.ndarray = field(repr=False)
    gradient_phases: np.ndarray = field(repr=False)
    gradient_shift: tuple[int, ...]
    gradient_score: float
    verdict: str
    in_size: tuple[int, ...]
    layers: tuple[_Layer, ...] = field(repr=False)

    @property
    def is_uniform(self) -> bool:
        return self.score == 0.0

    @property
    def pattern(self) -> np.ndarray:
        """The interior of ``coverage`` (a view)."""
        box = tuple(slice(start, stop) for start, stop in self.interior)
        return self.coverage[(Ellipsis, *box)]

    def save_heatmap(self, path, *, force: bool = False):
        """Write a heatmap of ``coverage`` (channel 0; 3-D: middle slice).

        The interior is boxed in red; integer counts get integer colour-bar
        ticks. Written through ``tconv._files.atomic_output``: an existing
        ``path`` is replaced only with ``force``. Needs matplotlib (the
        ``viz`` extra); raises ImportError naming it. Returns the figure.
        """
        figure = self.heatmap_figure()
        with atomic_output(path, force=force, flag="path") as temporary:
            figure.savefig(temporary, bbox_inches="tight")
        return figure

    def heatmap_figure(self):
        """The matplotlib Figure that :meth:`save_heatmap` writes."""
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            from matplotlib.patches import Rectangle
        except ImportError:
            message = ("the heatmap needs matplotlib: pip install 'tconv[viz]' "
                       "(or pip install matplotlib)")
            raise ImportError(message) from None
        values = self.coverage if self.coverage.ndim == len(self.period) else self.coverage[0]
        interior = self.interior
        if values.ndim == 3:  # the middle slice of the first axis
            values, interior = values[len(values) // 2], interior[1:]
        image = values if values.ndim == 2 else values[None, :]
        (top, bottom), (left, right) = ((0, 1), *interior) if values.ndim == 1 \
            else interior
        height, width = image.shape
        scale = 8 / max(width, height)
        figure = Figure(figsize=(max(4.0, width * scale + 2), max(2.2, height * scale + 1.2)),
                        dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        shown = axes.imshow(image, cmap="viridis", interpolation="nearest",
                            aspect="equal" if values.ndim == 2 else "auto")
        is_count = bool(np.all(values == np.round(values)))
        figure.colorbar(shown, ax=axes, label="coverage" if values is self.coverage
                        else "response",
                        ticks=integer_ticks(values.min(), values.max()) if is_count else None)
        axes.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top,
                                 fill=False, edgecolor="red", linewidth=1.5))
        if values.ndim == 1:
            axes.set_yticks([])
        layer = self.layers[0]
        axes.set_title(f"kernel {_text(layer.kernel_size)}, stride {_text(layer.stride)}, "
                       f"{len(self.layers)} layer(s): score {self.score:.3g} "
                       "(interior in red)", fontsize=11)
        return figure


def integer_ticks(low: float, high: float, most: int = 10) -> list[int]:
    """Integer colour-bar ticks in ``[low, high]``, at most ``most`` of them.

    Every integer when they are few, else multiples of 2, 5, 10, 20, ...

    >>> integer_ticks(1, 9)
    [1, 2, 3, 4, 5, 6, 7, 8, 9]
    >>> integer_ticks(0, 30)
    [0, 5, 10, 15, 20, 25, 30]
    """
    low, high = math.ceil(low), math.floor(high)
    steps = (1, 2, 5) + tuple(m * 10 ** e for e in range(1, 12) for m in (1, 2, 5))
    step = next(s for s in steps if (high - low) // s + 1 <= most)
    return list(range(-(-low // step) * step, high + 1, step))


def _text(values: tuple[int, ...]) -> str:
    return str(values[0]) if len(set(values)) == 1 else "x".join(map(str, values))


# --------------------------------------------------------------------------- validation

def _layers(kernel_size, stride, padding, output_padding, dilation, rank, layers):
    defaults = {"kernel_size": kernel_size, "stride": stride, "padding": padding,
                "output_padding": output_padding, "dilation": dilation}
    if _args.is_int(layers):
        if layers < 1:
            message = f"{_OP}: layers={layers!r} must be a positive int or a list of layer dicts"
            raise ValueError(message)
        if layers > MAX_LAYERS:
            message = (f"{_OP}: layers={layers!r} is more than the {MAX_LAYERS} layers "
                       "checkerboard analyses (each layer is run on a test input)")
            raise ValueError(message)
        configs = [{}] * int(layers)
    elif isinstance(layers, (list, tuple)):
        if not layers:
            message = f"{_OP}: layers=[] is empty; give at least one layer"
            raise ValueError(message)
        if len(layers) > MAX_LAYERS:
            message = (f"{_OP}: layers has {len(layers)} entries, more than the "
                       f"{MAX_LAYERS} layers checkerboard analyses")
            raise ValueError(message)
        configs = list(layers)
    else:
        message = (f"{_OP}: layers={layers!r} must be a positive int or a list of dicts "
                   f"with keys among {', '.join(_LAYER_KEYS)}")
        raise TypeError(message)
    result = []
    for index, config in enumerate(configs):
        if not isinstance(config, Mapping):
            message = (f"{_OP}: layers[{index}]={config!r} must be a dict with keys among "
                       f"{', '.join(_LAYER_KEYS)}")
            raise TypeError(message)
        unknown = sorted(set(config) - set(_LAYER_KEYS))
        if unknown:
            message = (f"{_OP}: layers[{index}] has unknown key(s) {unknown}; valid keys "
                       f"are {', '.join(_LAYER_KEYS)}")
            raise ValueError(message)
        values = {**defaults, **config}
        # A value from a layer dict is named by its place in the list.
        name = {key: f"layers[{index}]['{key}']" if key in config else key
                for key in _LAYER_KEYS}
        result.append(_Layer(
            _args.positive_ints(_OP, name["kernel_size"], values["kernel_size"], rank),
            _args.positive_ints(_OP, name["stride"], values["stride"], rank),
            _args.nonnegative_ints(_OP, name["padding"], values["padding"], rank),
            _args.nonnegative_ints(_OP, name["output_padding"], values["output_padding"],
                                   rank),
            _args.positive_ints(_OP, name["dilation"], values["dilation"], rank)))
    return tuple(result)


def _weights(weight, layers: tuple[_Layer, ...], rank: int) -> list[np.ndarray] | None:
    if weight is None:
        return None
    if isinstance(weight, (list, tuple)) and all(hasattr(w, "shape") for w in weight):
        if len(weight) != len(layers):
            message = (f"{_OP}: weight is a list of {len(weight)} arrays but there are "
                       f"{len(layers)} layers; give one weight per layer (or one array)")
            raise ValueError(message)
        arrays = list(weight)
    else:
        arrays = [weight] * len(layers)
    result = []
    for index, (array, layer) in enumerate(zip(arrays, layers)):
        try:
            array = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            message = f"{_OP}: weight must be a numeric array, got {type(array).__name__}"
            raise TypeError(message) from None
        where = "weight" if len(layers) == 1 else f"weight for layer {index}"
        if array.ndim != rank + 2 or array.shape[2:] != layer.kernel_size:
            message = (f"{_OP}: {where} has shape {array.shape}; expected (C_in, C_out, "
                       f"{', '.join(map(str, layer.kernel_size))}) for rank={rank} and "
                       f"kernel_size={layer.kernel_size}")
            raise ValueError(message)
        if result and array.shape[0] != result[-1].shape[1]:
            message = (f"{_OP}: {where} takes {array.shape[0]} input channels but the "
                       f"previous layer gives {result[-1].shape[1]}")
            raise ValueError(message)
        result.append(array)
    return result


# --------------------------------------------------------------------------- measuring

def _check_size(stack, size, margin, weights, layers, *, kernel_size, stride, dilation,
                output_padding) -> None:
    """The output-size guard, on the largest test run, before running anything."""
    channels = 1 if weights is None else max(max(w.shape[:2]) for w in weights)
    lengths = [n + 2 * m for n, m in zip(size, margin)]
    shapes = []
    for layer in stack:
        lengths = [max(1, conv_transpose_length(n, k, s, d, p, p, op)) for n, k, s, d, p, op in
                   zip(lengths, layer.kernel_size, layer.stride, layer.dilation, layer.padding,
                       layer.output_padding)]
        shapes.append((channels, *lengths))
    if not _limits.exceeds(shapes[-1], 8):
        return
    name, value = "layers", layers
    if len(stack) == 1 or _limits.exceeds(shapes[0], 8):
        # One layer is already too large: its largest contribution to the length.
        # (The test input itself grows with the kernel span over the stride.)
        layer = stack[0]
        parts = {"stride": max(layer.stride),
                 "kernel_size": max(k - 1 for k in layer.kernel_size),
                 "dilation": max((d - 1) * (k - 1) for k, d in zip(layer.kernel_size,
                                                                   layer.dilation)),
                 "output_padding": max(layer.output_padding)}
        name = max(parts, key=parts.get)
        value = {"stride": stride, "kernel_size": kernel_size, "dilation": dilation,
                 "output_padding": output_padding}[name]
    _limits.check_bytes(_OP, name, value, shapes[-1], 8,
                        what="a test output (the stacked layers on a test input)")


def _period(layers) -> tuple[int, ...]:
    return tuple(math.prod(column) for column in zip(*(layer.stride for layer in layers)))


def _border(layers) -> tuple[int, ...]:
    """Stacked kernel span per axis, in output samples."""
    rank = len(layers[0].stride)
    return tuple(stacked_border((layer.kernel_size[a], layer.stride[a], layer.dilation[a])
                                for layer in layers) for a in range(rank))


def _shift(layers) -> tuple[int, ...]:
    """Phase of output 0: the cropped padding, magnified by each later stride."""
    rank = len(layers[0].stride)
    shift = [0] * rank
    for layer in layers:
        for a in range(rank):
            shift[a] = shift[a] * layer.stride[a] + layer.padding[a]
    return tuple(shift)


def _transposed(layers, size, weights) -> np.ndarray:
    """The stack applied to an all-ones input of ``size``: ``(C, *out)``."""
    channels = 1 if weights is None else weights[0].shape[0]
    y = np.ones((1, channels, *size))
    for index, layer in enumerate(layers):
        weight = np.ones((1, 1, *layer.kernel_size)) if weights is None else weights[index]
        y = conv_transpose(y, weight, stride=layer.stride, padding=layer.padding,
                           output_padding=layer.output_padding, dilation=layer.dilation)
    return y[0]


def _reads(layers, size, weights=None) -> np.ndarray:
    """How often each input of the forward conv stack (``size``) is read: ``(1, *size)``."""
    sizes = [tuple(size)]
    for layer in layers:
        sizes.append(tuple(conv_length(n, k, s, d, p, p) for n, k, s, d, p in
                           zip(sizes[-1], layer.kernel_size, layer.stride, layer.dilation,
                               layer.padding)))
    g = np.ones((1, 1, *sizes[-1]))
    for layer, in_size in zip(reversed(layers), reversed(sizes[:-1])):
        g = conv_transpose(g, np.ones((1, 1, *layer.kernel_size)), stride=layer.stride,
                           padding=layer.padding, dilation=layer.dilation,
                           output_size=in_size)
    return g[0]


def _interior_run(mask: np.ndarray) -> tuple[int, int]:
    """The run of True around the middle of ``mask`` (empty if the middle is False)."""
    middle = len(mask) // 2
    if not mask[middle]:
        return middle, middle
    start, stop = middle, middle + 1
    while start > 0 and mask[start - 1]:
        start -= 1
    while stop < len(mask) and mask[stop]:
        stop += 1
    return start, stop


def _measure(run, layers, size, extra, offset, shift, weights):
    """(values, phases, interior) of ``run`` on ``size`` against a larger run.

    ``run(layers, size, weights)`` maps a size to ``(C, *out)``; growing the
    size by ``2 * extra`` per axis moves output ``j`` to ``j + offset``.
    """
    period = _period(layers)
    values = run(layers, size, weights)
    big = run(layers, tuple(n + 2 * e for n, e in zip(size, extra)), weights)
    phase_index = np.ix_(*(np.arange(o, o + p) + (-t) % p
                           for o, p, t in zip(offset, period, shift)))
    # Index r along an axis is an output with (j + shift) % period == r.
    phases = big[(slice(None), *phase_index)]
    interior = []
    for a in range(len(size)):
        axis_layers = tuple(layer.axis(a) for layer in layers)
        core = run(axis_layers, (size[a],), None)[0]
        wide = run(axis_layers, (size[a] + 2 * extra[a],), None)[0]
        aligned = wide[offset[a]:offset[a] + len(core)]
        interior.append(_interior_run(core == aligned))
    return values, phases, tuple(interior)


def _score(phases: np.ndarray) -> float:
    scores = []
    for channel in phases.reshape(len(phases), -1):
        spread = float(channel.max() - channel.min())
        scores.append(0.0 if spread == 0.0 else spread / float(np.abs(channel).mean()))
    return max(scores)


def _verdict(layers, phases, score, is_weighted) -> str:
    if score == 0.0:
        what = "response to a constant input" if is_weighted else "overlap"
        value = phases.flat[0]
        return (f"uniform: every interior output phase gets the same {what} "
                f"({value:g}); no checkerboard from uneven overlap")
    counts = phases if is_weighted else phases[0]
    holes = "" if is_weighted or counts.min() > 0 else (
        "; some phases get no tap at all (holes, as in bed-of-nails)")
    low, high = float(phases.min()), float(phases.max())
    period = "x".join(map(str, _period(layers)))
    lines = [(f"checkerboard: the interior varies between {low:g} and {high:g} over a "
              f"period of {period} (score {score:.3g}){holes}."),
             "fix: use a kernel size divisible by the stride"]
    layer = layers[0]
    if all(d == 1 for d in layer.dilation):
        sizes = tuple(math.ceil(k / s) * s for k, s in zip(layer.kernel_size, layer.stride))
        lines[-1] += f" (e.g. kernel {_text(sizes)} for stride {_text(layer.stride)})"
    else:
        lines[-1] += " (with dilation: every t*dilation mod stride equally often)"
    lines[-1] += ("; or resize then convolve (nearest or bilinear up-sampling, then a "
                  "stride-1 convolution); or sub-pixel convolution (conv to C*r*r "
                  "channels + pixel_shuffle) initialised with ICNR")
    return "\n".join(lines)


# --------------------------------------------------------------------------- front door

@_args.keywords
def checkerboard(kernel_size, stride, *, padding=0, output_padding=0, dilation=1, rank=2,
                 layers=1, weight=None, in_size=None):
    """Overlap analysis of a transposed convolution: is there a checkerboard?

    Computes the coverage (how many input-times-tap products land on each
    output position) with :func:`tconv.conv_transpose` on an all-ones input
    and all-ones kernels, finds its interior and the pattern that repeats
    there, and scores how uneven it is (docs/rules/checkerboard.md). The same is done for the
    gradient direction: how often each input of the strided forward
    convolution is read (its input gradient shows the same checkerboard).

    Parameters
    ----------
    kernel_size, stride : int or tuple of ints
        Kernel size and stride, one int or ``rank`` ints.
    padding, output_padding : int or tuple of ints
        Symmetric padding cropped from each end; samples added at the end
        (each smaller than ``max(stride, dilation)``). Padding only shifts the
        phase; the borders get less.
    dilation : int or tuple of ints
        Spacing of the kernel taps.
    rank : int
        Spatial rank, 1, 2 or 3.
    layers : int or list of dict
        ``n`` identical layers stacked, or one dict per layer with keys among
        ``kernel_size, stride, padding, output_padding, dilation`` (missing
        keys take the values above). Layer ``l + 1`` is the transposed
        convolution of layer ``l``'s coverage.
    weight : array_like or list of array_like, optional
        Real weights ``(C_in, C_out, *kernel_size)`` (groups=1), one array for
        every layer or a list with one per layer. ``coverage`` is then the
        response to an all-ones input, ``(C_out, *out)``.
    in_size : int or tuple of ints, optional
        Spatial input size; default large enough that the interior shows a few
        periods. The period, phases and score do not depend on it.

    Returns
    -------
    CheckerboardResult
        Frozen; ``coverage``, ``period``, ``phases``, ``shift``, ``interior``,
        ``score``, ``gradient_coverage``, ``gradient_phases``,
        ``gradient_score``, ``verdict``, ``in_size``. The interior is where
        every tap that could land does (at most the stacked kernel span from
        the ends); ``score = (max - min) / mean(|value|)`` over one interior
        period (largest over channels), exactly 0.0 iff uniform.

    Raises
    ------
    TypeError
        A float or bool where an int belongs; ``layers`` not an int or list of
        dicts; ``weight`` not numeric.
    ValueError
        Non-positive sizes, strides, dilations, layers or in_size, negative
        padding, an output_padding too large, unknown layer keys, a weight
        whose shape does not match ``rank`` and ``kernel_size``, more than
        100 layers, a test output over ``tconv.get_max_output_bytes()``
        (2 GiB by default; the analysis runs the stack on a test input
        whose output grows with the strides' product).

    Examples
    --------
    Kernel 3, stride 2 on 6 inputs (1-D): the interior alternates 2 and 1.

    >>> import tconv
    >>> result = tconv.checkerboard(3, 2, rank=1, in_size=6)
    >>> result.coverage
    array([1., 1., 2., 1., 2., 1., 2., 1., 2., 1., 2., 1., 1.])
    >>> result.period, result.phases.tolist(), round(result.score, 3)
    ((2,), [2.0, 1.0], 0.667)

    In 2-D the pattern is the outer product, 4/2/2/1; kernel 4 is uniform.

    >>> tconv.checkerboard(3, 2).phases
    array([[4., 2.],
           [2., 1.]])
    >>> tconv.checkerboard(4, 2).score
    0.0
    >>> print(tconv.checkerboard(4, 2).verdict)
    uniform: every interior output phase gets the same overlap (4); no checkerboard ...

    Two stacked k3 s2 layers: period 4.

    >>> tconv.checkerboard(3, 2, rank=1, layers=2).phases.tolist()
    [3.0, 2.0, 3.0, 1.0]
    """
    rank = _args.spatial_rank(_OP, rank)
    stack = _layers(kernel_size, stride, padding, output_padding, dilation, rank, layers)
    weights = _weights(weight, stack, rank)
    period = _period(stack)
    border = _border(stack)
    if in_size is None:
        size = tuple(-(-2 * b // s) + 4 for b, s in zip(border, period))
    else:
        size = _args.positive_ints(_OP, "in_size", in_size, rank)
    # A margin of m inputs moves output j to j + m*period; it must clear the
    # border (and, for the reads, the unread tail) of the larger run.
    margin = tuple(-(-b // s) + 2 for b, s in zip(border, period))
    offset = tuple(m * s for m, s in zip(margin, period))
    _check_size(stack, size, margin, weights, layers,
                kernel_size=kernel_size, stride=stride, dilation=dilation,
                output_padding=output_padding)
    shift = _shift(stack)
    coverage, phases, interior = _measure(_transposed, stack, size, margin, offset,
                                          shift, weights)
    score = _score(phases)

    backward = tuple(reversed(stack))
    grad_shift = _shift(backward)
    grad_size = tuple(coverage.shape[1:])
    gradient, grad_phases, _ = _measure(lambda ls, n, w: _reads(tuple(reversed(ls)), n),
                                        backward, grad_size, offset, offset, grad_shift,
                                        None)
    is_weighted = weights is not None
    return CheckerboardResult(
        coverage=coverage if is_weighted else coverage[0],
        period=period, phases=phases if is_weighted else phases[0], shift=shift,
        interior=interior, score=score, gradient_coverage=gradient[0],
        gradient_phases=grad_phases[0], gradient_shift=grad_shift,
        gradient_score=_score(grad_phases),
        verdict=_verdict(stack, phases, score, is_weighted), in_size=size, layers=stack)
