"""``tconv.onnx`` against every backend node test case of its operators.

The installed ``onnx`` package generates the specification's own node test
cases (``onnx.backend.test.case.node``: a one-node model, its inputs and the
expected outputs, computed by the case's author from the operator text).
Every case of Conv, ConvTranspose, MaxPool, MaxUnpool, Resize, DepthToSpace
and SpaceToDepth is run here through the ``tconv.onnx`` function of the same
name with the node's attributes, one test per case, with the default
``runtime="spec"``. The ``*_expanded`` variants (the same data run through a
function body of Reshape/Transpose nodes) are checked against the node they
expand.

Two cases are also where onnxruntime departs from the specification
(``runtime="onnxruntime"`` then gives onnxruntime's result, checked below):
``test_maxunpool_export_with_output_shape`` and the ``align_corners``
downsampling cases of Resize with ``scales``.
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

import tconv.onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx import helper
from onnx.backend.test.case import node as node_cases

FUNCTIONS = {"Conv": tconv.onnx.conv, "ConvTranspose": tconv.onnx.conv_transpose,
             "MaxPool": tconv.onnx.max_pool, "MaxUnpool": tconv.onnx.max_unpool,
             "Resize": tconv.onnx.resize, "DepthToSpace": tconv.onnx.depth_to_space,
             "SpaceToDepth": tconv.onnx.space_to_depth}
MODULES = ("conv", "convtranspose", "maxpool", "maxunpool", "resize", "depthtospace",
           "spacetodepth")


def _collect():
    """The node test cases the installed onnx generates for these operators.

    Importing a case module runs its exports, which append to the package's
    list of cases (only these modules are imported: a few seconds, not all).
    """
    for name in MODULES:
        importlib.import_module(f"onnx.backend.test.case.node.{name}")
    cases = {}
    for case in node_cases._NodeTestCases:
        base = case.name.removesuffix("_expanded")
        op_types = {n.op_type for n in case.model.graph.node}
        if case.name != base or op_types & set(FUNCTIONS):
            cases[case.name] = case
    return cases


CASES = _collect()
# One base case per expanded case (they share inputs and outputs).
NODE_CASES = {name: case for name, case in CASES.items() if not name.endswith("_expanded")}


def _node(case):
    (node,) = [n for n in case.model.graph.node if n.op_type in FUNCTIONS]
    return node


def _call(case, **extra):
    """Run the case's node through tconv.onnx: ``(outputs, expected outputs)``."""
    base = NODE_CASES[case.name.removesuffix("_expanded")]
    node = _node(base)
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    inputs, outputs = case.data_sets[0]
    by_name = dict(zip([i.name for i in case.model.graph.input], inputs))
    base_names = [i.name for i in base.model.graph.input]
    by_name.update(zip(base_names, inputs))
    args = [by_name.get(name) if name else None for name in node.input]
    result = FUNCTIONS[node.op_type](*args, **attrs, **extra)
    return (result if isinstance(result, tuple) else (result,)), outputs


def test_every_operator_has_cases():
    found = {_node(case).op_type for case in NODE_CASES.values()}
    assert found == set(FUNCTIONS)
    assert len(CASES) >= 80  # 89 with onnx 1.23


@pytest.mark.parametrize("name", sorted(CASES))
def test_node_case(name):
    actual, expected = _call(CASES[name])
    # MaxPool always returns (Y, Indices); a case may ask for Y only
    assert len(actual) == len(expected) or (name.startswith("test_maxpool")
                                            and len(expected) == 1)
    for a, e in zip(actual, expected):
        assert a.shape == e.shape, (a.shape, e.shape)
        assert a.dtype == e.dtype, (a.dtype, e.dtype)
        if e.dtype.kind == "f":
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)
        else:
            np.testing.assert_array_equal(a, e)


# ------------------------------------------------------- where onnxruntime departs


def _run_ort(case):
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(case.model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    inputs, _ = case.data_sets[0]
    feeds = dict(zip([i.name for i in case.model.graph.input], inputs))
    return session.run(None, feeds)


DEPARTING = ["test_maxunpool_export_with_output_shape",
             "test_resize_downsample_scales_linear_align_corners",
             "test_resize_downsample_scales_cubic_align_corners"]


@pytest.mark.parametrize("name", DEPARTING)
def test_departing_case_differs_and_runtime_onnxruntime_matches_it(name):
    case = CASES[name]
    (spec,), (expected,) = _call(case)
    (ours,), _ = _call(case, runtime="onnxruntime")
    (theirs,) = _run_ort(case)
    np.testing.assert_allclose(spec, expected, rtol=1e-5, atol=1e-5)
    assert not np.allclose(theirs, expected, rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_max_unpool_case_positions():
    # indices 5, 7, 13, 15 of a 4x4 pooled input; output_shape 5x5
    (spec,), _ = _call(CASES["test_maxunpool_export_with_output_shape"])
    (runtime,), _ = _call(CASES["test_maxunpool_export_with_output_shape"],
                          runtime="onnxruntime")
    assert {tuple(map(int, p)): spec[0, 0][tuple(p)] for p in np.argwhere(spec[0, 0])} == {
        (1, 1): 5, (1, 3): 6, (3, 1): 7, (3, 3): 8}
    assert {tuple(map(int, p)): runtime[0, 0][tuple(p)]
            for p in np.argwhere(runtime[0, 0])} == {(1, 0): 5, (1, 2): 6, (2, 3): 7,
                                                     (3, 0): 8}


# ------------------------------------------------ docs/rules/onnx-departures.md

DEPARTURES = Path(__file__).resolve().parent.parent / "docs" / "rules" / "onnx-departures.md"


def test_departures_doc_examples_run():
    text = DEPARTURES.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    source = "\n".join(block for block in blocks if ">>>" in block)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(source, {}, "onnx-departures.md", str(DEPARTURES), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE
                                   | doctest.ELLIPSIS)
    report = []
    result = runner.run(test, out=report.append)
    assert result.attempted >= 30
    assert result.failed == 0, "".join(report)


def _ort_node(op_type, inputs, attrs, n_outputs=1, opset=22):
    names = [f"in{i}" for i in range(len(inputs))]
    infos = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(v.dtype), None)
             for n, v in zip(names, inputs)]
    outputs = ["Y", "I"][:n_outputs]
    kinds = [helper.np_dtype_to_tensor_dtype(inputs[0].dtype), onnx.TensorProto.INT64]
    out_infos = [helper.make_tensor_value_info(o, k, None) for o, k in zip(outputs, kinds)]
    node = helper.make_node(op_type, names, outputs, **attrs)
    model = helper.make_model(helper.make_graph([node], "g", infos, out_infos),
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 10
    options = ort.SessionOptions()
    options.log_severity_level = 4
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, dict(zip(names, inputs)))


F = np.float32
# The doc's onnxruntime claims, checked against onnxruntime itself.
ORT_CLAIMS = [
    ("Conv", [np.arange(1, 5, dtype=F).reshape(1, 1, 4), np.ones((1, 1, 1), F)],
     {"auto_pad": "SAME_UPPER", "strides": [4]}, 22, [2]),
    ("Conv", [np.arange(1, 7, dtype=F).reshape(1, 1, 6), np.ones((1, 1, 1), F)],
     {"auto_pad": "SAME_UPPER", "strides": [3]}, 22, [1, 4]),
    ("ConvTranspose", [np.array([[[1, 2, 3]]], F), np.array([[[1, 10]]], F)],
     {"strides": [3], "auto_pad": "SAME_UPPER"}, 22, [1, 10, 0, 2, 20, 0, 3, 30]),
    ("MaxPool", [np.arange(1, 8, dtype=F).reshape(1, 1, 7)],
     {"kernel_shape": [3], "auto_pad": "SAME_UPPER", "dilations": [2]}, 22, [4, 5, 6, 7, 6]),
    ("MaxPool", [np.array([[[5.0]]], F)],
     {"kernel_shape": [2], "strides": [2], "dilations": [2], "auto_pad": "SAME_UPPER"}, 22,
     [5]),
    ("Resize", [np.array([[1, 2, 3, 4], [5, 6, 7, 8]], F), np.zeros(0, F),
                np.array([0.6, 0.6], F)],
     {"mode": "linear", "coordinate_transformation_mode": "align_corners"}, 19, [1, 4]),
    # (onnxruntime's linear Resize needs 2-D: the doc's 1-D rows as 1 x n)
    ("Resize", [np.array([[0, 1, 2]], F), np.zeros(0, F), np.array([1, 1.3], F)],
     {"mode": "linear", "coordinate_transformation_mode": "asymmetric"}, 19, [0, 1, 2]),
    ("Resize", [np.arange(6, dtype=F)[None], np.array([0, 0.2, 1, 0.8], F), np.zeros(0, F),
                np.array([1, 6])],
     {"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize"}, 19,
     [0, 1, 2, 3, 4, 5]),
    ("Resize", [np.array([[0, 0, 0, 0], [0, 9, 9, 0], [0, 0, 0, 0]], F), np.zeros(0, F),
                np.array([1.2, 0.5], F)],
     {"mode": "cubic", "antialias": 1}, 19, [0, 0, 5.1328125, 5.1328125, 0, 0]),
    ("Resize", [np.arange(8, dtype=F)[None], np.array([0, 0.25, 1, 0.75], F),
                np.array([1, 2], F)],
     {"mode": "linear", "coordinate_transformation_mode": "tf_crop_and_resize"}, 19,
     [1.75 + 3.5 * i / 15 for i in range(16)]),
    ("Resize", [np.arange(3, dtype=F), np.zeros(0, F), np.array([0.6666667], F)],
     {"coordinate_transformation_mode": "asymmetric", "nearest_mode": "round_prefer_ceil"},
     19, [0, 2]),
]


@pytest.mark.parametrize(("op_type", "inputs", "attrs", "opset", "expected"), ORT_CLAIMS)
def test_departures_doc_onnxruntime_values(op_type, inputs, attrs, opset, expected):
    n_outputs = 2 if op_type == "MaxPool" else 1
    got = _ort_node(op_type, inputs, attrs, n_outputs, opset)[0]
    np.testing.assert_allclose(got.ravel(), expected, rtol=1e-6, atol=1e-6)
