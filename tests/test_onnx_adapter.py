"""``tconv.onnx`` against onnxruntime, one-node models built here with onnx.helper.

Oracle: onnxruntime 1.31 (docs/rules/onnx.md). Kept
away from the cases where onnxruntime is documented wrong (negative total
padding with SAME_* on ConvTranspose, docs/rules/onnx.md) and from ones it
refuses (SAME_* with dilation > 1, output_padding >= stride); those are
pinned to the side tconv documents instead. SpaceToDepth with ``mode``
is opset 28, which onnxruntime cannot load: CRD is checked against
``torch.pixel_unshuffle`` and the spec formula, DCR against opset 13.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

import tconv.onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import helper

SETTINGS = settings(max_examples=40, deadline=None)


def run_ort(op_type: str, inputs: list, attrs: dict, *, outputs=(("Y", None),), opset=22):
    """Run one ``op_type`` node; ``inputs`` is a list of arrays or None (absent).

    ``outputs`` holds (name, dtype) pairs; dtype None means the first input's.
    """
    names, infos, feeds = [], [], {}
    for i, value in enumerate(inputs):
        if value is None:
            names.append("")
            continue
        name = f"in{i}"
        names.append(name)
        elem = helper.np_dtype_to_tensor_dtype(value.dtype)
        infos.append(helper.make_tensor_value_info(name, elem, value.shape))
        feeds[name] = value
    while names and not names[-1]:  # trailing absent inputs are left out
        names.pop()
    first = helper.np_dtype_to_tensor_dtype(inputs[0].dtype)
    out_infos = [helper.make_tensor_value_info(
        name, first if dtype is None else helper.np_dtype_to_tensor_dtype(np.dtype(dtype)),
        None) for name, dtype in outputs]
    node = helper.make_node(op_type, names, [name for name, _ in outputs], **attrs)
    graph = helper.make_graph([node], "g", infos, out_infos)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def _random(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def _close(actual, expected, *, atol=1e-4):
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=atol)


def test_docstring_examples_run():
    result = doctest.testmod(tconv.onnx, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_public_names():
    assert sorted(tconv.onnx.__all__) == ["conv", "conv_transpose", "depth_to_space",
                                          "max_pool", "max_unpool", "resize",
                                          "space_to_depth"]


# --------------------------------------------------------------------------- Conv


@st.composite
def conv_cases(draw):
    rank = draw(st.integers(1, 3))
    group = draw(st.integers(1, 2))
    auto_pad = draw(st.sampled_from(["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"]))
    kernel = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    stride = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    if auto_pad.startswith("SAME"):
        # total padding >= 0; below, onnxruntime's Conv is not self-consistent
        # (see test_same_with_negative_total_padding_crops_the_input)
        kernel = [max(k, s) for k, s in zip(kernel, stride)]
    # onnxruntime refuses SAME_* with dilation > 1 (docs/rules/onnx.md)
    top = 1 if auto_pad.startswith("SAME") else 2
    dilation = draw(st.lists(st.integers(1, top), min_size=rank, max_size=rank))
    pads = draw(st.lists(st.integers(0, 2), min_size=2 * rank, max_size=2 * rank))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [sp + draw(st.integers(0, 4)) for sp in spans]
    return {"rank": rank, "group": group, "auto_pad": auto_pad, "kernel": kernel,
            "stride": stride, "dilation": dilation, "pads": pads, "size": size,
            "c_in": group * draw(st.integers(1, 2)),
            "c_out": group * draw(st.integers(1, 2)), "batch": draw(st.integers(1, 2)),
            "bias": draw(st.booleans()), "seed": draw(st.integers(0, 2**16))}


@SETTINGS
@given(conv_cases())
@example({"rank": 1, "group": 1, "auto_pad": "SAME_LOWER", "kernel": [2], "stride": [1],
          "dilation": [1], "pads": [0, 0], "size": [5], "c_in": 1, "c_out": 1, "batch": 1,
          "bias": False, "seed": 0})
def test_conv_matches_onnxruntime(case):
    rng = np.random.default_rng(case["seed"])
    X = _random(rng, (case["batch"], case["c_in"], *case["size"]))
    W = _random(rng, (case["c_out"], case["c_in"] // case["group"], *case["kernel"]))
    B = _random(rng, (case["c_out"],)) if case["bias"] else None
    attrs = {"auto_pad": case["auto_pad"], "dilations": case["dilation"],
             "group": case["group"], "kernel_shape": case["kernel"],
             "strides": case["stride"]}
    if case["auto_pad"] == "NOTSET":
        attrs["pads"] = case["pads"]
    (expected,) = run_ort("Conv", [X, W, B], attrs)
    _close(tconv.onnx.conv(X, W, B, **attrs, runtime="onnxruntime"), expected)
    _close(tconv.onnx.conv(X, W, B, **attrs), expected)  # no departure here


def run_reference(op_type: str, inputs: list, attrs: dict, *, outputs=("Y",), opset=22):
    """The ONNX reference evaluator on one ``op_type`` node (None: absent input)."""
    from onnx.reference import ReferenceEvaluator
    names, infos, feeds = [], [], {}
    for i, value in enumerate(inputs):
        if value is None:
            names.append("")
            continue
        names.append(f"in{i}")
        infos.append(helper.make_tensor_value_info(
            f"in{i}", helper.np_dtype_to_tensor_dtype(value.dtype), value.shape))
        feeds[f"in{i}"] = value
    while names and not names[-1]:
        names.pop()
    node = helper.make_node(op_type, names, list(outputs), **attrs)
    out_infos = [helper.make_tensor_value_info(o, onnx.TensorProto.UNDEFINED, None)
                 for o in outputs]
    graph = helper.make_graph([node], "g", infos, out_infos)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    return ReferenceEvaluator(model).run(None, feeds)


@st.composite
def spec_conv_cases(draw):
    """Conv cases where onnxruntime departs or refuses: SAME_* with dilation, or a
    kernel shorter than the stride (negative total padding)."""
    case = draw(conv_cases())
    rank = case["rank"]
    case["auto_pad"] = draw(st.sampled_from(["SAME_UPPER", "SAME_LOWER"]))
    case["kernel"] = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    case["dilation"] = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    case["size"] = draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank))
    return case


@SETTINGS
@given(spec_conv_cases())
@example({"rank": 1, "group": 1, "auto_pad": "SAME_UPPER", "kernel": [1], "stride": [3],
          "dilation": [1], "pads": [0, 0], "size": [4], "c_in": 1, "c_out": 1, "batch": 1,
          "bias": False, "seed": 0})
def test_conv_same_matches_the_reference_evaluator(case):
    # The reference dilates the kernel and clamps a negative total padding at
    # 0, as the operator text (padding, split between the two sides) reads.
    rng = np.random.default_rng(case["seed"])
    X = _random(rng, (case["batch"], case["c_in"], *case["size"])).astype(np.float64)
    W = _random(rng, (case["c_out"], case["c_in"] // case["group"], *case["kernel"]))
    W = W.astype(np.float64)
    attrs = {"auto_pad": case["auto_pad"], "dilations": case["dilation"],
             "group": case["group"], "strides": case["stride"]}
    (expected,) = run_reference("Conv", [X, W], attrs)
    np.testing.assert_allclose(tconv.onnx.conv(X, W, **attrs), expected, rtol=1e-12,
                               atol=1e-12)


def test_conv_same_with_dilation_follows_the_spec():
    # onnxruntime refuses this; the spec dilates the kernel (docs/rules/onnx.md)
    X = np.arange(1.0, 8.0).reshape(1, 1, 7)
    W = np.ones((1, 1, 3))
    Y = tconv.onnx.conv(X, W, auto_pad="SAME_UPPER", dilations=[2])
    assert Y.ravel().tolist() == [4, 6, 9, 12, 15, 10, 12]
    with pytest.raises(ValueError, match="onnx.conv: auto_pad='SAME_UPPER' with "
                                         "dilations=.*refused by onnxruntime"):
        tconv.onnx.conv(X, W, auto_pad="SAME_UPPER", dilations=[2], runtime="onnxruntime")
    with pytest.raises(Exception, match="Dilation not supported"):
        run_ort("Conv", [X.astype(np.float32), W.astype(np.float32)],
                {"auto_pad": "SAME_UPPER", "dilations": [2]})


def test_conv_same_kernel_shorter_than_stride():
    # x = 1..6, kernel [1], stride 3: total padding -2 is no padding -> 1, 4
    X = np.arange(1.0, 7.0, dtype=np.float32).reshape(1, 1, 6)
    W = np.ones((1, 1, 1), np.float32)
    for auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        Y = tconv.onnx.conv(X, W, auto_pad=auto_pad, strides=[3])
        assert Y.ravel().tolist() == [1, 4]
        (expected,) = run_ort("Conv", [X, W], {"auto_pad": auto_pad, "strides": [3]})
        assert expected.ravel().tolist() == [1, 4]
        (reference,) = run_reference("Conv", [X, W], {"auto_pad": auto_pad, "strides": [3]})
        assert reference.ravel().tolist() == [1, 4]


# (n, s, auto_pad, first kept sample): k=1, total = (ceil(n/s) - 1)*s + 1 - n < 0.
# MaxPool's text gives the unclamped total; it is split with C truncation as
# onnxruntime does (UPPER total/2, LOWER (total+1)/2), a negative pad cropping
# the input.
NEGATIVE_SAME = [(3, 3, "SAME_UPPER", 1), (3, 3, "SAME_LOWER", 0),
                 (4, 4, "SAME_UPPER", 1), (4, 4, "SAME_LOWER", 1)]


@pytest.mark.parametrize(("n", "s", "auto_pad", "first"), NEGATIVE_SAME)
@pytest.mark.parametrize("runtime", ["spec", "onnxruntime"])
def test_max_pool_same_with_negative_total_padding(n, s, auto_pad, first,
                                                                   runtime):
    X = np.arange(n, dtype=np.float32).reshape(1, 1, n)
    values, indices = tconv.onnx.max_pool(X, kernel_shape=[1], auto_pad=auto_pad,
                                          strides=[s], runtime=runtime)
    assert values.ravel().tolist() == [first]
    assert indices.ravel().tolist() == [first]
    expected_y, expected_i = run_ort("MaxPool", [X], {"kernel_shape": [1], "strides": [s],
                                                      "auto_pad": auto_pad},
                                     outputs=(("Y", None), ("I", np.int64)))
    assert expected_y.ravel().tolist() == [first]
    assert expected_i.ravel().tolist() == [first]


def test_conv_accepts_bytes_and_empty_bias():
    X = np.arange(6.0).reshape(1, 1, 6)
    W = np.ones((1, 1, 3))
    Y = tconv.onnx.conv(X, W, [], auto_pad=b"SAME_LOWER", strides=[2])
    assert Y.ravel().tolist() == [1.0, 6.0, 12.0]
    Y = tconv.onnx.conv(X, W, np.zeros(0), auto_pad="SAME_UPPER", strides=[2])
    assert Y.ravel().tolist() == [3.0, 9.0, 9.0]


# --------------------------------------------------------------------------- ConvTranspose


@st.composite
def conv_transpose_cases(draw):
    rank = draw(st.integers(1, 3))
    group = draw(st.integers(1, 2))
    form = draw(st.sampled_from(["pads", "VALID", "SAME_UPPER", "SAME_LOWER",
                                 "output_shape", "output_shape_SAME_UPPER",
                                 "output_shape_SAME_LOWER"]))
    same = "SAME" in form
    stride = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    output_padding = [draw(st.integers(0, s - 1)) for s in stride]
    dilation = [1 if same else draw(st.integers(1, 2)) for _ in range(rank)]
    # SAME_* with ke - s + op < 0 too: onnxruntime's shorter output (runtime=)
    kernel = [draw(st.integers(1, 4)) for _ in stride]
    size = draw(st.lists(st.integers(1, 4), min_size=rank, max_size=rank))
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    pads = [draw(st.integers(0, (sp - 1) // 2)) for sp in spans] * 2
    pads = pads[:rank] + [draw(st.integers(0, (sp - 1) // 2)) for sp in spans]
    full = [s * (n - 1) + op + sp
            for s, n, op, sp in zip(stride, size, output_padding, spans)]
    output_shape = [f - draw(st.integers(0, min(f - 1, 3))) for f in full]
    return {"group": group, "form": form, "stride": stride,
            "output_padding": output_padding, "dilation": dilation, "kernel": kernel,
            "size": size, "pads": pads, "output_shape": output_shape,
            "c_in": group * draw(st.integers(1, 2)),
            "c_out": group * draw(st.integers(1, 2)), "batch": draw(st.integers(1, 2)),
            "bias": draw(st.booleans()), "seed": draw(st.integers(0, 2**16))}


@SETTINGS
@given(conv_transpose_cases())
@example({"group": 1, "form": "output_shape", "stride": [2], "output_padding": [0],
          "dilation": [1], "kernel": [3], "size": [3], "pads": [0, 0], "output_shape": [6],
          "c_in": 1, "c_out": 1, "batch": 1, "bias": True, "seed": 1})
@example({"group": 2, "form": "SAME_UPPER", "stride": [2, 1], "output_padding": [1, 0],
          "dilation": [1, 1], "kernel": [2, 2], "size": [3, 2], "pads": [0, 0, 0, 0],
          "output_shape": [1, 1], "c_in": 2, "c_out": 4, "batch": 1, "bias": False,
          "seed": 2})
def test_conv_transpose_matches_onnxruntime(case):
    rng = np.random.default_rng(case["seed"])
    X = _random(rng, (case["batch"], case["c_in"], *case["size"]))
    W = _random(rng, (case["c_in"], case["c_out"] // case["group"], *case["kernel"]))
    B = _random(rng, (case["c_out"],)) if case["bias"] else None
    attrs = {"dilations": case["dilation"], "group": case["group"],
             "kernel_shape": case["kernel"], "strides": case["stride"],
             "output_padding": case["output_padding"]}
    form = case["form"]
    if form == "pads":
        attrs["pads"] = case["pads"]
    elif form.startswith("output_shape"):
        attrs["output_shape"] = case["output_shape"]
        if form.endswith(("SAME_UPPER", "SAME_LOWER")):
            attrs["auto_pad"] = form[-10:]
    else:
        attrs["auto_pad"] = form
    (expected,) = run_ort("ConvTranspose", [X, W, B], attrs)
    _close(tconv.onnx.conv_transpose(X, W, B, **attrs, runtime="onnxruntime"), expected)
    spans = [d * (k - 1) + 1 for k, d in zip(case["kernel"], case["dilation"])]
    if not ("SAME" in form and any(sp + op < s for sp, op, s in zip(
            spans, case["output_padding"], case["stride"]))):
        _close(tconv.onnx.conv_transpose(X, W, B, **attrs), expected)  # no departure


@SETTINGS
@given(conv_transpose_cases())
def test_conv_transpose_matches_the_reference_evaluator(case):
    # Only where the reference is right: group 1, no output_shape without
    # SAME_*, and no negative total padding (it puts SAME_UPPER's zero first).
    rng = np.random.default_rng(case["seed"])
    form = case["form"]
    spans = [d * (k - 1) + 1 for k, d in zip(case["kernel"], case["dilation"])]
    if form in ("output_shape",) or any(sp + op < s for sp, op, s in zip(
            spans, case["output_padding"], case["stride"])):
        form = "pads"
    c_in = case["c_in"] // case["group"]
    X = _random(rng, (case["batch"], c_in, *case["size"])).astype(np.float64)
    W = _random(rng, (c_in, case["c_out"] // case["group"], *case["kernel"]))
    W = W.astype(np.float64)
    attrs = {"dilations": case["dilation"], "kernel_shape": case["kernel"],
             "strides": case["stride"], "output_padding": case["output_padding"]}
    if form == "pads":
        attrs["pads"] = case["pads"]
    elif form.startswith("output_shape"):
        attrs["output_shape"] = case["output_shape"]
        attrs["auto_pad"] = form[-10:]
    else:
        attrs["auto_pad"] = form
    (expected,) = run_reference("ConvTranspose", [X, W], attrs)
    np.testing.assert_allclose(tconv.onnx.conv_transpose(X, W, **attrs), expected,
                               rtol=1e-12, atol=1e-12)


def test_conv_transpose_group_follows_the_spec_not_the_reference_evaluator():
    # The reference evaluator (onnx 1.23) refuses group > 1; the spec's text
    # (and onnxruntime, and PyTorch) split the channels into groups.
    rng = np.random.default_rng(7)
    X = _random(rng, (1, 4, 3, 3))
    W = _random(rng, (4, 3, 2, 2))
    Y = tconv.onnx.conv_transpose(X, W, group=2, strides=[2, 2])
    halves = [tconv.onnx.conv_transpose(X[:, 2 * g:2 * g + 2], W[2 * g:2 * g + 2],
                                        strides=[2, 2]) for g in range(2)]
    _close(Y, np.concatenate(halves, axis=1))


X_ROW = np.array([[[1.0, 2.0, 3.0]]], dtype=np.float32)
W_ROW = np.array([[[1.0, 10.0, 100.0]]], dtype=np.float32)

# docs/rules/onnx.md, onnxruntime column (full output [1,10,102,20,203,30,300])
TABLE = [
    ({"auto_pad": "SAME_UPPER"}, [1, 10, 102, 20, 203, 30]),
    ({"auto_pad": "SAME_LOWER"}, [10, 102, 20, 203, 30, 300]),
    ({"auto_pad": "SAME_UPPER", "output_padding": [1]}, [10, 102, 20, 203, 30, 300]),
    ({"auto_pad": "VALID"}, [1, 10, 102, 20, 203, 30, 300]),
    ({}, [1, 10, 102, 20, 203, 30, 300]),
    ({"output_shape": [6]}, [10, 102, 20, 203, 30, 300]),
    ({"output_shape": [5]}, [10, 102, 20, 203, 30]),
    ({"output_shape": [4]}, [102, 20, 203, 30]),
    ({"output_shape": [6], "auto_pad": "SAME_UPPER"}, [1, 10, 102, 20, 203, 30]),
    ({"output_shape": [4], "auto_pad": "SAME_UPPER"}, [10, 102, 20, 203]),
    ({"output_shape": [4], "auto_pad": "SAME_LOWER"}, [102, 20, 203, 30]),
    ({"output_shape": [6], "pads": [0, 2]}, [10, 102, 20, 203, 30, 300]),
    ({"output_shape": [8]}, [1, 10, 102, 20, 203, 30, 300, 0]),
    ({"output_shape": [8], "auto_pad": "SAME_UPPER"}, [1, 10, 102, 20, 203, 30, 300, 0]),
]


@pytest.mark.parametrize(("attrs", "expected"), TABLE)
@pytest.mark.parametrize("runtime", ["spec", "onnxruntime"])
def test_conv_transpose_semantics_table(attrs, expected, runtime):
    Y = tconv.onnx.conv_transpose(X_ROW, W_ROW, strides=[2], **attrs, runtime=runtime)
    assert Y.dtype == np.float32
    assert Y.ravel().tolist() == expected
    (ort_y,) = run_ort("ConvTranspose", [X_ROW, W_ROW], dict(strides=[2], **attrs))
    assert ort_y.ravel().tolist() == expected


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_conv_transpose_negative_same_total_appends_zeros(auto_pad):
    # k=2 < s=3: the spec asks n*s = 9 samples (total/2 with C truncation: the
    # missing one a zero at the end); onnxruntime returns the full 8.
    W = np.array([[[1.0, 10.0]]], dtype=np.float32)
    Y = tconv.onnx.conv_transpose(X_ROW, W, strides=[3], auto_pad=auto_pad)
    assert Y.ravel().tolist() == [1, 10, 0, 2, 20, 0, 3, 30, 0]
    Y = tconv.onnx.conv_transpose(X_ROW, W, strides=[3], auto_pad=auto_pad,
                                  runtime="onnxruntime")
    (expected,) = run_ort("ConvTranspose", [X_ROW, W], {"strides": [3], "auto_pad": auto_pad})
    assert Y.ravel().tolist() == expected.ravel().tolist() == [1, 10, 0, 2, 20, 0, 3, 30]


def test_conv_transpose_output_shape_as_array_and_empty():
    Y = tconv.onnx.conv_transpose(X_ROW, W_ROW, strides=[2], output_shape=np.array([5]))
    assert Y.ravel().tolist() == [10, 102, 20, 203, 30]
    Y = tconv.onnx.conv_transpose(X_ROW, W_ROW, strides=[2], output_shape=[])
    assert Y.shape == (1, 1, 7)
    Y = tconv.onnx.conv_transpose(X_ROW, W_ROW, strides=[2], output_shape=[1, 1, 4])
    assert Y.ravel().tolist() == [102, 20, 203, 30]


# --------------------------------------------------------------------------- MaxPool


@st.composite
def pool_cases(draw):
    rank = draw(st.integers(1, 3))
    storage_order = draw(st.integers(0, 1)) if rank < 3 else 0
    auto_pad = draw(st.sampled_from(["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"]))
    kernel = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    stride = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    dilation = draw(st.lists(st.integers(1, 2), min_size=rank, max_size=rank))
    # beyond half the kernel (the core's, PyTorch's, limit) too
    pads = [draw(st.integers(0, k - 1)) for k in kernel * 2]
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    size = [sp + draw(st.integers(0, 4)) for sp in spans]
    return {"auto_pad": auto_pad, "kernel": kernel, "stride": stride, "dilation": dilation,
            "pads": pads, "size": size, "storage_order": storage_order,
            "ceil_mode": draw(st.integers(0, 1)), "batch": draw(st.integers(1, 2)),
            "channels": draw(st.integers(1, 3)), "seed": draw(st.integers(0, 2**16))}


@SETTINGS
@given(pool_cases())
@example({"auto_pad": "NOTSET", "kernel": [2], "stride": [2], "dilation": [1],
          "pads": [1, 1], "size": [5], "storage_order": 0, "ceil_mode": 1, "batch": 1,
          "channels": 1, "seed": 0})
@example({"auto_pad": "SAME_UPPER", "kernel": [1, 1], "stride": [3, 3], "dilation": [1, 1],
          "pads": [0] * 4, "size": [3, 4], "storage_order": 1, "ceil_mode": 0, "batch": 2,
          "channels": 2, "seed": 0})  # negative total padding
@example({"auto_pad": "SAME_UPPER", "kernel": [2, 1], "stride": [3, 1], "dilation": [2, 1],
          "pads": [0] * 4, "size": [3, 1], "storage_order": 0, "ceil_mode": 0, "batch": 1,
          "channels": 1, "seed": 1})  # a negative end pad; the window still reads x[2]
def test_max_pool_matches_onnxruntime(case):
    rng = np.random.default_rng(case["seed"])
    shape = (case["batch"], case["channels"], *case["size"])
    X = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32)  # no ties
    attrs = {"auto_pad": case["auto_pad"], "kernel_shape": case["kernel"],
             "strides": case["stride"], "dilations": case["dilation"],
             "storage_order": case["storage_order"], "ceil_mode": case["ceil_mode"]}
    if case["auto_pad"] == "NOTSET":
        attrs["pads"] = case["pads"]
    expected_y, expected_i = run_ort("MaxPool", [X], attrs,
                                     outputs=(("Y", None), ("I", np.int64)))
    Y, indices = tconv.onnx.max_pool(X, **attrs, runtime="onnxruntime")
    _close(Y, expected_y)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices, expected_i)
    if not (case["auto_pad"].startswith("SAME") and max(case["dilation"]) > 1):
        Y, indices = tconv.onnx.max_pool(X, **attrs)  # the spec agrees here
        _close(Y, expected_y)
        np.testing.assert_array_equal(indices, expected_i)


def pool_by_definition(X, kernel, stride, pads, dilation, ceil_mode):
    """MaxPool read off the operator text, one window at a time (an oracle).

    Output length ``floor_or_ceil((n + pb + pe - ke) / s) + 1``, dropping a
    window that would start in the end padding; each output is the maximum
    of the window's input elements (padding excluded), the first one in
    row-major window order; the index is row-major over the whole tensor.
    """
    rank = len(kernel)
    sizes = X.shape[2:]
    outs = []
    for n, k, s, lo, hi, d in zip(sizes, kernel, stride, pads[:rank], pads[rank:], dilation):
        span = (n + lo + hi - (d * (k - 1) + 1)) / s
        out = int(np.ceil(span) if ceil_mode else np.floor(span)) + 1
        if ceil_mode and (out - 1) * s >= n + lo:
            out -= 1
        outs.append(max(out, 0))
    Y = np.zeros(X.shape[:2] + tuple(outs), X.dtype)
    I = np.zeros(Y.shape, np.int64)
    for b, c, *o in np.ndindex(*Y.shape):
        best = None
        for t in np.ndindex(*kernel):
            where = [oi * s - lo + ti * d for oi, ti, s, lo, d
                     in zip(o, t, stride, pads[:rank], dilation)]
            if all(0 <= w < n for w, n in zip(where, sizes)):
                value = X[(b, c, *where)]
                if best is None or value > best[0]:
                    best = (value, where)
        assert best is not None, "a window with no input element"
        Y[(b, c, *o)] = best[0]
        I[(b, c, *o)] = np.ravel_multi_index((b, c, *best[1]), X.shape)
    return Y, I


@st.composite
def wide_pool_cases(draw):
    """Pads up to 2 kernels wide and SAME_* with dilation (windows never empty)."""
    rank = draw(st.integers(1, 2))
    kernel = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    stride = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    dilation = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    auto_pad = draw(st.sampled_from(["NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER"]))
    size = draw(st.lists(st.integers(1, 7), min_size=rank, max_size=rank))
    pads = [draw(st.integers(0, 2 * k)) for k in kernel * 2]
    return {"kernel": kernel, "stride": stride, "dilation": dilation, "size": size,
            "pads": pads, "auto_pad": auto_pad, "ceil_mode": draw(st.integers(0, 1)),
            "seed": draw(st.integers(0, 2**16))}


@SETTINGS
@given(wide_pool_cases())
@example({"kernel": [3], "stride": [1], "dilation": [2], "size": [7], "pads": [0, 0],
          "auto_pad": "SAME_UPPER", "ceil_mode": 0, "seed": 0})
@example({"kernel": [2], "stride": [2], "dilation": [3], "size": [1], "pads": [0, 2],
          "auto_pad": "NOTSET", "ceil_mode": 1, "seed": 0})  # ceil((1 + 2 - 4)/2) + 1 = 1
def test_max_pool_any_pads_follow_the_operator_text(case):
    rng = np.random.default_rng(case["seed"])
    shape = (2, 2, *case["size"])
    X = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32) - 50
    rank = len(case["kernel"])
    attrs = {"kernel_shape": case["kernel"], "strides": case["stride"],
             "dilations": case["dilation"], "ceil_mode": case["ceil_mode"],
             "auto_pad": case["auto_pad"]}
    pads = case["pads"]
    if case["auto_pad"] == "NOTSET":
        attrs["pads"] = pads
    else:  # the operator text's SAME_* pads: dilated kernel, ceil(n / s) outputs
        pads = [0] * (2 * rank)
        for i, (n, k, s, d) in enumerate(zip(case["size"], case["kernel"], case["stride"],
                                             case["dilation"])):
            total = (-(-n // s) - 1) * s + d * (k - 1) + 1 - n
            lower = case["auto_pad"] == "SAME_LOWER"
            pads[i] = int(np.trunc((total + lower) / 2))
            pads[rank + i] = total - pads[i]
        attrs["ceil_mode"] = 0
    try:
        expected = pool_by_definition(X, case["kernel"], case["stride"], pads,
                                      case["dilation"], attrs["ceil_mode"])
    except AssertionError:  # a window with no input element
        expected = None
    if expected is None or min(expected[0].shape) < 1:  # refused
        with pytest.raises(ValueError, match="onnx.max_pool: "):
            tconv.onnx.max_pool(X, **attrs)
        event("refused: an empty window or output")
        return
    wide = any(max(lo, hi) > k // 2 or min(lo, hi) < 0
               for lo, hi, k in zip(pads[:rank], pads[rank:], case["kernel"]))
    event(f"compared, pads beyond half the kernel or negative: {wide}")
    Y, indices = tconv.onnx.max_pool(X, **attrs)
    np.testing.assert_array_equal(Y, expected[0])
    np.testing.assert_array_equal(indices, expected[1])


def test_max_pool_pads_beyond_half_the_kernel():
    # ONNX allows any pad (padding is -inf); PyTorch's limit is kernel // 2.
    X = np.arange(1.0, 8.0, dtype=np.float32).reshape(1, 1, 7)
    Y, indices = tconv.onnx.max_pool(X, kernel_shape=[3], pads=[2, 2])
    assert Y.ravel().tolist() == [1, 2, 3, 4, 5, 6, 7, 7, 7]
    assert indices.ravel().tolist() == [0, 1, 2, 3, 4, 5, 6, 6, 6]
    expected_y, expected_i = run_ort("MaxPool", [X], {"kernel_shape": [3], "pads": [2, 2]},
                                     outputs=(("Y", None), ("I", np.int64)))
    np.testing.assert_array_equal(Y, expected_y)
    np.testing.assert_array_equal(indices, expected_i)
    # pads as long as the kernel: the spec allows them, onnxruntime refuses
    Y, _ = tconv.onnx.max_pool(X, kernel_shape=[3], pads=[3, 0], dilations=[2])
    assert Y.ravel().tolist() == [2, 3, 4, 5, 6, 7]
    with pytest.raises(ValueError, match=r"onnx.max_pool: pads=\[3, 0\] must be smaller "
                                         r"than kernel_shape=\[3\]"):
        tconv.onnx.max_pool(X, kernel_shape=[3], pads=[3, 0], dilations=[2],
                            runtime="onnxruntime")


def test_max_pool_same_with_dilation():
    # The spec counts the dilated kernel: 7 outputs; onnxruntime counts the
    # undilated one (total padding 2, so 5 outputs).
    X = np.arange(1.0, 8.0, dtype=np.float32).reshape(1, 1, 7)
    attrs = {"kernel_shape": [3], "auto_pad": "SAME_UPPER", "dilations": [2]}
    Y, indices = tconv.onnx.max_pool(X, **attrs)
    assert Y.ravel().tolist() == [3, 4, 5, 6, 7, 6, 7]
    assert indices.ravel().tolist() == [2, 3, 4, 5, 6, 5, 6]
    Y, _ = tconv.onnx.max_pool(X, **attrs, runtime="onnxruntime")
    (expected, _) = run_ort("MaxPool", [X], attrs, outputs=(("Y", None), ("I", np.int64)))
    assert Y.ravel().tolist() == expected.ravel().tolist() == [4, 5, 6, 7, 6]


def test_max_pool_window_wholly_in_padding_is_refused():
    # x of length 1, kernel 2, stride 2, dilation 2, SAME_UPPER: pads (1, 1) and
    # the window reads positions -1 and 1, both padding (it raised NumPy's
    # "index 1 is out of bounds" before). onnxruntime's pads (0, 1) read x.
    X = np.array([[[5.0]]], dtype=np.float32)
    attrs = {"kernel_shape": [2], "strides": [2], "dilations": [2], "auto_pad": "SAME_UPPER"}
    with pytest.raises(ValueError, match="onnx.max_pool: pads=.*no input element"):
        tconv.onnx.max_pool(X, **attrs)
    Y, indices = tconv.onnx.max_pool(X, **attrs, runtime="onnxruntime")
    expected_y, expected_i = run_ort("MaxPool", [X], attrs,
                                     outputs=(("Y", None), ("I", np.int64)))
    np.testing.assert_array_equal(Y, expected_y)
    np.testing.assert_array_equal(indices, expected_i)


@pytest.mark.parametrize(("storage_order", "expected"),
                         [(0, [100, 107, 115, 117]), (1, [100, 109, 103, 111])])
def test_max_pool_indices_are_global(storage_order, expected):
    # docs/rules/onnx.md: a (2,3,4,5) input, plane (1,2), maxima at h,w = 0,0 1,2 3,0 3,2
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (2, 3, 4, 5)).astype(np.float32)
    X[1, 2].flat[[0, 7, 15, 17]] = 1000.0
    attrs = {"kernel_shape": [2, 2], "strides": [2, 2], "storage_order": storage_order}
    _, indices = tconv.onnx.max_pool(X, **attrs)
    _, ort_i = run_ort("MaxPool", [X], attrs, outputs=(("Y", None), ("I", np.int64)))
    np.testing.assert_array_equal(indices, ort_i)
    assert indices.shape == (2, 3, 2, 2)
    assert indices[1, 2].ravel().tolist() == expected


@pytest.mark.parametrize(("n", "k", "s", "p", "expected"),
                         [(5, 2, 2, 1, [0, 2, 4]), (9, 3, 4, 1, [1, 5, 8])])
def test_max_pool_ceil_mode_examples(n, k, s, p, expected):
    X = np.arange(n, dtype=np.float32).reshape(1, 1, n)
    Y, _ = tconv.onnx.max_pool(X, kernel_shape=[k], strides=[s], pads=[p, p], ceil_mode=1)
    assert Y.ravel().tolist() == expected


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.float16, np.float64])
def test_max_pool_keeps_dtype(dtype):
    rng = np.random.default_rng(3)
    X = rng.permutation(64).reshape(1, 1, 8, 8).astype(dtype)
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    Y, indices = tconv.onnx.max_pool(X, **attrs)
    expected_y, expected_i = run_ort("MaxPool", [X], attrs,
                                     outputs=(("Y", None), ("I", np.int64)))
    assert Y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(Y, expected_y)
    np.testing.assert_array_equal(indices, expected_i)


def test_max_pool_uint8_extremes_exact():
    X = np.array([[[0, 255, 254, 1]]], dtype=np.uint8)
    Y, indices = tconv.onnx.max_pool(X, kernel_shape=[2], strides=[2])
    assert Y.dtype == np.uint8
    assert Y.ravel().tolist() == [255, 254]
    assert indices.ravel().tolist() == [1, 2]


# --------------------------------------------------------------------------- MaxUnpool


@st.composite
def unpool_cases(draw):
    rank = draw(st.integers(1, 3))
    kernel = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    stride = [draw(st.integers(1, k)) for k in kernel]
    windows = draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    size = [(w - 1) * s + k for w, s, k in zip(windows, stride, kernel)]
    extra = [draw(st.integers(0, s - 1)) for s in stride]
    return {"kernel": kernel, "stride": stride, "size": size, "extra": extra,
            "use_shape": draw(st.booleans()), "batch": draw(st.integers(1, 2)),
            "channels": draw(st.integers(1, 2)), "seed": draw(st.integers(0, 2**16))}


@SETTINGS
@given(unpool_cases())
def test_max_unpool_matches_onnxruntime(case):
    rng = np.random.default_rng(case["seed"])
    # trailing samples no window reads need output_shape to come back
    extra = case["extra"] if case["use_shape"] else [0] * len(case["extra"])
    size = [n + e for n, e in zip(case["size"], extra)]
    shape = (case["batch"], case["channels"], *size)
    X = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32)
    attrs = {"kernel_shape": case["kernel"], "strides": case["stride"]}
    Y, indices = tconv.onnx.max_pool(X, **attrs)
    output_shape = np.array(shape, dtype=np.int64) if case["use_shape"] else None
    (expected,) = run_ort("MaxUnpool", [Y, indices, output_shape], attrs)
    _close(tconv.onnx.max_unpool(Y, indices, output_shape, **attrs, runtime="onnxruntime"),
           expected)
    if output_shape is None:  # no departure
        _close(tconv.onnx.max_unpool(Y, indices, **attrs), expected)


@SETTINGS
@given(unpool_cases())
def test_max_unpool_output_shape_matches_the_reference_evaluator(case):
    # The spec (its backend test, the reference): I addresses the default shape,
    # padded at the end to output_shape (here: default + up to s - 1 per axis).
    rng = np.random.default_rng(case["seed"])
    shape = (case["batch"], case["channels"], *case["size"])
    X = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32)
    attrs = {"kernel_shape": case["kernel"], "strides": case["stride"]}
    Y, indices = tconv.onnx.max_pool(X, **attrs)
    output_shape = np.array([*shape[:2], *(n + e for n, e in zip(case["size"],
                                                                  case["extra"]))], np.int64)
    (expected,) = run_reference("MaxUnpool", [Y, indices, output_shape], attrs)
    np.testing.assert_array_equal(tconv.onnx.max_unpool(Y, indices, output_shape, **attrs),
                                  expected)


def test_max_unpool_output_shape_matches_torch():
    # docs/rules/onnx.md: 5x5 plane, k=s=2, unpooled to output_shape [2,2,5,5]
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    X = rng.permutation(100).reshape(2, 2, 5, 5).astype(np.float32)
    Y, indices = tconv.onnx.max_pool(X, kernel_shape=[2, 2], strides=[2, 2])
    Z = tconv.onnx.max_unpool(Y, indices, [2, 2, 5, 5], kernel_shape=[2, 2], strides=[2, 2],
                              runtime="onnxruntime")
    ty, ti = torch.nn.functional.max_pool2d(torch.from_numpy(X), 2, return_indices=True)
    expected = torch.nn.functional.max_unpool2d(ty, ti, 2, output_size=(5, 5)).numpy()
    np.testing.assert_array_equal(Z, expected)
    (ort_z,) = run_ort("MaxUnpool", [Y, indices, np.array([2, 2, 5, 5], dtype=np.int64)],
                       {"kernel_shape": [2, 2], "strides": [2, 2]})
    np.testing.assert_array_equal(Z, ort_z)


def test_max_unpool_with_pads():
    X = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6)
    attrs = {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    Y, indices = tconv.onnx.max_pool(X, **attrs)
    (expected,) = run_ort("MaxUnpool", [Y, indices], attrs)
    _close(tconv.onnx.max_unpool(Y, indices, **attrs), expected)


# --------------------------------------------------------------- DepthToSpace, SpaceToDepth


@pytest.mark.parametrize("mode", ["DCR", "CRD"])
@pytest.mark.parametrize(("blocksize", "channels"), [(1, 3), (2, 4), (2, 8), (3, 18)])
def test_depth_to_space_matches_onnxruntime(mode, blocksize, channels):
    rng = np.random.default_rng(5)
    X = _random(rng, (2, channels, 2, 3))
    (expected,) = run_ort("DepthToSpace", [X], {"blocksize": blocksize, "mode": mode},
                          opset=13)
    np.testing.assert_array_equal(tconv.onnx.depth_to_space(X, blocksize=blocksize,
                                                            mode=mode), expected)


def test_depth_to_space_channel_examples():
    # docs/rules/onnx.md: 8 channels, b=2, 1x1
    X = np.arange(8).reshape(1, 8, 1, 1)
    assert tconv.onnx.depth_to_space(X, blocksize=2)[0, 0].tolist() == [[0, 2], [4, 6]]
    crd = tconv.onnx.depth_to_space(X, blocksize=2, mode=b"CRD")
    assert crd[0].tolist() == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]]
    assert crd.dtype == X.dtype
    np.testing.assert_array_equal(crd, tconv.pixel_shuffle(X, 2))


@pytest.mark.parametrize(("blocksize", "channels"), [(1, 2), (2, 1), (2, 3), (3, 2)])
def test_space_to_depth_dcr_matches_onnxruntime_and_inverts(blocksize, channels):
    rng = np.random.default_rng(6)
    X = _random(rng, (2, channels, 2 * blocksize, 3 * blocksize))
    Y = tconv.onnx.space_to_depth(X, blocksize=blocksize)
    (expected,) = run_ort("SpaceToDepth", [X], {"blocksize": blocksize}, opset=13)
    np.testing.assert_array_equal(Y, expected)
    np.testing.assert_array_equal(tconv.onnx.depth_to_space(Y, blocksize=blocksize), X)


@pytest.mark.parametrize(("blocksize", "channels"), [(1, 2), (2, 1), (2, 3), (3, 2)])
def test_space_to_depth_crd_is_pixel_unshuffle(blocksize, channels):
    torch = pytest.importorskip("torch")
    X = np.arange(2 * channels * 36, dtype=np.int64).reshape(2, channels, 6, 6)
    Y = tconv.onnx.space_to_depth(X, blocksize=blocksize, mode="CRD")
    expected = torch.nn.functional.pixel_unshuffle(torch.from_numpy(X), blocksize).numpy()
    np.testing.assert_array_equal(Y, expected)
    assert Y.dtype == np.int64
    back = tconv.onnx.depth_to_space(Y, blocksize=blocksize, mode="CRD")
    np.testing.assert_array_equal(back, X)
    # spec formula: output channel c*b*b + i*b + j holds input (c, h*b + i, w*b + j)
    b = blocksize
    for c in range(channels):
        for i in range(b):
            for j in range(b):
                np.testing.assert_array_equal(Y[:, c * b * b + i * b + j],
                                              X[:, c, i::b, j::b])


def test_space_to_depth_ramp_channel_order():
    X = np.arange(16).reshape(1, 1, 4, 4)
    assert tconv.onnx.space_to_depth(X, blocksize=2, mode="CRD")[0, :, 0, 0].tolist() == \
        [0, 1, 4, 5]


# --------------------------------------------------------------------------- bad input

X1 = np.zeros((1, 1, 5), dtype=np.float32)
W1 = np.zeros((1, 1, 3), dtype=np.float32)
X2 = np.zeros((1, 4, 4, 4), dtype=np.float32)

BAD = [
    (lambda: tconv.onnx.conv(X1, W1, auto_pad="SAME"), ValueError, "onnx.conv: auto_pad"),
    (lambda: tconv.onnx.conv(X1, W1, pads=[1]), ValueError, "onnx.conv: pads"),
    (lambda: tconv.onnx.conv(X1, W1, pads=[-1, 0]), ValueError, "onnx.conv: pads"),
    (lambda: tconv.onnx.conv(X1, W1, strides=[0]), ValueError, "onnx.conv: strides"),
    (lambda: tconv.onnx.conv(X1, W1, strides=[1.5]), TypeError, "onnx.conv: strides"),
    (lambda: tconv.onnx.conv(X1, W1, dilations=[1, 1]), ValueError, "onnx.conv: dilations"),
    (lambda: tconv.onnx.conv(X1, W1, kernel_shape=[2]), ValueError,
     "onnx.conv: kernel_shape"),
    (lambda: tconv.onnx.conv(X1, W1, group=0), ValueError, "onnx.conv: group"),
    (lambda: tconv.onnx.conv(X1[0], W1), ValueError, "onnx.conv: X"),
    (lambda: tconv.onnx.conv(np.array(["a"]), W1), TypeError, "onnx.conv: X"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, strides=[2], output_padding=[2]), ValueError,
     "onnx.conv_transpose: output_padding"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, output_shape=[20]), ValueError,
     "onnx.conv_transpose: output_shape"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, output_shape=[7, 7]), ValueError,
     "onnx.conv_transpose: output_shape"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, auto_pad=b"UPPER"), ValueError,
     "onnx.conv_transpose: auto_pad"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], storage_order=2), ValueError,
     "onnx.max_pool: storage_order"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], ceil_mode=3), ValueError,
     "onnx.max_pool: ceil_mode"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], pads=[2, 0, 0, 0],
                                 runtime="onnxruntime"), ValueError, "onnx.max_pool: pads"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], pads=[2, 0, 0, 0]), ValueError,
     "onnx.max_pool: pads=.*no input element"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2]), ValueError,
     r"onnx.max_pool: kernel_shape=\[2\] has 1 values; X of shape \(1, 4, 4, 4\)"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=None), TypeError,
     "onnx.max_pool: kernel_shape"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=2), TypeError,
     "onnx.max_pool: kernel_shape"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[0, 2]), ValueError,
     "onnx.max_pool: kernel_shape"),
    (lambda: tconv.onnx.max_unpool(X2, np.zeros((1, 4, 4, 3), np.int64),
                                   kernel_shape=[2, 2]),
     ValueError, "onnx.max_unpool: I"),
    (lambda: tconv.onnx.max_unpool(X2, np.zeros(X2.shape), kernel_shape=[2, 2]), TypeError,
     "onnx.max_unpool: I"),
    (lambda: tconv.onnx.max_unpool(X2, np.full(X2.shape, 64, np.int64),
                                   kernel_shape=[2, 2]),
     ValueError, "onnx.max_unpool: I"),
    (lambda: tconv.onnx.max_unpool(X2, np.zeros(X2.shape, np.int64), [2, 4, 8, 8],
                                   kernel_shape=[2, 2]),
     ValueError, "onnx.max_unpool: output_shape"),
    # hostile types: sets, dicts, nested lists, array- or tensor-valued flags
    (lambda: tconv.onnx.conv(X1, W1, strides={2}), TypeError, r"onnx.conv: strides=\{2\}"),
    (lambda: tconv.onnx.conv(X1, W1, pads={3: "a", 0: "b"}), TypeError, "onnx.conv: pads="),
    (lambda: tconv.onnx.conv(X1, W1, pads=[[1, 1]]), TypeError, "onnx.conv: pads="),
    (lambda: tconv.onnx.conv(X1, W1, runtime="ORT"), ValueError, "onnx.conv: runtime='ORT'"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, output_shape=[[2, 2]]), TypeError,
     r"onnx.conv_transpose: output_shape=\[\[2, 2\]\] must be a flat list"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, output_shape={7}), TypeError,
     "onnx.conv_transpose: output_shape=.* got set"),
    (lambda: tconv.onnx.conv_transpose(X1, W1, output_shape="7"), TypeError,
     "onnx.conv_transpose: output_shape="),
    (lambda: tconv.onnx.conv_transpose(X1, W1, dilations=[2], output_padding=[1],
                                       runtime="onnxruntime"), ValueError,
     "onnx.conv_transpose: output_padding=.*runtime='onnxruntime'"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], ceil_mode=np.array([1, 0])),
     TypeError, r"onnx.max_pool: ceil_mode=array\(\[1, 0\]\) must be the int 0 or 1"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], storage_order=np.array(1)),
     TypeError, "onnx.max_pool: storage_order=array"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], ceil_mode=1.0), TypeError,
     "onnx.max_pool: ceil_mode=1.0"),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape={2, 3}), TypeError,
     "onnx.max_pool: kernel_shape="),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], dilations={1: 1, 2: 2}), TypeError,
     "onnx.max_pool: dilations="),
    (lambda: tconv.onnx.max_pool(X2, kernel_shape=[2, 2], pads=[10**6] * 4), ValueError,
     "onnx.max_pool: pads=.* would make a gather of the windows .* bytes.*over the limit"),
    (lambda: tconv.onnx.max_unpool(X2, np.zeros(X2.shape, np.int64), [[1, 4, 8, 8]],
                                   kernel_shape=[2, 2]),
     TypeError, "onnx.max_unpool: output_shape=.* flat list"),
    (lambda: tconv.onnx.max_unpool(X2, np.zeros(X2.shape, np.int64), [1, 4, 10**6, 10**6],
                                   kernel_shape=[2, 2]),
     ValueError, (r"onnx.max_unpool: output_shape=\[1, 4, 1000000, 1000000\] would make an "
                 r"output of shape .* \(32000000000000 bytes")),
    (lambda: tconv.onnx.max_unpool(X2, np.zeros(X2.shape, np.int64), kernel_shape=[2, 2],
                                   strides=[10**6, 10**6]),
     ValueError, r"onnx.max_unpool: strides=\[1000000, 1000000\] would make .* bytes"),
    (lambda: tconv.onnx.depth_to_space({1, 2}, blocksize=2), TypeError,
     "onnx.depth_to_space: X must be an array; got set"),
    (lambda: tconv.onnx.space_to_depth(X2, blocksize=2, runtime=1), ValueError,
     "onnx.space_to_depth: runtime=1"),
    (lambda: tconv.onnx.depth_to_space(X2, blocksize=3), ValueError,
     "onnx.depth_to_space: X"),
    (lambda: tconv.onnx.depth_to_space(X2, blocksize=0), ValueError,
     "onnx.depth_to_space: blocksize"),
    (lambda: tconv.onnx.depth_to_space(X2, blocksize=2, mode="RCD"), ValueError,
     "onnx.depth_to_space: mode"),
    (lambda: tconv.onnx.space_to_depth(X2, blocksize=3), ValueError,
     "onnx.space_to_depth: X"),
    (lambda: tconv.onnx.space_to_depth(X2[0], blocksize=2), ValueError,
     "onnx.space_to_depth: X"),
    (lambda: tconv.onnx.space_to_depth(X2, blocksize=2.0), TypeError,
     "onnx.space_to_depth: blocksize"),
]


@pytest.mark.parametrize(("call", "error", "match"), BAD)
def test_bad_input_names_the_attribute(call, error, match):
    with pytest.raises(error, match=match):
        call()


# Errors raised by the core ops underneath name the ONNX function and attributes.
CORE_ERRORS = [
    (lambda: tconv.onnx.conv(np.zeros((1, 3, 5)), np.zeros((2, 2, 3)), group=2),
     r"^onnx\.conv: group=2 does not divide the input channels C_in=3$"),
    (lambda: tconv.onnx.conv(np.zeros((1, 3, 5)), np.zeros((2, 3, 7))),
     r"^onnx\.conv: the output would be empty"),
    (lambda: tconv.onnx.conv(np.zeros((1, 3, 5)), np.zeros((2, 3, 3)), B=np.zeros(3)),
     r"^onnx\.conv: B has shape \(3,\)"),
    (lambda: tconv.onnx.conv_transpose(np.zeros((1, 3, 5)), np.zeros((2, 2, 3))),
     (r"^onnx\.conv_transpose: the input has 3 channels but W \(2, 2, 3\) with group=1 "
     r"expects W\.shape\[0\] = 2$")),
    (lambda: tconv.onnx.max_pool(np.zeros((1, 1, 5)), kernel_shape=[7]),
     r"^onnx\.max_pool: the output would be empty .*kernel_shape=\(7,\)"),
]


@pytest.mark.parametrize(("call", "match"), CORE_ERRORS)
def test_core_errors_name_the_onnx_function(call, match):
    with pytest.raises(ValueError, match=match):
        call()
