"""``tconv.explain``: every number of the structure against the op and PyTorch.

The references are ``torch.nn.functional`` (through ``_torch_ref``, which
extends it to asymmetric pads and output_padding by the rules of docs/rules/pytorch.md
1.1/1.2, never by calling tconv), ``tconv.conv_matrix`` for the matrix, and
numbers worked by hand. Inputs hold small integers, so every sum is exact.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import _torch_ref as ref
import tconv
from tconv._explain import explain_text

# --------------------------------------------------------------------------
# Configurations drawn valid by construction

@st.composite
def _axes(draw, rank):
    """Per axis (n, k, s, d)."""
    return [(draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(1, 3)),
             draw(st.integers(1, 3))) for _ in range(rank)]


def _values(draw, shape):
    size = math.prod(shape)
    values = draw(st.lists(st.integers(-9, 9), min_size=size, max_size=size))
    return np.array(values, dtype=np.float64).reshape(shape)


@st.composite
def transposed_calls(draw):
    """``(x, weight, kwargs)`` of a valid single-channel conv_transpose."""
    rank = draw(st.integers(1, 2))
    axes = draw(_axes(rank))
    form = draw(st.sampled_from(["int", "axis", "pairs", "same", "valid"]))
    ops = [0 if form == "same" else draw(st.integers(0, max(s, d) - 1)) for _, _, s, d in axes]
    fulls = [(n - 1) * s + d * (k - 1) + 1 for n, k, s, d in axes]
    if form == "pairs":
        padding = []
        for full, op in zip(fulls, ops):
            lo = draw(st.integers(0, full - 1))
            padding.append((lo, draw(st.integers(0, full - 1 - lo + op))))
        padding = tuple(padding)
    elif form == "axis":
        padding = tuple(draw(st.integers(0, (f - 1 + op) // 2)) for f, op in zip(fulls, ops))
    elif form == "int":
        padding = draw(st.integers(0, min((f - 1 + op) // 2 for f, op in zip(fulls, ops))))
    else:
        padding = form
    x = _values(draw, tuple(n for n, _, _, _ in axes))
    weight = _values(draw, tuple(k for _, k, _, _ in axes))
    kwargs = {"stride": tuple(s for _, _, s, _ in axes), "padding": padding,
              "dilation": tuple(d for _, _, _, d in axes)}
    if form != "same":
        kwargs["output_padding"] = tuple(ops)
    return x, weight, kwargs


@st.composite
def conv_calls(draw):
    """``(x, weight, kwargs)`` of a valid single-channel conv."""
    rank = draw(st.integers(1, 2))
    axes = draw(_axes(rank))
    form = draw(st.sampled_from(["pairs", "axis", "same", "valid"]))
    if form in ("pairs", "valid"):
        # The padded input must hold the kernel span: draw the pads to make it.
        padding = []
        for n, k, _, d in axes:
            short = max(d * (k - 1) + 1 - n, 0)
            lo = 0 if form == "valid" else draw(st.integers(0, short + 2))
            hi = short if form == "valid" else draw(st.integers(max(short - lo, 0), short + 2))
            padding.append((lo, hi))
        padding = tuple(padding)
        if form == "valid" and not any(lo or hi for lo, hi in padding):
            padding = "valid"
    elif form == "axis":
        lowest = [(max(d * (k - 1) + 1 - n, 0) + 1) // 2 for n, k, _, d in axes]
        padding = tuple(draw(st.integers(low, low + 2)) for low in lowest)
    else:
        padding = "same"
    x = _values(draw, tuple(n for n, _, _, _ in axes))
    weight = _values(draw, tuple(k for _, k, _, _ in axes))
    return x, weight, {"stride": tuple(s for _, _, s, _ in axes), "padding": padding,
                       "dilation": tuple(d for _, _, _, d in axes)}


def _torch_transposed(x, weight, plan):
    """(full, output) of torch's transposed convolution, cropped by docs/rules/pytorch.md."""
    xt, wt = ref.tensor(x[None, None]), ref.tensor(weight[None, None])
    full = ref.conv_transpose_full(xt, wt, stride=plan.stride, dilation=plan.dilation,
                                   groups=1)
    out = ref.conv_transpose(xt, wt, stride=plan.stride, pads=plan.pads,
                             output_padding=plan.output_padding, dilation=plan.dilation,
                             groups=1)
    return ref.numpy(full)[0, 0], ref.numpy(out)[0, 0]


def _adjoint_matrix(plan, weight):
    """``C^T`` from ``tconv.conv_matrix`` of the convolution reading the output back.

    That convolution has the plan's stride, dilation and pads; where the output
    reaches past the full output its end pad would be negative: pad 0 and keep
    the first ``n`` windows (the rest are extra rows of ``C``).
    """
    pads = tuple((lo, max(f - lo - m, 0)) for (lo, _), f, m in
                 zip(plan.pads, plan.full_size, plan.out_size))
    c = tconv.conv_matrix((1, *plan.out_size), weight[None, None], stride=plan.stride,
                          padding=pads, dilation=plan.dilation).toarray()
    windows = [(m + lo + hi - (k - 1) * d - 1) // s + 1 for m, (lo, hi), k, s, d in
               zip(plan.out_size, pads, plan.kernel_size, plan.stride, plan.dilation)]
    c = c.reshape(*windows, -1)[tuple(slice(0, n) for n in plan.in_size)]
    return c.reshape(math.prod(plan.in_size), -1).T


# --------------------------------------------------------------------------
# Transposed convolution

@settings(max_examples=300)  # the CI profile's 2000 take minutes; 300 cover the forms
@given(transposed_calls())
@example((np.array([1.0, 2, 3]), np.array([1.0, 10, 100]),
          {"stride": 3, "padding": ((2, 0),), "dilation": 1, "output_padding": 2}))
@example((np.array([[1.0, 2], [3, 4]]), np.array([[1.0, 2], [3, 4]]),
          {"stride": (1, 3), "padding": "same", "dilation": (2, 1)}))
@example((np.array([[1.0, -2, 3]]), np.array([[2.0], [-1]]),  # stride > kernel, size-1 axis
          {"stride": (3, 2), "padding": ((0, 1), (1, 0)), "dilation": (1, 3),
           "output_padding": (2, 1)}))
def test_transposed_structure_equals_the_op_and_torch(call):
    x, weight, kwargs = call
    e = tconv.explain(x, weight, **kwargs)
    plan = e.plan
    full, expected = _torch_transposed(x, weight, plan)
    # The op itself, and torch.
    op_output = tconv.conv_transpose(x[None], weight[None, None], **kwargs)[0]
    np.testing.assert_array_equal(e.output, op_output)
    np.testing.assert_array_equal(e.output, expected)
    # One scatter step per input position; each lands at i*stride + t*dilation.
    assert len(e.steps) == x.size
    running = np.zeros_like(full)
    for step, position in zip(e.steps, np.ndindex(*x.shape)):
        assert step.index == position and step.value == x[position]
        np.testing.assert_array_equal(step.contribution, x[position] * weight)
        assert len(step.positions) == weight.size
        for cell, tap, value in zip(step.positions, np.ndindex(*weight.shape),
                                    step.contribution.ravel()):
            assert cell == tuple(i * s + t * d for i, t, s, d in
                                 zip(position, tap, plan.stride, plan.dilation))
            running[cell] += value
        np.testing.assert_array_equal(step.running, running)
    np.testing.assert_array_equal(e.full, full)
    # The crop: kept full cells, then zeros past the full output.
    kept = tuple(slice(*c.kept) for c in e.crop)
    window = full[kept]
    padded = np.zeros(plan.out_size)
    padded[tuple(slice(0, m) for m in window.shape)] = window
    np.testing.assert_array_equal(padded, expected)
    for c, m, f, op in zip(e.crop, plan.out_size, plan.full_size, plan.output_padding):
        assert c.out == m and c.full == f and len(c.added) == min(op, m)
        assert sorted(c.cut + tuple(range(*c.kept))) == list(range(f))
        assert c.kept[1] - c.kept[0] + len(c.appended) == m
    assert e.is_padding.sum() == full.size - window.size
    # The matrix.
    np.testing.assert_array_equal(e.matrix, _adjoint_matrix(plan, weight))
    np.testing.assert_array_equal(e.matrix @ x.ravel(), expected.ravel())
    # Zero insertion: the stride-1 windows of the flipped kernel give the output.
    z = e.zero_insertion
    np.testing.assert_array_equal(z.kernel, np.flip(weight))
    assert z.input.shape == tuple(m + (k - 1) * d for m, k, d in
                                  zip(plan.out_size, plan.kernel_size, plan.dilation))
    assert len(z.windows) == expected.size
    values = np.array([w.value for w in z.windows]).reshape(plan.out_size)
    np.testing.assert_array_equal(values, expected)
    for w in z.windows:
        np.testing.assert_array_equal(
            w.window, np.reshape([z.input[c] for c in w.positions], weight.shape))
        np.testing.assert_array_equal(w.contribution, w.window * z.kernel)
    # Inserted zeros and padding are zeros; the other cells are the input values.
    assert not np.any(z.is_inserted & z.is_padding)
    assert np.all(z.input[z.is_inserted | z.is_padding] == 0)
    data = ~(z.is_inserted | z.is_padding)
    assert data.sum() == len(z.sources)
    for position, cell in z.sources.items():
        assert z.input[cell] == x[position]
    # Cell c is dilated-input cell p = c - before: padding outside 0..(n-1)*s,
    # an inserted zero unless every p is a multiple of the stride.
    for cell in np.ndindex(*z.input.shape):
        p = [c - b for c, (b, _) in zip(cell, z.pads)]
        outside = any(not 0 <= v <= (n - 1) * s for v, n, s in
                      zip(p, plan.in_size, plan.stride))
        assert z.is_padding[cell] == outside
        assert z.is_inserted[cell] == (not outside and any(v % s for v, s in
                                                            zip(p, plan.stride)))


# --------------------------------------------------------------------------
# Convolution

@settings(max_examples=300)
@given(conv_calls())
@example((np.array([1.0, 2, 3, 4]), np.array([1.0, -1]), {"stride": 1, "padding": ((0, 1),),
                                                           "dilation": 1}))
def test_conv_structure_equals_the_op_and_torch(call):
    x, weight, kwargs = call
    e = tconv.explain(x, weight, op="conv", **kwargs)
    plan = e.plan
    expected = ref.numpy(ref.conv(ref.tensor(x[None, None]), ref.tensor(weight[None, None]),
                                  stride=plan.stride, pads=plan.pads,
                                  dilation=plan.dilation, groups=1))[0, 0]
    np.testing.assert_array_equal(e.output, expected)
    np.testing.assert_array_equal(e.output, tconv.conv(x[None], weight[None, None],
                                                       **kwargs)[0])
    # The padded input, padding marked.
    inside = tuple(slice(lo, lo + n) for (lo, _), n in zip(plan.pads, x.shape))
    np.testing.assert_array_equal(e.full[inside], x)
    assert e.is_padding.sum() == e.full.size - x.size and not e.is_padding[inside].any()
    assert np.all(e.full[e.is_padding] == 0)
    # One window per output; it reads j*stride + t*dilation of the padded input.
    assert len(e.steps) == expected.size
    for step, position in zip(e.steps, np.ndindex(*expected.shape)):
        assert step.index == position and step.value == expected[position]
        for cell, tap in zip(step.positions, np.ndindex(*weight.shape)):
            assert cell == tuple(j * s + t * d for j, t, s, d in
                                 zip(position, tap, plan.stride, plan.dilation))
        np.testing.assert_array_equal(
            step.window, np.reshape([e.full[c] for c in step.positions], weight.shape))
        np.testing.assert_array_equal(step.contribution, step.window * weight)
        assert step.running is None
    assert e.crop is None and e.zero_insertion is None
    c = tconv.conv_matrix((1, *x.shape), weight[None, None], stride=plan.stride,
                          padding=plan.pads, dilation=plan.dilation).toarray()
    np.testing.assert_array_equal(e.matrix, c)
    np.testing.assert_array_equal(e.matrix @ x.ravel(), expected.ravel())


# --------------------------------------------------------------------------
# Worked by hand

def test_crop_worked_by_hand():
    # x = [1, 2, 3], w = [1, 10, 100], stride 2: full = [1, 10, 102, 20, 203, 30, 300]
    # (docs/rules/pytorch.md). padding (1, 2), output_padding 1: output j = full[j + 1]
    # for j = 0..4; full 0 is cut, full 5 is cut by the end padding but given back by
    # output_padding, full 6 is cut.
    e = tconv.explain([1, 2, 3], [1, 10, 100], stride=2, padding=((1, 2),), output_padding=1)
    np.testing.assert_array_equal(e.full, [1, 10, 102, 20, 203, 30, 300])
    np.testing.assert_array_equal(e.output, [10, 102, 20, 203, 30])
    (c,) = e.crop
    assert (c.full, c.out, c.before, c.after, c.output_padding) == (7, 5, 1, 2, 1)
    assert c.kept == (1, 6) and c.cut == (0, 6) and c.restored == (5,)
    assert c.appended == () and c.added == (4,)
    np.testing.assert_array_equal(e.is_padding, [1, 0, 0, 0, 0, 0, 1])


def test_output_padding_past_the_full_output_appends_zeros():
    # stride 3, no padding, output_padding 2: full has 7 cells, the output 9, the
    # last two zeros.
    e = tconv.explain([1, 2, 3], [1, 10, 100], stride=3, output_padding=2)
    np.testing.assert_array_equal(e.output, [1, 10, 100, 2, 20, 200, 3, 30, 300, 0, 0])
    (c,) = e.crop
    assert c.kept == (0, 9) and c.cut == () and c.appended == (9, 10) and c.added == (9, 10)


def test_zero_insertion_worked_by_hand():
    # x = [1, 2], w = [1, 2, 3], stride 2, padding 1. Scatter: full = [1, 2, 3+2, 4, 6],
    # cropped by 1 on each side: [2, 5, 4]. Zero insertion: one zero between the
    # values, pads ke-1-lo = 1 on both sides, [0, 1, 0, 2, 0]; the flipped kernel
    # [3, 2, 1] slides with stride 1: 0*3+1*2+0*1 = 2, 1*3+0*2+2*1 = 5, 0*3+2*2+0*1 = 4.
    e = tconv.explain([1, 2], [1, 2, 3], stride=2, padding=1)
    z = e.zero_insertion
    np.testing.assert_array_equal(z.input, [0, 1, 0, 2, 0])
    np.testing.assert_array_equal(z.is_padding, [1, 0, 0, 0, 1])
    np.testing.assert_array_equal(z.is_inserted, [0, 0, 1, 0, 0])
    assert z.pads == ((1, 1),) and z.sources == {(0,): (1,), (1,): (3,)}
    np.testing.assert_array_equal(z.kernel, [3, 2, 1])
    assert [w.value for w in z.windows] == [2, 5, 4]
    np.testing.assert_array_equal(e.output, [2, 5, 4])


def test_negative_zero_insertion_pad_removes_cells():
    # k=1: ke-1 = 0, padding 1 cuts one input value on each side.
    e = tconv.explain([1, 2, 3, 4], [5], padding=1)
    z = e.zero_insertion
    assert z.pads == ((-1, -1),)
    np.testing.assert_array_equal(z.input, [2, 3])
    assert z.sources == {(1,): (0,), (2,): (1,)}
    np.testing.assert_array_equal(e.output, [10, 15])


def test_two_d_steps_by_hand():
    # The classic example: 55, 52, 57, 50 times [[1, 2], [2, 1]], each at its own cell.
    e = tconv.explain([[55, 52], [57, 50]], [[1, 2], [2, 1]])
    assert [s.index for s in e.steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert e.steps[1].positions == ((0, 1), (0, 2), (1, 1), (1, 2))
    np.testing.assert_array_equal(e.steps[1].running, [[55, 162, 104], [110, 159, 52],
                                                       [0, 0, 0]])
    np.testing.assert_array_equal(e.output, [[55, 162, 104], [167, 323, 152],
                                             [114, 157, 50]])


def test_text_is_what_explain_text_prints():
    kwargs = {"stride": 2, "padding": "same"}
    e = tconv.explain([[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]], **kwargs)
    expected = explain_text([[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]], width=60,
                            **kwargs)
    assert e.text(width=60) == expected
    assert "padding 'same' resolved" in e.text()
    with pytest.raises(ValueError, match="width=30"):
        e.text(width=30)


def test_arrays_are_read_only_and_repr_is_short():
    e = tconv.explain([1, 2, 3], [1, 1], stride=2)
    with pytest.raises(ValueError, match="read-only"):
        e.output[0] = 5
    with pytest.raises(ValueError, match="read-only"):
        e.steps[0].running[0] = 5
    assert repr(e).startswith("Explanation(op='conv_transpose', x length 3, kernel length 2")


def test_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    e = tconv.explain(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 3.0]), stride=2)
    np.testing.assert_array_equal(e.output, [1, 3, 2, 6])


# --------------------------------------------------------------------------
# Errors

@pytest.mark.parametrize(("x", "weight", "kwargs", "error", "match"), [
    (np.ones((2, 2, 2)), np.ones((2, 2, 2)), {}, ValueError, r"x has shape \(2, 2, 2\)"),
    (np.ones(3), np.ones((2, 2)), {}, ValueError, "both 1-D or both 2-D"),
    (np.ones(33), np.ones(3), {}, ValueError, r"x has shape \(33,\).*at most 32 per axis"),
    (np.ones((2, 2)), np.ones((2, 40)), {}, ValueError,
     r"weight has shape \(2, 40\).*at most 32"),
    (np.ones(32), np.ones(3), {"stride": 3}, ValueError,
     "full output would be length 96.*at most 64"),
    (np.ones(4), np.ones(3), {"op": "conv", "padding": 40}, ValueError,
     "padded input would be length 84.*at most 64"),
    (np.ones(4), np.ones(3), {"op": "conv", "output_padding": 1}, ValueError,
     "output_padding=1 applies only to op='conv_transpose'"),
    (np.ones(4), np.ones(3), {"op": "deconv"}, ValueError, "op='deconv'"),
    (np.ones(4), np.ones(3), {"stride": 0}, ValueError, "stride=0"),
    (np.ones(4), np.ones(3), {"stride": 1.5}, TypeError, "stride=1.5"),
    (np.ones(4), np.ones(3), {"output_padding": 1}, ValueError, "output_padding"),
    ([np.nan, 1], np.ones(2), {}, ValueError, "x holds NaN"),
    (["a", "b"], np.ones(2), {}, TypeError, "x must be a numeric array"),
])
def test_bad_input_is_refused_clearly(x, weight, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        tconv.explain(x, weight, **kwargs)
    # explain's own checks name it; the op's checks name the op (same messages).
    assert str(info.value).split(":")[0] in ("explain", "conv_transpose")


# --------------------------------------------------------------------------
# One model: the text only renders the structure


@pytest.mark.parametrize(("x", "weight", "kwargs"), [
    ([[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
     {"stride": 2, "padding": 1, "output_padding": 1}),
    ([1, 2, 3, 4], [1, -1], {"op": "conv", "padding": ((0, 1),), "stride": 2}),
])
def test_text_renders_the_explanation_without_recomputing(monkeypatch, x, weight, kwargs):
    from tconv import _explain, _geometry

    e = tconv.explain(x, weight, **kwargs)
    expected = explain_text(x, weight, **kwargs)
    assert e.algorithm_differences  # the agreement check runs once, here

    def refuse(*args, **kw):
        raise AssertionError("the text recomputed something")

    for name in ("conv", "conv_transpose", "conv_matrix", "dense_matrix", "scatter_steps",
                 "window_steps", "zero_insertion_view", "build_explanation"):
        monkeypatch.setattr(_explain, name, refuse)
    for name in ("resolve_conv", "resolve_conv_transpose", "zero_insertion_pads"):
        monkeypatch.setattr(_geometry, name, refuse)
    assert e.text() == expected


@given(transposed_calls())
@settings(max_examples=25, deadline=None)
def test_zero_insertion_pads_come_from_the_plan(call):
    from tconv._geometry import zero_insertion_pads

    x, weight, kwargs = call
    e = tconv.explain(x, weight, **kwargs)
    z, plan = e.zero_insertion, e.plan
    assert z.pads == zero_insertion_pads(plan)
    # The padded, zero-inserted length is out + dilation*(k-1) per axis, and
    # the first input value sits at the before pad (when it is not cropped).
    assert z.input.shape == tuple(m + d * (k - 1) for m, k, d in
                                  zip(plan.out_size, plan.kernel_size, plan.dilation))
    first = (0,) * plan.rank
    if first in z.sources:
        assert z.sources[first] == tuple(before for before, _ in z.pads)
    else:  # a negative before pad cropped it
        assert any(before < 0 for before, _ in z.pads)
