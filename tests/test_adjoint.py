"""``conv_transpose`` is the adjoint of ``conv``; ``conv_matrix`` is the matrix of both.

For the same weight, stride, padding (any form), dilation and groups, and a
convolution input of spatial size ``m``::

    <conv(x), y> == <x, conv_transpose(y, output_size=m)>
    conv(x)            == C   @ x.ravel()
    conv_transpose(y)  == C.T @ y.ravel()        with C = conv_matrix((C_in, *m), w)

and ``C`` itself equals the matrix PyTorch's convolution applies (built column
by column from unit vectors).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from hypothesis import example, given
from hypothesis import strategies as st

import tconv
from _cases import case, cases, compact, scaled
from _tol import assert_close

pytestmark = pytest.mark.usefixtures("torch_one_thread")

MODES = st.sampled_from(["explicit", "same"])


def _conv_setup(c, mode):
    """``(case, padding argument)``; "same" makes ``m`` a multiple of the stride,
    the sizes for which transposed "same" is the adjoint (docs/rules/keras.md)."""
    if mode == "same":
        m = tuple(-(-n // s) * s for n, s in zip(c.in_size, c.stride))
        return c.replace(in_size=m), "same"
    return c, c.padding


def _options(c, padding):
    return {"stride": compact(c.stride), "padding": padding, "dilation": compact(c.dilation),
                "groups": c.groups}


@scaled(0.25)
@given(cases(transposed=False, symmetric=False, bias=False), MODES)
@example(case(False, 7, 3, stride=2, padding=((0, 2),)), "explicit")
@example(case(False, (6, 5), (4, 2), stride=(2, 3), dilation=(1, 2)), "same")
@example(case(False, (5, 4, 3), 2, stride=(3, 1, 2), padding=((1, 0), (0, 0), (2, 1)),
              groups=2, in_channels=2, out_channels=4, batch=2), "explicit")
@example(case(False, 2, 1, stride=3, padding=((0, 1),)), "explicit")  # k=1 < stride
def test_conv_transpose_is_adjoint_of_conv(c, mode):
    c, padding = _conv_setup(c, mode)
    x, weight, _ = c.arrays()
    options = _options(c, padding)
    ys = {name: tconv.conv(x, weight, algorithm=name, **options)
          for name in tconv.CONV_ALGORITHMS}
    y = np.random.default_rng(c.seed + 1).standard_normal(ys["direct"].shape)
    # sum |x| |w| |y| over every product: bounds the rounding error of both sides.
    bound = np.sum(tconv.conv(np.abs(x), np.abs(weight), **options) * np.abs(y))
    extra = {} if mode == "same" else {"output_size": c.in_size}
    backs = {name: tconv.conv_transpose(y, weight, algorithm=name, **options, **extra)
             for name in tconv.CONV_TRANSPOSE_ALGORITHMS}
    for conv_name, forward in ys.items():
        left = np.sum(forward * y)
        for name, back in backs.items():
            assert back.shape == x.shape, f"{name}: {back.shape} != {x.shape}"
            assert_close(np.sum(x * back), left, scale=bound,
                         what=f"<conv[{conv_name}](x), y> vs <x, conv_transpose[{name}](y)>"
                              f" {c!r} padding={padding!r}")


@scaled(0.1)
@given(cases(transposed=False, symmetric=False, batched=False, bias=False), MODES)
@example(case(False, (4, 4), 3, stride=2, padding=((1, 0), (0, 2)), groups=2,
              in_channels=2, out_channels=4, batch=None), "explicit")
@example(case(False, 5, 2, stride=2, batch=None), "same")
def test_conv_matrix_is_the_matrix_of_both_ops(c, mode):
    c, padding = _conv_setup(c, mode)
    x, weight, _ = c.arrays()
    options = _options(c, padding)
    matrix = tconv.conv_matrix((c.in_channels, *c.in_size), weight, **options)
    assert scipy.sparse.issparse(matrix)
    y = tconv.conv(x, weight, **options)
    assert matrix.shape == (y.size, x.size)
    assert_close(matrix @ x.ravel(), y.ravel(), what="C @ x vs conv")
    g = np.random.default_rng(c.seed + 1).standard_normal(y.shape)
    extra = {} if mode == "same" else {"output_size": c.in_size}
    back = tconv.conv_transpose(g, weight, **options, **extra)
    assert_close(matrix.T @ g.ravel(), back.ravel(), what="C.T @ y vs conv_transpose")



def _torch_matrix(c, weight):
    """Dense matrix of torch's convolution: column j is conv(e_j)."""
    import _torch_ref as ref

    n_in = c.in_channels * int(np.prod(c.in_size))
    columns = []
    with ref.torch.no_grad():
        w = ref.tensor(weight)
        for j in range(n_in):
            unit = np.zeros(n_in)
            unit[j] = 1.0
            e = ref.tensor(unit.reshape(1, c.in_channels, *c.in_size))
            out = ref.conv(e, w, stride=c.stride, pads=c.pads, dilation=c.dilation,
                           groups=c.groups)
            columns.append(ref.numpy(out).ravel())
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("c", [
    case(False, 5, 3, stride=2, padding=1),
    case(False, 6, 2, stride=3, dilation=2, padding=((2, 0),), in_channels=2, out_channels=3),
    case(False, (4, 3), (3, 2), stride=(2, 1), dilation=(1, 2), padding=(1, 0), groups=2,
         in_channels=2, out_channels=4),
    case(False, (3, 4), 2, padding=((0, 1), (2, 1)), groups=3, in_channels=3, out_channels=3),
    case(False, (3, 2, 3), (2, 1, 2), stride=(1, 2, 2), padding=(0, 1, 1), in_channels=2,
         out_channels=2),
], ids=repr)
def test_conv_matrix_equals_torch_unit_responses(c):
    pytest.importorskip("torch")
    _, weight, _ = c.arrays()
    matrix = tconv.conv_matrix((c.in_channels, *c.in_size), weight, **_options(c, c.padding))
    expected = _torch_matrix(c, weight)
    assert_close(matrix.toarray(), expected, what="conv_matrix vs torch columns")


def test_conv_matrix_accepts_torch_weight():
    torch = pytest.importorskip("torch")
    weight = np.arange(12.0).reshape(2, 3, 2) - 5
    from_numpy = tconv.conv_matrix((3, 4), weight, stride=2, padding=1)
    from_torch = tconv.conv_matrix((3, 4), torch.tensor(weight, requires_grad=True),
                                   stride=2, padding=1)
    assert_close(from_torch.toarray(), from_numpy.toarray())


def test_conv_matrix_worked_example():
    """The documented example, entry by entry."""
    matrix = tconv.conv_matrix((1, 3), [[[1, 10]]])
    assert matrix.toarray().tolist() == [[1, 10, 0], [0, 1, 10]]
    assert (matrix.T @ np.array([1.0, 2.0])).tolist() == [1, 12, 20]
    assert (matrix @ np.array([1.0, 2.0, 3.0])).tolist() == [21, 32]
