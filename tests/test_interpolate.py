"""``tconv.interpolate`` against ``torch.nn.functional.interpolate``.

* Values: random shapes (rank 1-3 per mode), sizes and scale factors (integer,
  decimal and arbitrary floats, per axis or one for all), down-scaling, size-1
  axes, ``align_corners``, float64 and float32. Nearest modes must pick the
  very same samples (exact equality), the others agree within ``_tol``.
* PyTorch's quirks (docs/rules/interpolate.md), pinned with their worked numbers: float32
  index arithmetic, the 2-D nearest kernel's shortcuts and the size rule that
  selects that kernel (``out_H + out_W <= 128``), nearest-exact ties, the
  linear ``out == in`` copy, bicubic overshoot, ``scale_factor`` vs ``size``.
* An exhaustive sweep of nearest indices over small sizes, per rank, dtype and
  2-D kernel.
* Tensors in, tensors out, with gradients: the exact adjoint of PyTorch's
  forward (from its matrix), and PyTorch's own autograd wherever that is the
  adjoint (linear modes; nearest and bicubic with ``size``: docs/rules/interpolate.md).
* Array libraries, the dtype rule, and every documented bad input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import scaled
from _tol import assert_close

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.usefixtures("torch_one_thread")

RANKS = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "linear": (1,),
         "bilinear": (2,), "bicubic": (2,), "trilinear": (3,)}
NEAREST = ("nearest", "nearest-exact")
MAX_IN = {1: 9, 2: 7, 3: 4}  # largest input size per axis, by rank
TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32,
               np.dtype(np.float16): torch.float16}


@dataclass(frozen=True)
class Case:
    """One call: mode, shapes, exactly one of size/scale_factor, align_corners."""

    mode: str
    shape: tuple[int, ...]  # (N, C, *S)
    size: object = None
    scale_factor: object = None
    align_corners: bool | None = None
    dtype: str = "float64"
    seed: int = 0

    def kwargs(self) -> dict:
        kwargs = {"mode": self.mode}
        if self.size is not None:
            kwargs["size"] = self.size
        if self.scale_factor is not None:
            kwargs["scale_factor"] = self.scale_factor
        if self.align_corners is not None:
            kwargs["align_corners"] = self.align_corners
        return kwargs

    def x(self) -> np.ndarray:
        values = np.random.default_rng(self.seed).standard_normal(self.shape)
        return values.astype(self.dtype)

    @property
    def torch_backward_is_adjoint(self) -> bool:
        # docs/rules/interpolate.md (and seen here for bicubic: its backward copies an axis
        # with out == in, its forward does not) -- only with a scale_factor.
        return self.mode not in ("nearest", "nearest-exact", "bicubic") or self.size is not None


def case(mode, in_size, n=1, c=1, **kwargs) -> Case:
    in_size = (in_size,) if isinstance(in_size, int) else tuple(in_size)
    return Case(mode, (n, c, *in_size), **kwargs)


def _least_factor(n: int, step: float) -> int:
    """Smallest k with floor(n * k*step) >= 1, in float64 as PyTorch computes it."""
    k = 1
    while math.floor(n * (k * step)) < 1:
        k += 1
    return k


@st.composite
def factor_for(draw, n: int):
    """A scale factor with a non-empty output for size ``n``, by construction."""
    kind = draw(st.sampled_from(["integer", "tenths", "hundredths", "float"]))
    if kind == "integer":
        return draw(st.integers(1, 4))
    if kind in ("tenths", "hundredths"):
        step = 0.1 if kind == "tenths" else 0.01
        k = draw(st.integers(_least_factor(n, step), round(4 / step)))
        return k * step
    return draw(st.floats(min_value=(1 + 1e-9) / n, max_value=4.0))


@st.composite
def cases(draw, modes=tuple(RANKS), dtypes=("float64", "float32"), max_in=None,
          max_out=None):
    mode = draw(st.sampled_from(modes))
    rank = draw(st.sampled_from(RANKS[mode]))
    top = (max_in or MAX_IN)[rank]
    ceiling = (max_out or {1: 30, 2: 20, 3: 10})[rank]
    if rank == 2 and max_in is None and draw(st.integers(0, 4)) == 0:
        # wide 2-D: out_H + out_W around PyTorch's kernel switch at 128
        top, ceiling = 40, 150
    in_size = tuple(draw(st.integers(1, top)) for _ in range(rank))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *in_size)
    how = draw(st.sampled_from(["size", "size for all", "factors", "factor for all"]))
    size = scale_factor = None
    if how == "size":
        size = tuple(draw(st.integers(1, ceiling)) for _ in in_size)
    elif how == "size for all":
        size = draw(st.integers(1, ceiling))
    elif how == "factors":
        scale_factor = tuple(draw(factor_for(n)) for n in in_size)
    else:
        scale_factor = draw(factor_for(min(in_size)))
    align_corners = None if mode in NEAREST else draw(st.sampled_from([None, False, True]))
    return Case(mode, shape, size, scale_factor, align_corners,
                draw(st.sampled_from(dtypes)), draw(st.integers(0, 2**16)))


def reference(x: np.ndarray, **kwargs) -> np.ndarray:
    """PyTorch's result on a contiguous CPU tensor of ``x``'s dtype."""
    t = torch.from_numpy(np.ascontiguousarray(x))
    return F.interpolate(t, **kwargs).numpy()


def check_against_torch(c: Case):
    x = c.x()
    got = tconv.interpolate(x, **c.kwargs())
    expected = reference(x, **c.kwargs())
    assert isinstance(got, np.ndarray) and got.dtype == x.dtype, (type(got), got.dtype)
    if c.mode in NEAREST:  # a copy of chosen samples: the very same samples
        np.testing.assert_array_equal(got, expected, err_msg=repr(c))
    else:
        assert_close(got, expected, dtype=x.dtype, scale=2 * np.abs(x).max(), what=repr(c))


# --------------------------------------------------------------------------- values

@given(cases())
@example(case("nearest", 26, size=22, dtype="float32"))  # float32 product: 12 at i=11
@example(case("nearest", (5, 1), scale_factor=(1.1, 1)))  # 2-D copy when out == in
@example(case("nearest", 5, scale_factor=1.1))
@example(case("nearest", (5, 1), scale_factor=(2.1, 1)))  # 2-D i // 2 when out == 2n
@example(case("nearest", 5, scale_factor=2.1))
@example(case("nearest", (1, 64), scale_factor=(1, 2.01)))  # out_H + out_W = 129: generic
@example(case("nearest-exact", 2, size=41))  # tie at i = 20
@example(case("nearest-exact", (2, 1), size=(41, 1)))
@example(case("linear", 5, scale_factor=1.1))  # out == in: copied
@example(case("bicubic", (5, 5), scale_factor=1.1))  # out == in: not copied
@example(case("bicubic", (4, 4), size=8))
@example(case("linear", 3, scale_factor=1.5, align_corners=True))
@example(case("trilinear", (1, 1, 1), size=(3, 1, 2), align_corners=True))  # size-1 axes
@example(case("bilinear", (7, 5), scale_factor=(0.29, 0.5)))  # down-scaling
@example(case("trilinear", (4, 3, 2), scale_factor=(0.5, 1.7, 2), dtype="float32"))
def test_matches_torch(c):
    check_against_torch(c)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", NEAREST)
@pytest.mark.parametrize("rank, other", [(1, None), (2, 1), (2, 128), (3, None)],
                         ids=["1d", "2d-small", "2d-large", "3d"])
def test_nearest_indices_exhaustive(rank, other, mode, dtype):
    """Every (n, out) with n <= 16, out <= 64 and the decimal scale factors.

    The tested axis comes first; the others have input size 1. In 2-D the
    second axis's output length decides PyTorch's kernel: 1 keeps
    ``out_H + out_W <= 128`` (vectorized kernel), 128 never does (generic).
    """
    for n in range(1, 17):
        x = np.arange(n, dtype=dtype).reshape((1, 1, n) + (1,) * (rank - 1))
        rest = (1,) * (rank - 1) if other is None else (other,)
        calls = [{"size": (out, *rest)} for out in range(1, 65)]
        calls += [{"scale_factor": (k / 10, *rest)} for k in range(_least_factor(n, 0.1), 41)]
        calls += [{"scale_factor": (k / 100, *rest)}
                  for k in range(_least_factor(n, 0.01), 401, 7)]
        for kwargs in calls:
            got = tconv.interpolate(x, mode=mode, **kwargs)
            expected = reference(x, mode=mode, **kwargs)
            np.testing.assert_array_equal(got, expected, err_msg=f"n={n} {kwargs}")


def _along_axis(result) -> list:
    return np.asarray(result).reshape(-1).tolist()


def _arange(n, rank=1, dtype="float64"):
    return np.arange(n, dtype=dtype).reshape((1, 1, n) + (1,) * (rank - 1))


QUIRKS = [
    # (id, mode, n, rank, kwargs, dtype, expected samples along the first axis)
    ("26->22 float32 rounds 13 down", "nearest", 26, 1, {"size": 22}, "float32",
     [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24]),
    ("26->22 float64", "nearest", 26, 1, {"size": 22}, "float64",
     [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24]),
    ("5 sf=1.1 1-D", "nearest", 5, 1, {"scale_factor": 1.1}, "float32", [0, 0, 1, 2, 3]),
    ("5 sf=1.1 3-D", "nearest", 5, 3, {"scale_factor": (1.1, 1, 1)}, "float32",
     [0, 0, 1, 2, 3]),
    ("5 sf=1.1 2-D copy", "nearest", 5, 2, {"scale_factor": (1.1, 1)}, "float32",
     [0, 1, 2, 3, 4]),
    ("5 sf=2.1 1-D", "nearest", 5, 1, {"scale_factor": 2.1}, "float32",
     [0, 0, 0, 1, 1, 2, 2, 3, 3, 4]),
    ("5 sf=2.1 2-D i//2", "nearest", 5, 2, {"scale_factor": (2.1, 1)}, "float64",
     [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]),
    ("2->41 tie 1-D", "nearest-exact", 2, 1, {"size": 41}, "float32", [0] * 20 + [1] * 21),
    ("2->41 tie 2-D", "nearest-exact", 2, 2, {"size": (41, 1)}, "float32",
     [0] * 21 + [1] * 20),
    ("5->8 nearest", "nearest", 5, 1, {"size": 8}, "float64", [0, 0, 1, 1, 2, 3, 3, 4]),
    ("5->8 nearest-exact", "nearest-exact", 5, 1, {"size": 8}, "float64",
     [0, 0, 1, 2, 2, 3, 4, 4]),
    ("5->3 nearest", "nearest", 5, 1, {"size": 3}, "float64", [0, 1, 3]),
    ("5->3 nearest-exact", "nearest-exact", 5, 1, {"size": 3}, "float64", [0, 2, 4]),
    ("5 sf=1.7", "nearest", 5, 1, {"scale_factor": 1.7}, "float64",
     [0, 0, 1, 1, 2, 2, 3, 4]),
    ("5 sf=2.99 -> 14", "nearest", 5, 1, {"scale_factor": 2.99}, "float64",
     [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4]),
    ("10 sf=0.29 -> 2", "nearest", 10, 1, {"scale_factor": 0.29}, "float64", [0, 3]),
    ("linear out == in copies", "linear", 5, 1, {"scale_factor": 1.1}, "float64",
     [0, 1, 2, 3, 4]),
    ("linear 3 sf=1.5", "linear", 3, 1, {"scale_factor": 1.5}, "float64",
     [0, 0.5, 7 / 6, 11 / 6]),
    ("linear 3 size=4", "linear", 3, 1, {"size": 4}, "float64", [0, 0.625, 1.375, 2]),
    ("linear 3 sf=1.5 corners", "linear", 3, 1, {"scale_factor": 1.5, "align_corners": True},
     "float64", [0, 2 / 3, 4 / 3, 2]),
    ("linear 5 sf=0.5", "linear", 5, 1, {"scale_factor": 0.5}, "float64", [0.5, 2.5]),
    ("linear 5 size=2", "linear", 5, 1, {"size": 2}, "float64", [0.75, 3.25]),
    ("linear 4->8", "linear", 4, 1, {"size": 8}, "float64",
     [0, .25, .75, 1.25, 1.75, 2.25, 2.75, 3]),
    ("linear 4->8 corners", "linear", 4, 1, {"size": 8, "align_corners": True}, "float64",
     [3 * i / 7 for i in range(8)]),
    ("linear 4->1", "linear", 4, 1, {"size": 1}, "float64", [1.5]),
    ("linear 4->1 corners", "linear", 4, 1, {"size": 1, "align_corners": True}, "float64",
     [0]),
]


@pytest.mark.parametrize("name, mode, n, rank, kwargs, dtype, expected", QUIRKS,
                         ids=[q[0] for q in QUIRKS])
def test_torch_quirks(name, mode, n, rank, kwargs, dtype, expected):
    """docs/rules/interpolate.md's worked numbers, on ``arange(n)``, here and in PyTorch."""
    x = _arange(n, rank, dtype)
    got = tconv.interpolate(x, mode=mode, **kwargs)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(_along_axis(got), expected, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(got, reference(x, mode=mode, **kwargs), rtol=1e-6, atol=1e-12)


def test_2d_nearest_kernel_switches_at_128():
    """PyTorch's 2-D nearest shortcuts live in its vectorized kernel only, which
    it runs for ``out_H + out_W <= 128``: sf=2.01 doubles 63 rows with ``i // 2``
    but 64 rows (129 in all) with ``floor(i / 2.01)``."""
    for n, uses_shortcut in ((63, True), (64, False)):
        x = _arange(n, 2)
        got = _along_axis(tconv.interpolate(x, scale_factor=(2.01, 1)))
        assert (got == [i // 2 for i in range(2 * n)]) == uses_shortcut
        assert got == _along_axis(reference(x, scale_factor=(2.01, 1)))


def test_bicubic_overshoot():
    """``[0, 0, 1, 1]`` 4 -> 8: Keys a=-0.75 overshoots (docs/rules/interpolate.md)."""
    x = np.array([0, 0, 1, 1], dtype=np.float64).reshape(1, 1, 1, 4)
    got = _along_axis(tconv.interpolate(x, size=(1, 8), mode="bicubic"))
    expected = [0, -0.03515625, -0.10546875, 0.2265625, 0.7734375, 1.10546875, 1.03515625, 1]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(got, _along_axis(reference(x, size=(1, 8), mode="bicubic")),
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize("layout", ["channels_last", "channels_last_3d"])
@pytest.mark.parametrize("mode", NEAREST)
def test_channels_last_tensors(layout, mode):
    """A channels-last tensor with C > 3 runs PyTorch's vectorized nearest
    kernel at any size (2-D and 3-D); NCHW runs the generic one."""
    rank = 2 if layout == "channels_last" else 3
    shape = (1, 4, 64) + (1,) * (rank - 1)
    x = torch.arange(math.prod(shape), dtype=torch.float32).reshape(shape)
    kwargs = {"scale_factor": (2.01,) + (1.0,) * (rank - 1), "mode": mode}
    for tensor in (x, x.contiguous(memory_format=getattr(torch, layout))):
        assert torch.equal(tconv.interpolate(tensor, **kwargs), F.interpolate(tensor, **kwargs))


# --------------------------------------------------------------------------- tensors, gradients

def _adjoint(c: Case, upstream: np.ndarray, *, absolute: bool = False) -> np.ndarray:
    """``A^T g`` for PyTorch's forward matrix ``A`` (one column per input sample).

    The op acts on each (batch, channel) plane alike, so ``A`` comes from one
    forward pass over the basis images of one plane, stacked in the batch.
    ``absolute``: ``|A|^T |g|`` instead, the size of the sums (tolerance scale).
    """
    spatial = c.shape[2:]
    basis = np.eye(math.prod(spatial)).reshape((-1, 1, *spatial))
    columns = reference(basis, **c.kwargs()).reshape(len(basis), -1)  # (in, out)
    if absolute:
        columns, upstream = np.abs(columns), np.abs(upstream)
    planes = upstream.reshape(c.shape[0] * c.shape[1], -1)  # (planes, out)
    return (planes @ columns.T).reshape(c.shape)


SMALL = {"max_in": {1: 7, 2: 5, 3: 3}, "max_out": {1: 20, 2: 12, 3: 7}}


@scaled(0.5)
@given(cases(dtypes=("float64",), **SMALL))
@example(case("nearest", 5, c=2, scale_factor=1.1))
@example(case("nearest", (5, 3), n=2, scale_factor=(2.1, 0.7)))
@example(case("bicubic", (2, 2), scale_factor=(1.4, 1.1)))  # torch's backward copies
@example(case("bicubic", (3, 4), size=(7, 2), align_corners=True))
@example(case("trilinear", (3, 2, 1), scale_factor=(1.5, 0.5, 3)))
def test_tensor_gradients(c):
    """Tensors in, tensors out; ``d<g, y>/dx`` is the adjoint of torch's forward."""
    x = torch.tensor(c.x(), requires_grad=True)
    y = tconv.interpolate(x, **c.kwargs())
    assert isinstance(y, torch.Tensor) and y.dtype == torch.float64 and y.requires_grad
    expected = F.interpolate(x, **c.kwargs())
    assert_close(y.detach().numpy(), expected.detach().numpy(), scale=2 * x.abs().max().item(),
                 what=f"forward {c!r}")
    upstream = torch.tensor(np.random.default_rng(c.seed + 1).standard_normal(tuple(y.shape)))
    (grad,) = torch.autograd.grad(y, x, upstream)
    scale = _adjoint(c, upstream.numpy(), absolute=True)
    assert_close(grad.numpy(), _adjoint(c, upstream.numpy()), scale=scale,
                 what=f"gradient vs adjoint {c!r}")
    if c.torch_backward_is_adjoint:
        (torch_grad,) = torch.autograd.grad(expected, x, upstream)
        assert_close(grad.numpy(), torch_grad.numpy(), scale=scale,
                     what=f"gradient vs torch autograd {c!r}")


@pytest.mark.parametrize("mode", list(RANKS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_tensor_in_tensor_out(mode, dtype):
    rank = RANKS[mode][-1]
    x = torch.randn((2, 3) + (4,) * rank, dtype=dtype, requires_grad=True)
    y = tconv.interpolate(x, scale_factor=1.5, mode=mode)
    assert isinstance(y, torch.Tensor) and y.dtype == dtype and y.device == x.device
    assert y.requires_grad
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == torch.float64 else {}
    torch.testing.assert_close(y, F.interpolate(x, scale_factor=1.5, mode=mode), **tolerance)


def test_gradcheck():
    for mode, shape in (("bicubic", (1, 2, 3, 4)), ("trilinear", (1, 1, 2, 3, 2)),
                        ("nearest-exact", (2, 1, 5))):
        x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
        assert torch.autograd.gradcheck(
            lambda t, mode=mode: tconv.interpolate(t, scale_factor=1.7, mode=mode), (x,))


# --------------------------------------------------------------------------- libraries, dtypes

@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_array_libraries(backend, mode):
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4))
    y = tconv.interpolate(backend.asarray(x), scale_factor=(1.5, 0.75), mode=mode)
    assert type(y) is type(backend.asarray(x)), type(y)
    assert_close(backend.to_numpy(y), reference(x, scale_factor=(1.5, 0.75), mode=mode))
    assert tconv.interpolate(x.tolist(), size=(5, 2), mode=mode).shape == (1, 2, 5, 2)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int32, np.bool_])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
def test_integers_and_bools_compute_in_float64(dtype, mode):
    x = (np.arange(2 * 26) % 7).astype(dtype).reshape(2, 1, 26)
    y = tconv.interpolate(x, size=22, mode=mode)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, reference(x.astype(np.float64), size=22, mode=mode))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
def test_float16_is_kept(mode):
    x = np.random.default_rng(1).standard_normal((1, 2, 5, 6)).astype(np.float16)
    y = tconv.interpolate(x, scale_factor=(1.7, 0.6), mode=mode)
    assert y.dtype == np.float16
    expected = reference(x, scale_factor=(1.7, 0.6), mode=mode)
    if mode in NEAREST:
        np.testing.assert_array_equal(y, expected)
    else:
        assert_close(y, expected, dtype=np.float16, scale=2 * np.abs(x).max())


def test_input_is_not_modified():
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    copy = x.copy()
    tconv.interpolate(x, size=(3, 4), mode="bilinear")  # every axis copied
    tconv.interpolate(x, scale_factor=2)
    np.testing.assert_array_equal(x, copy)


# --------------------------------------------------------------------------- errors

X1, X2, X3 = np.zeros((1, 1, 5)), np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 2, 2, 2))

ERRORS = [
    ("unknown mode", X1, {"size": 3, "mode": "area"}, ValueError, "mode='area'"),
    ("mode not a str", X1, {"size": 3, "mode": 1}, ValueError, "mode=1"),
    ("align_corners with nearest", X1, {"size": 3, "align_corners": False}, ValueError,
     "align_corners=False"),
    ("align_corners with nearest-exact", X1,
     {"size": 3, "mode": "nearest-exact", "align_corners": True}, ValueError, "align_corners"),
    ("align_corners not a bool", X1, {"size": 3, "mode": "linear", "align_corners": 1},
     TypeError, "align_corners=1"),
    ("both size and scale_factor", X1, {"size": 3, "scale_factor": 2}, ValueError,
     "size and scale_factor.*both"),
    ("neither size nor scale_factor", X1, {}, ValueError, "size and scale_factor.*neither"),
    ("too many sizes", X1, {"size": (3, 4)}, ValueError, r"size=\(3, 4\) has 2 values"),
    ("too few sizes", X3, {"size": (3, 4)}, ValueError, r"size=\(3, 4\) has 2 values"),
    ("too many factors", X2, {"scale_factor": (2, 2, 2)}, ValueError,
     r"scale_factor=\(2, 2, 2\) has 3 values"),
    ("zero size", X1, {"size": 0}, ValueError, "size=0 must be positive"),
    ("negative size", X2, {"size": (3, -1)}, ValueError, r"size=\(3, -1\) must be positive"),
    ("float size", X1, {"size": 4.0}, TypeError, "size=4.0"),
    ("bool size", X1, {"size": True}, TypeError, "size=True"),
    ("zero factor", X1, {"scale_factor": 0}, ValueError, "scale_factor=0 must be finite"),
    ("negative factor", X2, {"scale_factor": (2, -1.5)}, ValueError, "scale_factor"),
    ("infinite factor", X1, {"scale_factor": math.inf}, ValueError, "scale_factor=inf"),
    ("nan factor", X1, {"scale_factor": math.nan}, ValueError, "scale_factor=nan"),
    ("string factor", X1, {"scale_factor": "2"}, TypeError, "scale_factor='2'"),
    ("bool factor", X1, {"scale_factor": True}, TypeError, "scale_factor=True"),
    ("empty output", X1, {"scale_factor": 0.1}, ValueError,
     r"scale_factor=0.1 gives an empty output.*floor\(5 \* 0.1\) = 0.*>= 1/5"),
    ("empty output on one axis", X2, {"scale_factor": (1, 0.19)}, ValueError,
     "scale_factor.*axis 1"),
    ("bilinear on 3-D", X1, {"size": 3, "mode": "bilinear"}, ValueError,
     "mode='bilinear' needs a 4-D input"),
    ("linear on 4-D", X2, {"size": 3, "mode": "linear"}, ValueError,
     "mode='linear' needs a 3-D input"),
    ("trilinear on 4-D", X2, {"size": 3, "mode": "trilinear"}, ValueError,
     "mode='trilinear' needs a 5-D"),
    ("bicubic on 5-D", X3, {"size": 3, "mode": "bicubic"}, ValueError, "mode='bicubic'"),
    ("unbatched", np.zeros((5,)), {"size": 3}, ValueError, r"x has shape \(5,\).*batched"),
    ("unbatched 2-D", np.zeros((1, 5)), {"size": 3}, ValueError, r"x has shape \(1, 5\)"),
    ("too many dims", np.zeros((1,) * 6), {"size": 3}, ValueError, "x has shape"),
    ("empty batch", np.zeros((0, 1, 5)), {"size": 3}, ValueError, "x has shape.*empty"),
    ("empty spatial axis", np.zeros((1, 1, 0)), {"size": 3}, ValueError, "x.*empty"),
    ("strings", [[["a"]]], {"size": 3}, TypeError, "x"),
]


@pytest.mark.parametrize("name, x, kwargs, error, match", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_input(name, x, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        tconv.interpolate(x, **kwargs)
    assert str(info.value).startswith("interpolate: "), str(info.value)


def test_torch_rejects_what_we_reject():
    """The same inputs are errors in PyTorch (its types differ for some)."""
    x = torch.zeros(1, 1, 5)
    for kwargs in ({"size": 3, "scale_factor": 2}, {}, {"size": (3, 4)},
                   {"scale_factor": 0.1}, {"size": 0}, {"size": 3, "align_corners": False}):
        with pytest.raises((ValueError, RuntimeError, TypeError)):
            F.interpolate(x, **kwargs)
    with pytest.raises(NotImplementedError):
        F.interpolate(x, size=3, mode="bilinear")
