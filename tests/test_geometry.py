"""Pure-integer geometry: ``tconv._geometry`` and the public shape functions.

Exhaustive over small ranges (n 1..8, k 1..4, s 1..3, d 1..3, p 0..3,
0 <= op < max(s, d)) against three references: the hand formulas of
docs/rules/pytorch.md, the shape PyTorch's functional ops give on zeros
(brute force), and the worked tables of docs/rules/pytorch.md and docs/rules/keras.md
written out as literals.
"""

from __future__ import annotations

import itertools
import math
import warnings

import pytest

import tconv
from tconv import _geometry as geo

torch = pytest.importorskip("torch")
F = torch.nn.functional

SIZES = range(1, 9)
KERNELS = range(1, 5)
STRIDES = range(1, 4)
DILATIONS = range(1, 4)
PADS = range(4)


def ke_of(k, d):
    return d * (k - 1) + 1


def torch_conv_length(n, k, s, d, lo, hi):
    """Brute force: the length of torch's conv1d on zeros, or None where torch refuses."""
    x = F.pad(torch.zeros(1, 1, n, dtype=torch.float64), (lo, hi))
    w = torch.zeros(1, 1, k, dtype=torch.float64)
    try:
        return F.conv1d(x, w, stride=s, dilation=d).shape[-1]
    except RuntimeError:
        return None


def torch_conv_transpose_length(n, k, s, d, p, op):
    """Brute force: the length of torch's conv_transpose1d on zeros, or None if refused."""
    x = torch.zeros(1, 1, n, dtype=torch.float64)
    w = torch.zeros(1, 1, k, dtype=torch.float64)
    try:
        return F.conv_transpose1d(x, w, stride=s, padding=p, output_padding=op,
                                  dilation=d).shape[-1]
    except RuntimeError:
        return None


# --------------------------------------------------------------------------- small functions

@pytest.mark.parametrize("k, d, ke", [(1, 1, 1), (1, 3, 1), (3, 1, 3), (3, 2, 5), (4, 3, 10)])
def test_effective_kernel(k, d, ke):
    assert geo.effective_kernel(k, d) == ke


def test_full_transpose_length_exhaustive():
    for n, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        assert geo.full_transpose_length(n, k, s, d) == (n - 1) * s + ke_of(k, d)
        assert geo.full_transpose_length(n, k, s, d) == torch_conv_transpose_length(
            n, k, s, d, 0, 0)


# --------------------------------------------------------------------------- conv lengths

@pytest.mark.parametrize("s, d", list(itertools.product(STRIDES, DILATIONS)))
def test_conv_length_exhaustive(s, d):
    """conv_length, conv_output_shape, the hand formula and torch agree (symmetric p)."""
    wrong = []
    for n, k, p in itertools.product(SIZES, KERNELS, PADS):
        span = n + 2 * p - ke_of(k, d)
        formula = span // s + 1 if span >= 0 else None
        brute = torch_conv_length(n, k, s, d, p, p)
        if formula != brute:
            wrong.append(("formula vs torch", n, k, p, formula, brute))
        got = geo.conv_length(n, k, s, d, p, p)
        if (got if got >= 1 else None) != brute:
            wrong.append(("conv_length", n, k, p, got, brute))
        try:
            shape = tconv.conv_output_shape(n, k, stride=s, padding=p, dilation=d)
        except ValueError:
            shape = None
        if shape != (None if brute is None else (brute,)):
            wrong.append(("conv_output_shape", n, k, p, shape, brute))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("s, d", list(itertools.product(STRIDES, DILATIONS)))
def test_conv_length_asymmetric_pads(s, d):
    """Per-side pads ``((lo, hi),)``: torch on an explicitly padded input."""
    wrong = []
    for n, k, lo, hi in itertools.product(SIZES, KERNELS, PADS, PADS):
        brute = torch_conv_length(n, k, s, d, lo, hi)
        try:
            shape = tconv.conv_output_shape(n, k, stride=s, padding=((lo, hi),), dilation=d)
        except ValueError:
            shape = None
        if shape != (None if brute is None else (brute,)):
            wrong.append((n, k, lo, hi, shape, brute))
    assert not wrong, wrong[:10]


def test_conv_valid_is_zero_padding():
    for n, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        if n < ke_of(k, d):
            continue
        assert (tconv.conv_output_shape(n, k, stride=s, padding="valid", dilation=d)
                == tconv.conv_output_shape(n, k, stride=s, padding=0, dilation=d)
                == ((n - ke_of(k, d)) // s + 1,))


# --------------------------------------------------------------------------- transposed lengths

@pytest.mark.parametrize("s, d", list(itertools.product(STRIDES, DILATIONS)))
def test_conv_transpose_length_exhaustive(s, d):
    """Every op < max(s, d): formula, geometry, public shape and torch agree."""
    wrong = []
    for n, k, p in itertools.product(SIZES, KERNELS, PADS):
        for op in range(max(s, d)):
            out = (n - 1) * s - 2 * p + ke_of(k, d) + op
            brute = torch_conv_transpose_length(n, k, s, d, p, op)
            if (out if out >= 1 else None) != brute:
                wrong.append(("formula vs torch", n, k, p, op, out, brute))
            if geo.conv_transpose_length(n, k, s, d, p, p, op) != out:
                wrong.append(("conv_transpose_length", n, k, p, op))
            try:
                shape = tconv.conv_transpose_output_shape(n, k, stride=s, padding=p,
                                                          output_padding=op, dilation=d)
            except ValueError:
                shape = None
            if shape != (None if brute is None else (brute,)):
                wrong.append(("conv_transpose_output_shape", n, k, p, op, shape, brute))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("s, d", list(itertools.product(STRIDES, DILATIONS)))
def test_output_padding_limit_matches_torch(s, d):
    """op = max(s, d) is refused by both torch and tconv."""
    op = max(s, d)
    for n, k in itertools.product(SIZES, KERNELS):
        assert torch_conv_transpose_length(n, k, s, d, 0, op) is None
        with pytest.raises(ValueError, match="output_padding"):
            tconv.conv_transpose_output_shape(n, k, stride=s, output_padding=op, dilation=d)


@pytest.mark.parametrize("s, d", list(itertools.product(STRIDES, DILATIONS)))
def test_conv_transpose_asymmetric_pads(s, d):
    """Per-side pads: ``F - lo - hi + op``, an error when that is < 1."""
    for n, k, lo, hi in itertools.product(SIZES, KERNELS, PADS, PADS):
        for op in range(max(s, d)):
            out = (n - 1) * s + ke_of(k, d) - lo - hi + op
            if out >= 1:
                assert tconv.conv_transpose_output_shape(
                    n, k, stride=s, padding=((lo, hi),), output_padding=op,
                    dilation=d) == (out,)
            else:
                with pytest.raises(ValueError, match="empty"):
                    tconv.conv_transpose_output_shape(n, k, stride=s, padding=((lo, hi),),
                                                      output_padding=op, dilation=d)


def test_conv_undoes_conv_transpose_size():
    """With op < s the conv of the transposed output size gives n back (adjoint sizes)."""
    for n, k, s, d, p in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS, PADS):
        for op in range(s):
            out = geo.conv_transpose_length(n, k, s, d, p, p, op)
            if out >= 1:
                assert geo.conv_length(out, k, s, d, p, p) == n


# --------------------------------------------------------------------------- "same"

def test_same_conv_exhaustive():
    """out = ceil(n/s); pads from the formula; odd unit at the END; torch agrees."""
    for n, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        lo, hi = geo.same_pads_conv(n, k, s, d)
        total = max((math.ceil(n / s) - 1) * s + ke_of(k, d) - n, 0)
        assert (lo, hi) == (total // 2, total - total // 2)
        assert hi - lo in (0, 1)
        assert geo.conv_length(n, k, s, d, lo, hi) == math.ceil(n / s)
        assert tconv.conv_output_shape(n, k, stride=s, padding="same",
                                       dilation=d) == (math.ceil(n / s),)
        assert torch_conv_length(n, k, s, d, lo, hi) == math.ceil(n / s)
        if s == 1:  # torch's own "same" (stride 1 only): total d*(k-1), odd unit at the end
            assert lo + hi == d * (k - 1)
            x = torch.zeros(1, 1, n, dtype=torch.float64)
            w = torch.zeros(1, 1, k, dtype=torch.float64)
            with warnings.catch_warnings():  # torch warns about even kernels here
                warnings.simplefilter("ignore", UserWarning)
                assert F.conv1d(x, w, padding="same", dilation=d).shape[-1] == n


def test_same_conv_transpose_exhaustive():
    """n*s; pads equal the conv "same" pads on input n*s; op = the missing zeros."""
    for n, k, s, d in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS):
        lo, hi, op = geo.same_pads_conv_transpose(n, k, s, d)
        assert (lo, hi) == geo.same_pads_conv(n * s, k, s, d)
        assert hi - lo in (0, 1)
        assert lo + hi == max(ke_of(k, d) - s, 0)
        assert op == max(s - ke_of(k, d), 0)
        assert geo.conv_transpose_length(n, k, s, d, lo, hi, op) == n * s
        assert tconv.conv_transpose_output_shape(n, k, stride=s, padding="same",
                                                 dilation=d) == (n * s,)
        plan = geo.resolve_conv_transpose((n,), (k,), stride=s, padding="same", dilation=d)
        conv_plan = geo.resolve_conv((n * s,), (k,), stride=s, padding="same", dilation=d)
        assert plan.pads == conv_plan.pads
        assert plan.out_size == conv_plan.in_size == (n * s,)
        assert conv_plan.out_size == plan.in_size == (n,)
        assert plan.output_padding == (op,)


def test_same_with_explicit_zero_output_padding():
    assert tconv.conv_transpose_output_shape(3, 2, stride=3, padding="same",
                                             output_padding=0) == (9,)
    assert tconv.conv_transpose_output_shape((3, 2), 2, stride=3, padding="same",
                                             output_padding=(0, 0)) == (9, 6)


# --------------------------------------------------------------------------- output_size

@pytest.mark.parametrize("s, d", list(itertools.product(STRIDES, DILATIONS)))
def test_output_size_range(s, d):
    """Reachable: max(base, 1) .. base + max(s, d) - 1; everything else is refused."""
    for n, k, p in itertools.product(SIZES, KERNELS, PADS):
        base = (n - 1) * s - 2 * p + ke_of(k, d)
        lowest, highest = max(base, 1), base + max(s, d) - 1
        for want in range(1, base + max(s, d) + 3):
            if lowest <= want <= highest:
                plan = geo.resolve_conv_transpose((n,), (k,), stride=s, padding=p,
                                                  dilation=d, output_size=(want,))
                assert plan.out_size == (want,)
                assert plan.output_padding == (want - base,)
            else:
                with pytest.raises(ValueError, match=rf"{lowest}\.\.{highest}"):
                    geo.resolve_conv_transpose((n,), (k,), stride=s, padding=p, dilation=d,
                                               output_size=(want,))


def test_output_size_accepts_everything_torch_module_accepts():
    """Every size nn.ConvTranspose1d.forward accepts is accepted with the same length."""
    for k, s, d, p in itertools.product(KERNELS, STRIDES, DILATIONS, PADS):
        module = torch.nn.ConvTranspose1d(1, 1, k, stride=s, padding=p, dilation=d,
                                          bias=False)
        for n in SIZES:
            x = torch.zeros(1, 1, n)
            for want in range(1, 30):
                try:
                    got = module(x, output_size=[want]).shape[-1]
                except (ValueError, RuntimeError):
                    continue
                assert got == want
                plan = geo.resolve_conv_transpose((n,), (k,), stride=s, padding=p,
                                                  dilation=d, output_size=(want,))
                assert plan.out_size == (want,)


def test_output_size_semantics_example():
    """docs/rules/pytorch.md: k=3, s=2, p=1, n=4 -> 7..8; 6 and 9 state that range."""
    for want in (7, 8):
        plan = geo.resolve_conv_transpose((4,), (3,), stride=2, padding=1,
                                          output_size=(want,))
        assert plan.out_size == (want,)
        assert plan.output_padding == (want - 7,)
    for want in (6, 9):
        with pytest.raises(ValueError, match=r"7\.\.8"):
            geo.resolve_conv_transpose((4,), (3,), stride=2, padding=1, output_size=(want,))


def test_output_size_dilation_extension():
    """s=1, d=2, n=4, k=3: torch's module accepts only 8; tconv also 9 (op 1 < d)."""
    for want in (8, 9):
        plan = geo.resolve_conv_transpose((4,), (3,), stride=1, dilation=2,
                                          output_size=(want,))
        assert plan.out_size == (want,)
        assert plan.output_padding == (want - 8,)
    with pytest.raises(ValueError, match=r"8\.\.9"):
        geo.resolve_conv_transpose((4,), (3,), stride=1, dilation=2, output_size=(10,))


@pytest.mark.parametrize("output_size", [8, (8,), [99, 8], (99, 99, 8)])
def test_output_size_forms(output_size):
    """An int, d ints, or the full shape (leading values ignored, as torch)."""
    plan = geo.resolve_conv_transpose((4,), (3,), stride=2, padding=1, output_size=output_size)
    assert plan.out_size == (8,)


# --------------------------------------------------------------------------- docs/rules tables

@pytest.mark.parametrize("n, k, s, p, d, out", [  # docs/rules/pytorch.md
    (7, 3, 2, 1, 1, 4),
    (7, 3, 2, 0, 2, 2),
    (7, 4, 3, 1, 1, 2),
    (7, 2, 2, 0, 1, 3),
])
def test_semantics_1_1(n, k, s, p, d, out):
    assert geo.conv_length(n, k, s, d, p, p) == out
    assert tconv.conv_output_shape(n, k, stride=s, padding=p, dilation=d) == (out,)
    assert torch_conv_length(n, k, s, d, p, p) == out


def test_semantics_1_1_torch_same():
    """x=[1,2,3,4], w=[1,10], "same": no left pad, one zero on the right."""
    assert geo.same_pads_conv(4, 2, 1, 1) == (0, 1)
    assert tconv.conv_output_shape(4, 2, padding="same") == (4,)


@pytest.mark.parametrize("p, op, out", [(0, 0, 7), (0, 1, 8), (1, 0, 5), (1, 1, 6)])
def test_semantics_1_2_table(p, op, out):
    """x=[1,2,3], w=[1,10,100], s=2."""
    assert geo.conv_transpose_length(3, 3, 2, 1, p, p, op) == out
    assert tconv.conv_transpose_output_shape(3, 3, stride=2, padding=p,
                                             output_padding=op) == (out,)


def test_semantics_1_2_notes():
    assert geo.full_transpose_length(5, 3, 1, 1) == 7          # [1,12,123,234,345,450,500]
    assert tconv.conv_transpose_output_shape(5, 3, padding=3) == (1,)  # p > d*(k-1): [234]
    # legal output_padding: op < max(s, d)
    assert tconv.conv_transpose_output_shape(4, 3, stride=1, dilation=2,
                                             output_padding=1) == (9,)
    with pytest.raises(ValueError, match="output_padding"):
        tconv.conv_transpose_output_shape(4, 3, stride=2, dilation=1, output_padding=2)
    assert tconv.conv_transpose_output_shape(4, 3, stride=2, dilation=3,
                                             output_padding=2) == ((4 - 1) * 2 + 7 + 2,)
    # "dilate" pads: d*(k-1) - p at the start, d*(k-1) - p + op at the end; for
    # the table of 1.2 (s=2, k=3, p=0): 2/2 around [1,0,2,0,3] -> 5 + 4 - 3 + 1 = 7
    assert (2 * (3 - 1) + 1) + 2 + 2 - 3 + 1 == geo.full_transpose_length(3, 3, 2, 1)


@pytest.mark.parametrize("n, k, s, d, total, pads", [  # docs/rules/keras.md "same"
    (7, 3, 2, 1, 2, (1, 1)),
    (6, 3, 2, 1, 1, (0, 1)),
    (6, 4, 2, 1, 2, (1, 1)),
    (5, 2, 2, 1, 1, (0, 1)),
    (5, 3, 1, 2, 4, (2, 2)),
])
def test_semantics_2_1_same(n, k, s, d, total, pads):
    assert geo.same_pads_conv(n, k, s, d) == pads
    assert sum(pads) == total
    assert tconv.conv_output_shape(n, k, stride=s, dilation=d,
                                   padding="same") == (math.ceil(n / s),)
    plan = geo.resolve_conv((n,), (k,), stride=s, dilation=d, padding="same")
    assert plan.pads == (pads,)


@pytest.mark.parametrize("n, k, s, d, out", [(7, 3, 2, 1, 3), (7, 3, 1, 3, 1), (4, 4, 3, 1, 1)])
def test_semantics_2_1_valid(n, k, s, d, out):
    assert tconv.conv_output_shape(n, k, stride=s, dilation=d, padding="valid") == (out,)


@pytest.mark.parametrize("k, s, d, length, start_crop, op", [  # docs/rules/keras.md, op None rows
    (3, 2, 1, 6, 0, 0),   # [1,10,102,20,203,30]          c=0
    (4, 2, 1, 6, 1, 0),   # [10,102,1020,203,2030,300]     c=1
    (5, 2, 1, 6, 1, 0),   # [10,102,1020,10203,2030,20300] c=1
    (2, 3, 1, 9, 0, 1),   # [1,10,0,2,20,0,3,30,0]         one zero appended
    (1, 3, 1, 9, 0, 2),   # bed of nails: two zeros appended
    (3, 1, 2, 3, 2, 0),   # equals PyTorch crop 2/2 of the full output
])
def test_semantics_2_2_same(k, s, d, length, start_crop, op):
    """x=[1,2,3]: Keras "same" transposed length n*s and start offset c."""
    n = 3
    lo, hi, got_op = geo.same_pads_conv_transpose(n, k, s, d)
    assert lo == start_crop == max((ke_of(k, d) - s) // 2, 0)
    assert got_op == op
    assert tconv.conv_transpose_output_shape(n, k, stride=s, dilation=d,
                                             padding="same") == (length,)
    plan = geo.resolve_conv_transpose((n,), (k,), stride=s, dilation=d, padding="same")
    assert plan.out_size == (length,)
    assert plan.pads == ((lo, hi),)


@pytest.mark.parametrize("k, s, torch_len, keras_len", [  # docs/rules/keras.md, "valid" op None
    (3, 2, 7, 7),
    (2, 3, 8, 9),   # Keras appends s - ke = 1 zero
    (1, 3, 7, 9),   # Keras appends 2
])
def test_semantics_2_2_valid(k, s, torch_len, keras_len):
    n = 3
    assert tconv.conv_transpose_output_shape(n, k, stride=s, padding="valid") == (torch_len,)
    assert torch_conv_transpose_length(n, k, s, 1, 0, 0) == torch_len
    assert (n - 1) * s + max(ke_of(k, 1), s) == keras_len


# --------------------------------------------------------------------------- multi-axis

@pytest.mark.parametrize("size, k, s, p, d", [
    ((5, 7), (3, 2), (2, 1), (1, 0), (1, 2)),
    ((4, 4, 6), 3, (1, 2, 3), 1, 1),
    ((8, 3), (1, 3), 3, ((2, 1), (0, 1)), (2, 1)),
    ((6, 5, 4), (2, 3, 3), (2, 2, 1), ((0, 1), (1, 1), (2, 0)), (1, 1, 2)),
])
def test_multi_axis_conv_matches_torch(size, k, s, p, d):
    rank = len(size)
    k_t = (k,) * rank if isinstance(k, int) else k
    pairs = [((v, v) if isinstance(v, int) else v) for v in
             ((p,) * rank if isinstance(p, int) else p)]
    x = torch.zeros(1, 1, *size)
    x = F.pad(x, [e for pair in reversed(pairs) for e in pair])
    conv = (F.conv1d, F.conv2d, F.conv3d)[rank - 1]
    want = tuple(conv(x, torch.zeros(1, 1, *k_t), stride=s, dilation=d).shape[2:])
    assert tconv.conv_output_shape(size, k, stride=s, padding=p, dilation=d) == want


@pytest.mark.parametrize("size, k, s, p, op, d", [
    ((3, 4), (3, 2), (2, 3), (1, 0), (1, 2), 1),
    ((2, 3, 2), 3, (1, 2, 3), 1, (0, 1, 2), 1),
    ((4, 2), (2, 3), 1, (0, 2), (1, 1), (2, 3)),
])
def test_multi_axis_conv_transpose_matches_torch(size, k, s, p, op, d):
    rank = len(size)
    k_t = (k,) * rank if isinstance(k, int) else k
    conv_t = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[rank - 1]
    want = tuple(conv_t(torch.zeros(1, 1, *size), torch.zeros(1, 1, *k_t), stride=s, padding=p,
                        output_padding=op, dilation=d).shape[2:])
    assert tconv.conv_transpose_output_shape(size, k, stride=s, padding=p, output_padding=op,
                                             dilation=d) == want


def test_shape_functions_return_plain_int_tuples():
    for shape in (tconv.conv_output_shape((5, 6), 3, padding="same", stride=2),
                  tconv.conv_transpose_output_shape((5, 6), 3, stride=2, padding=1,
                                                    output_padding=1)):
        assert isinstance(shape, tuple)
        assert all(type(v) is int for v in shape)


def test_resolve_plans_are_consistent():
    """Plans carry the sizes, pads and output_padding the shape functions report."""
    for n, k, s, d, p in itertools.product(SIZES, KERNELS, STRIDES, DILATIONS, PADS):
        for op in range(max(s, d)):
            out = geo.conv_transpose_length(n, k, s, d, p, p, op)
            if out < 1:
                continue
            plan = geo.resolve_conv_transpose((n,), (k,), stride=s, padding=p,
                                              output_padding=op, dilation=d)
            assert plan.in_size == (n,) and plan.out_size == (out,)
            assert plan.pads == ((p, p),) and plan.output_padding == (op,)
            assert plan.full_size == (geo.full_transpose_length(n, k, s, d),)
            assert plan.effective_kernel == (ke_of(k, d),)
            assert plan.is_transposed and plan.rank == 1
