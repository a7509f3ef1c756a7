"""inf and NaN in inputs and weights give exactly PyTorch's result, for every algorithm.

PyTorch's transposed convolution multiplies every input sample by the whole
kernel and never multiplies a padding or inserted zero by a weight, so an
inf tap spreads inf, not NaN, over the outputs it reaches; its convolution
does multiply the input padding by the weight. Its linear, bilinear,
trilinear and bicubic ``interpolate`` turn inf into NaN wherever a sample
meets a weight of exactly 0 (including axes whose size does not change).
The tests sprinkle inf, -inf and NaN over random inputs and weights of
geometries drawn valid by construction (``_cases``) and require the same
NaN, +inf and -inf positions as PyTorch, finite values within the dtype's
tolerance.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import case, cases, scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
import _torch_ref as ref  # after the importorskip: it needs torch

pytestmark = pytest.mark.usefixtures("torch_one_thread")

NONFINITE = st.sampled_from([np.inf, -np.inf, np.nan])


@st.composite
def sprinkled(draw, array: np.ndarray, *, most: int = 3) -> np.ndarray:
    """A copy of ``array`` with up to ``most`` entries replaced by inf, -inf or NaN."""
    array = array.copy()
    flat = array.reshape(-1)
    for _ in range(draw(st.integers(0, most))):
        flat[draw(st.integers(0, flat.size - 1))] = draw(NONFINITE)
    return array


def assert_same_nonfinite(got, expected, *, dtype, scale=None, what="value"):
    """Same NaN, +inf and -inf positions; finite values within tolerance."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert got.shape == expected.shape, f"{what}: shape {got.shape} != {expected.shape}"
    for name, test in (("NaN", np.isnan), ("+inf", np.isposinf), ("-inf", np.isneginf)):
        differ = test(got) != test(expected)
        if differ.any():
            where = tuple(int(i) for i in np.argwhere(differ)[0])
            raise AssertionError(f"{what}: {name} positions differ, first at {where}: got "
                                 f"{got[where]!r}, PyTorch {expected[where]!r}")
    finite = np.isfinite(expected)
    scale = None if scale is None else np.where(finite, scale, 1.0)[finite]
    assert_close(got[finite], expected[finite], dtype=dtype, scale=scale, what=what)


def _quiet(function, *args, **kwargs):
    """Call ``function``; inf - inf and inf * 0 warn in NumPy, which is the point here."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", over="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


def check_case(c, data, dtype, *, as_torch=False):
    x, weight, bias = c.arrays(dtype)
    x = data.draw(sprinkled(x), label="x")
    weight = data.draw(sprinkled(weight), label="weight")
    with torch.no_grad():
        expected = ref.numpy(ref.for_case(c, ref.tensor(x), ref.tensor(weight),
                                          None if bias is None else ref.tensor(bias)))
        scale = ref.numpy(ref.for_case(c, ref.tensor(np.abs(x)), ref.tensor(np.abs(weight)),
                                       None if bias is None else ref.tensor(np.abs(bias))))
    op = tconv.conv_transpose if c.transposed else tconv.conv
    names = tconv.CONV_TRANSPOSE_ALGORITHMS if c.transposed else tconv.CONV_ALGORITHMS
    if as_torch:
        x, weight = torch.from_numpy(x), torch.from_numpy(weight)
        bias = None if bias is None else torch.from_numpy(bias)
    for name in names:
        got = _quiet(op, x, weight, bias, algorithm=name, **c.kwargs())
        if as_torch:
            got = got.numpy()
        assert_same_nonfinite(got, expected, dtype=dtype, scale=scale, what=f"{c!r} [{name}]")


@scaled(0.5)
@given(cases(transposed=True, symmetric=False), st.data(),
       st.sampled_from([np.float64, np.float32]))
# The example: depthwise, one inf tap; phase and dilate gave [inf, nan].
@example(case(True, 1, 2, groups=2, in_channels=2, out_channels=2, seed=0), None, np.float64)
def test_conv_transpose_nonfinite_matches_torch(c, data, dtype):
    if data is None:  # the pinned example: a fixed inf tap
        x = np.ones((1, 2, 1))
        weight = np.array([[[np.inf, 1.0]], [[1.0, 1.0]]])
        for name in tconv.CONV_TRANSPOSE_ALGORITHMS:
            got = _quiet(tconv.conv_transpose, x, weight, groups=2, algorithm=name)
            expected = torch.nn.functional.conv_transpose1d(
                torch.from_numpy(x), torch.from_numpy(weight), groups=2).numpy()
            assert_same_nonfinite(got, expected, dtype=np.float64, what=name)
        return
    check_case(c, data, dtype)


@scaled(0.4)
@given(cases(transposed=False, symmetric=False), st.data(),
       st.sampled_from([np.float64, np.float32]))
def test_conv_nonfinite_matches_torch(c, data, dtype):
    check_case(c, data, dtype)


@scaled(0.2)
@given(st.data(), st.booleans())
def test_nonfinite_on_torch_tensors_matches_torch(data, transposed):
    """The masked routes (phase, dilate, matrix) also run on torch tensors."""
    c = data.draw(cases(transposed=transposed, ranks=(1, 2)), label="case")
    check_case(c, data, np.float64, as_torch=True)


# --------------------------------------------------------------------------- interpolate

MODES = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "linear": (1,),
         "bilinear": (2,), "bicubic": (2,), "trilinear": (3,)}


@st.composite
def interpolate_calls(draw):
    mode = draw(st.sampled_from(sorted(MODES)))
    rank = draw(st.sampled_from(MODES[mode]))
    options = {"mode": mode}
    if mode not in ("nearest", "nearest-exact"):
        options["align_corners"] = draw(st.booleans())
    smallest = 1
    if draw(st.booleans()):
        # Equal sizes included: PyTorch still weights such an axis (inf -> NaN).
        options["size"] = tuple(draw(st.integers(1, 9)) for _ in range(rank))
    else:
        options["scale_factor"] = draw(st.sampled_from([0.5, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0]))
        smallest = 2  # at least one output sample when shrinking
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)),
             *(draw(st.integers(smallest, 5)) for _ in range(rank)))
    return shape, options


@scaled(0.6)
@given(interpolate_calls(), st.data(), st.sampled_from([np.float64, np.float32]),
       st.booleans())
# An unchanged axis: PyTorch gives NaN where the input is inf.
@example(((1, 1, 4), {"mode": "linear", "align_corners": False, "size": (4,)}), None,
         np.float64, False)
def test_interpolate_nonfinite_matches_torch(call, data, dtype, as_torch):
    shape, options = call
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal(shape).astype(dtype)
    if data is None:
        x[..., 1] = np.inf
    else:
        x = data.draw(sprinkled(x, most=4), label="x")
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), **options).numpy()
    got = _quiet(tconv.interpolate, torch.from_numpy(x) if as_torch else x, **options)
    got = got.numpy() if as_torch else got
    assert_same_nonfinite(got, expected, dtype=dtype, what=f"{shape} {options}")
