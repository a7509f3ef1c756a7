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

import importlib

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
