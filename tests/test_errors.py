"""Every documented bad input raises ValueError or TypeError naming the parameter.

STYLE.md section 5: ``ValueError`` for bad values, ``TypeError`` for wrong
kinds (a float, bool or str where an int belongs; non-numeric arrays; arrays
of another library). The message starts with the op name, names the
parameter as the caller spelled it and shows the value given. Nothing from
NumPy, PyTorch or SciPy may escape raw.

Each case below is checked twice: once for its exact exception type, the
parameter name and the offending value (``test_error``), once in the sweep
that only asserts "ValueError/TypeError whose message starts with the op name"
(``test_error_prefix``); array cases run on NumPy and on PyTorch inputs.
A hypothesis fuzz over random shapes and parameters then checks that no other
exception escapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tconv
import tconv.keras

torch = pytest.importorskip("torch")

# Hypothesis's failure report (its explicit-example patch writer) imports
# mypy_extensions, whose DeprecationWarning would turn a failing fuzz test into
# a pytest INTERNALERROR that hides the summary.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


@dataclass
class Case:
    id: str
    exc: type
    op: str
    call: Callable  # call(a) where a converts a NumPy array to the backend's array
    param: str      # regex that must match the message (the parameter name)
    needles: tuple = ()  # substrings that must appear (the offending value, the range)
    arrays: bool = True  # run on torch inputs too


def ones(*shape):
    return np.ones(shape)


X1, W1, WT1 = ones(1, 2, 5), ones(3, 2, 3), ones(2, 3, 3)
X2, W2, WT2 = ones(1, 2, 5, 5), ones(3, 2, 3, 3), ones(2, 3, 3, 3)


def conv(x, w, b=None, **kw):
    return lambda a: tconv.conv(a(x), a(w), None if b is None else a(b), **kw)


def conv_t(x, w, b=None, **kw):
    return lambda a: tconv.conv_transpose(a(x), a(w), None if b is None else a(b), **kw)


CONV_CASES = [
    # ---- weight rank
    Case("weight-2d", ValueError, "conv", conv(X2, ones(3, 2)), "weight", ("(3, 2)",)),
    Case("weight-6d", ValueError, "conv", conv(X2, ones(1, 1, 1, 1, 1, 1)), "weight",
         ("(1, 1, 1, 1, 1, 1)",)),
    Case("weight-1d", ValueError, "conv", conv(X2, ones(3)), "weight", ("(3,)",)),
    Case("t-weight-2d", ValueError, "conv_transpose", conv_t(X2, ones(2, 3)), "weight",
         ("(2, 3)",)),
    Case("t-weight-6d", ValueError, "conv_transpose", conv_t(X2, ones(2, 3, 1, 1, 1, 1)),
         "weight", ("(2, 3, 1, 1, 1, 1)",)),
    # ---- x / weight rank mismatch
    Case("x-5d-weight-2d", ValueError, "conv", conv(ones(1, 1, 2, 5, 5), W2), r"\bx\b",
         ("(1, 1, 2, 5, 5)", "(3, 2, 3, 3)")),
    Case("x-1d-weight-1d", ValueError, "conv", conv(ones(5), W1), r"\bx\b", ("(5,)",)),
    Case("x-2d-weight-3d", ValueError, "conv", conv(ones(2, 5), ones(3, 2, 3, 3, 3)), r"\bx\b",
         ("(2, 5)",)),
    Case("t-x-5d-weight-1d", ValueError, "conv_transpose", conv_t(ones(1, 2, 5, 5, 5), WT1),
         r"\bx\b", ("(1, 2, 5, 5, 5)",)),
    # ---- channels and groups
    Case("groups-cout", ValueError, "conv", conv(X2, ones(3, 1, 3, 3), groups=2), "groups",
         ("groups=2", "3")),
    Case("groups-cin", ValueError, "conv", conv(ones(1, 3, 5, 5), ones(4, 1, 3, 3), groups=2),
         "groups", ("groups=2", "3")),
    Case("t-groups-cin", ValueError, "conv_transpose",
         conv_t(ones(1, 3, 5, 5), ones(3, 1, 3, 3), groups=2), "groups", ("groups=2", "3")),
    Case("channels", ValueError, "conv", conv(ones(1, 3, 5, 5), W2), "weight",
         ("3 channels", "(3, 2, 3, 3)")),
    Case("channels-unbatched", ValueError, "conv", conv(X1, W2), "weight",
         ("1 channels", "(3, 2, 3, 3)")),
    Case("t-channels", ValueError, "conv_transpose", conv_t(ones(1, 3, 5, 5), WT2), "weight",
         ("3 channels", "(2, 3, 3, 3)")),
    Case("groups-channels", ValueError, "conv", conv(ones(1, 4, 5), ones(4, 1, 3), groups=2),
         "weight", ("4 channels", "groups=2")),
    # ---- stride / dilation / groups values
    Case("stride-0", ValueError, "conv", conv(X2, W2, stride=0), "stride", ("stride=0",)),
    Case("stride-neg-axis", ValueError, "conv", conv(X2, W2, stride=(1, -1)), "stride",
         ("(1, -1)",)),
    Case("dilation-0", ValueError, "conv", conv(X2, W2, dilation=0), "dilation",
         ("dilation=0",)),
    Case("t-dilation-neg", ValueError, "conv_transpose", conv_t(X2, WT2, dilation=(-2, 1)),
         "dilation", ("(-2, 1)",)),
    Case("groups-0", ValueError, "conv", conv(X2, W2, groups=0), "groups", ("groups=0",)),
    Case("t-groups-neg", ValueError, "conv_transpose", conv_t(X2, WT2, groups=-1), "groups",
         ("groups=-1",)),
    Case("t-stride-0", ValueError, "conv_transpose", conv_t(X2, WT2, stride=0), "stride",
         ("stride=0",)),
    # ---- float / bool / str where ints belong
    Case("stride-float", TypeError, "conv", conv(X2, W2, stride=2.0), "stride", ("2.0",)),
    Case("stride-bool", TypeError, "conv", conv(X2, W2, stride=True), "stride", ("True",)),
    Case("stride-float-axis", TypeError, "conv", conv(X2, W2, stride=(1, 2.0)), "stride",
         ("(1, 2.0)",)),
    Case("stride-str", TypeError, "conv", conv(X2, W2, stride="2"), "stride", ("'2'",)),
    Case("stride-np-float", TypeError, "conv", conv(X2, W2, stride=np.float64(2)), "stride",
         ("2",)),
    Case("dilation-float", TypeError, "conv", conv(X1, W1, dilation=(1.5,)), "dilation",
         ("1.5",)),
    Case("dilation-bool", TypeError, "conv", conv(X2, W2, dilation=(True, 1)), "dilation",
         ("True",)),
    Case("groups-float", TypeError, "conv", conv(X2, W2, groups=1.0), "groups", ("1.0",)),
    Case("groups-bool", TypeError, "conv", conv(X2, W2, groups=True), "groups", ("True",)),
    Case("t-stride-float", TypeError, "conv_transpose", conv_t(X2, WT2, stride=2.5), "stride",
         ("2.5",)),
    Case("t-stride-bool", TypeError, "conv_transpose", conv_t(X2, WT2, stride=(False, 1)),
         "stride", ("False",)),
    Case("t-output-padding-float", TypeError, "conv_transpose",
         conv_t(X2, WT2, stride=2, output_padding=1.0), "output_padding", ("1.0",)),
    Case("t-output-padding-bool", TypeError, "conv_transpose",
         conv_t(X2, WT2, stride=2, output_padding=True), "output_padding", ("True",)),
    Case("t-output-size-float", TypeError, "conv_transpose",
         conv_t(X2, WT2, output_size=(7.0, 7)), "output_size", ("7.0",)),
    Case("t-output-size-str", TypeError, "conv_transpose", conv_t(X2, WT2, output_size="7"),
         "output_size", ("'7'",)),
    # ---- padding
    Case("padding-neg", ValueError, "conv", conv(X2, W2, padding=-1), "padding", ("-1",)),
    Case("padding-neg-axis", ValueError, "conv", conv(X2, W2, padding=(0, -1)), "padding",
         ("(0, -1)",)),
    Case("padding-neg-side", ValueError, "conv", conv(X2, W2, padding=((0, -1), (0, 0))),
         "padding", ("((0, -1), (0, 0))",)),
    Case("t-padding-neg", ValueError, "conv_transpose", conv_t(X2, WT2, padding=-2), "padding",
         ("-2",)),
    Case("padding-count", ValueError, "conv", conv(X2, W2, padding=(1, 1, 1)), "padding",
         ("(1, 1, 1)",)),
    Case("padding-pairs-count", ValueError, "conv", conv(X2, W2, padding=((1, 1),)), "padding",
         ("((1, 1),)",)),
    Case("padding-malformed-pair", ValueError, "conv",
         conv(X2, W2, padding=((1, 2, 3), (0, 0))), "padding", ("(1, 2, 3)",)),
    Case("padding-short-pair", ValueError, "conv", conv(X2, W2, padding=((1,), (0, 0))),
         "padding", ("((1,), (0, 0))",)),
    Case("padding-float-in-pair", TypeError, "conv", conv(X2, W2, padding=((1.0, 2), (0, 0))),
         "padding", ("1.0",)),
    Case("padding-mixed", TypeError, "conv", conv(X2, W2, padding=(1, (0, 0))), "padding",
         ("(1, (0, 0))",)),
    Case("padding-flat-pair-1d", ValueError, "conv", conv(X1, W1, padding=(1, 2)), "padding",
         ("(1, 2)",)),
    Case("t-padding-flat-pair-1d", ValueError, "conv_transpose", conv_t(X1, WT1, padding=(1, 2)),
         "padding", ("(1, 2)",)),
    Case("padding-SAME", ValueError, "conv", conv(X2, W2, padding="SAME"), "padding",
         ("'SAME'", "'same'")),
    Case("padding-full", ValueError, "conv", conv(X2, W2, padding="full"), "padding",
         ("'full'",)),
    Case("t-padding-full", ValueError, "conv_transpose", conv_t(X2, WT2, padding="full"),
         "padding", ("'full'",)),
    Case("padding-float", TypeError, "conv", conv(X2, W2, padding=1.0), "padding", ("1.0",)),
    Case("padding-bool", TypeError, "conv", conv(X2, W2, padding=True), "padding", ("True",)),
    Case("padding-none", TypeError, "conv", conv(X2, W2, padding=None), "padding", ("None",)),
    # ---- per-axis counts
    Case("stride-count", ValueError, "conv", conv(X2, W2, stride=(1, 1, 1)), "stride",
         ("(1, 1, 1)",)),
    Case("dilation-count", ValueError, "conv", conv(X2, W2, dilation=(2,)), "dilation",
         ("(2,)",)),
    Case("t-output-padding-count", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=2, output_padding=(1, 1, 1)), "output_padding",
         ("(1, 1, 1)",)),
    Case("t-output-size-count", ValueError, "conv_transpose",
         conv_t(X2, WT2, output_size=(1, 2, 3, 4, 5)), "output_size", ("(1, 2, 3, 4, 5)",)),
    # ---- algorithm
    Case("algorithm", ValueError, "conv", conv(X2, W2, algorithm="fft"), "algorithm",
         ("'fft'", "'direct'")),
    Case("algorithm-of-other-op", ValueError, "conv_transpose",
         conv_t(X2, WT2, algorithm="direct"), "algorithm", ("'direct'", "'scatter'")),
    Case("algorithm-case", ValueError, "conv", conv(X2, W2, algorithm="Auto"), "algorithm",
         ("'Auto'",)),
    Case("t-algorithm", ValueError, "conv_transpose", conv_t(X2, WT2, algorithm="fft"),
         "algorithm", ("'fft'",)),
    # ---- output_padding / output_size
    Case("output-padding-eq-stride", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=2, output_padding=2), "output_padding", ("2",)),
    Case("output-padding-axis", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=(2, 3), output_padding=(1, 3)), "output_padding", ("(1, 3)",)),
    Case("output-padding-stride-1", ValueError, "conv_transpose",
         conv_t(X2, WT2, output_padding=1), "output_padding", ("1",)),
    Case("output-padding-dilation", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=2, dilation=3, output_padding=3), "output_padding", ("3",)),
    Case("output-padding-neg", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=2, output_padding=-1), "output_padding", ("-1",)),
    Case("output-padding-same", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=2, padding="same", output_padding=1), "output_padding",
         ("same", "1")),
    Case("output-size-and-padding", ValueError, "conv_transpose",
         conv_t(X2, WT2, stride=2, output_padding=1, output_size=(12, 12)), "output_size",
         ("output_padding", "(12, 12)")),
    Case("output-size-unreachable-high", ValueError, "conv_transpose",
         conv_t(ones(1, 1, 4, 4), ones(1, 1, 3, 3), stride=2, padding=1, output_size=(9, 9)),
         "output_size", ("(9, 9)", "7..8")),
    Case("output-size-unreachable-low", ValueError, "conv_transpose",
         conv_t(ones(1, 1, 4), ones(1, 1, 3), stride=2, padding=1, output_size=6),
         "output_size", ("6", "7..8")),
    Case("output-size-unreachable-dilation", ValueError, "conv_transpose",
         conv_t(ones(1, 1, 4), ones(1, 1, 3), dilation=2, output_size=10), "output_size",
         ("10", "8..9")),
    Case("output-size-one-axis", ValueError, "conv_transpose",
         conv_t(ones(1, 1, 4, 4), ones(1, 1, 3, 3), stride=2, padding=1, output_size=(8, 6)),
         "output_size", ("(8, 6)", "7..8")),
    Case("output-size-zero", ValueError, "conv_transpose", conv_t(X2, WT2, output_size=(0, 0)),
         "output_size", ("(0, 0)",)),
    # ---- empty outputs
    Case("conv-empty", ValueError, "conv", conv(ones(1, 2, 2, 2), W2), "empty",
         ("(2, 2)", "(3, 3)")),
    Case("conv-empty-dilation", ValueError, "conv", conv(ones(1, 2, 5, 5), W2, dilation=3),
         "empty", ("(7, 7)",)),
    Case("conv-empty-valid", ValueError, "conv", conv(ones(1, 2, 2), W1, padding="valid"),
         "empty", ("(2,)", "(3,)")),
    Case("t-empty", ValueError, "conv_transpose", conv_t(ones(1, 2, 1, 1), WT2, padding=2),
         "empty", ("padding", "((2, 2), (2, 2))")),
    Case("t-empty-pairs", ValueError, "conv_transpose",
         conv_t(ones(1, 2, 1), WT1, padding=((2, 1),)), "empty", ("padding", "((2, 1),)")),
    Case("x-empty-axis", ValueError, "conv", conv(ones(1, 2, 0), W1), r"\bx\b", ("(1, 2, 0)",)),
    Case("weight-empty-axis", ValueError, "conv", conv(X1, ones(0, 2, 3)), "weight",
         ("(0, 2, 3)",)),
    # ---- bias
    Case("bias-short", ValueError, "conv", conv(X2, W2, ones(2)), "bias", ("(2,)", "(3,)")),
    Case("bias-2d", ValueError, "conv", conv(X2, W2, ones(3, 1)), "bias", ("(3, 1)",)),
    Case("bias-scalar", ValueError, "conv", conv(X2, W2, np.float64(1.0)), "bias", ("()",)),
    Case("t-bias", ValueError, "conv_transpose", conv_t(X2, WT2, ones(2)), "bias",
         ("(2,)", "(3,)")),
    Case("t-bias-groups", ValueError, "conv_transpose",
         conv_t(ones(1, 2, 5), ones(2, 3, 3), ones(3), groups=2), "bias", ("(3,)", "(6,)")),
]


NON_NUMERIC_CASES = [
    Case("x-str", TypeError, "conv", lambda a: tconv.conv("abc", W1), r"conv: x\b", ("<U",),
         arrays=False),
    Case("x-strings", TypeError, "conv", lambda a: tconv.conv([[["a", "b"]]], W1),
         r"conv: x\b", (), arrays=False),
    Case("x-object", TypeError, "conv",
         lambda a: tconv.conv(np.array([[[object()]]]), W1), r"conv: x\b", ("object",),
         arrays=False),
    Case("x-none", TypeError, "conv", lambda a: tconv.conv(None, W1), r"conv: x\b", (),
         arrays=False),
    Case("x-ragged", TypeError, "conv", lambda a: tconv.conv([[[1, 2], [1]]], W1),
         r"conv: x\b", (), arrays=False),
    Case("x-complex", TypeError, "conv", conv(np.ones((1, 2, 5), complex), W1), r"conv: x\b",
         ("complex",)),
    Case("weight-complex", TypeError, "conv", conv(X1, np.ones((3, 2, 3), complex)),
         r"conv: weight\b", ("complex",)),
    Case("weight-object", TypeError, "conv", lambda a: tconv.conv(X1, [[[object()]]]),
         r"conv: weight\b", ("object",), arrays=False),
    Case("bias-str", TypeError, "conv", lambda a: tconv.conv(X1, W1, ["a", "b", "c"]),
         r"conv: bias\b", (), arrays=False),
    Case("bias-complex", TypeError, "conv", conv(X1, W1, np.ones(3, complex)),
         r"conv: bias\b", ("complex",)),
    Case("t-x-str", TypeError, "conv_transpose", lambda a: tconv.conv_transpose("ab", WT1),
         r"conv_transpose: x\b", (), arrays=False),
    Case("t-weight-complex", TypeError, "conv_transpose",
         conv_t(X1, np.ones((2, 3, 3), complex)), r"conv_transpose: weight\b", ("complex",)),
    Case("t-bias-object", TypeError, "conv_transpose",
         lambda a: tconv.conv_transpose(X1, WT1, np.array([object()] * 3)),
         r"conv_transpose: bias\b", ("object",), arrays=False),
    # arrays of two libraries: the weight or bias library is not x's
    Case("mixed-torch-weight", TypeError, "conv",
         lambda a: tconv.conv(X1, torch.ones(3, 2, 3)), r"conv: weight\b", ("torch",),
         arrays=False),
    Case("mixed-torch-bias", TypeError, "conv",
         lambda a: tconv.conv(X1, W1, torch.ones(3)), r"conv: bias\b", ("torch",),
         arrays=False),
    Case("t-mixed-torch-weight", TypeError, "conv_transpose",
         lambda a: tconv.conv_transpose(X1, torch.ones(2, 3, 3)), r"conv_transpose: weight\b",
         ("torch",), arrays=False),
]



def shape_case(id, exc, op, fn, param, needles=()):
    return Case(id, exc, op, lambda a: fn(), param, needles, arrays=False)


COS, CTOS, CM = "conv_output_shape", "conv_transpose_output_shape", "conv_matrix"

SHAPE_CASES = [
    shape_case("cos-kernel-count", ValueError, COS,
               lambda: tconv.conv_output_shape((5, 5), (3, 3, 3)), "kernel_size", ("(3, 3, 3)",)),
    shape_case("cos-kernel-0", ValueError, COS, lambda: tconv.conv_output_shape((5, 5), 0),
               "kernel_size", ("0",)),
    shape_case("cos-kernel-float", TypeError, COS, lambda: tconv.conv_output_shape(5, 3.0),
               "kernel_size", ("3.0",)),
    shape_case("cos-input-0", ValueError, COS, lambda: tconv.conv_output_shape((0, 5), 3),
               "input_shape", ("(0, 5)",)),
    shape_case("cos-input-neg", ValueError, COS, lambda: tconv.conv_output_shape(-3, 1),
               "input_shape", ("-3",)),
    shape_case("cos-input-4d", ValueError, COS,
               lambda: tconv.conv_output_shape((5, 5, 5, 5), 3), "input_shape",
               ("(5, 5, 5, 5)",)),
    shape_case("cos-input-empty", ValueError, COS, lambda: tconv.conv_output_shape((), 3),
               "input_shape", ("()",)),
    shape_case("cos-input-float", TypeError, COS, lambda: tconv.conv_output_shape(5.0, 3),
               "input_shape", ("5.0",)),
    shape_case("cos-input-bool", TypeError, COS, lambda: tconv.conv_output_shape(True, 3),
               "input_shape", ("True",)),
    shape_case("cos-input-none", TypeError, COS, lambda: tconv.conv_output_shape(None, 3),
               "input_shape", ("None",)),
    shape_case("cos-input-float-axis", TypeError, COS,
               lambda: tconv.conv_output_shape((5, 5.0), 3), "input_shape", ("5.0",)),
    shape_case("cos-input-str", TypeError, COS, lambda: tconv.conv_output_shape("5", 3),
               "input_shape", ("'5'",)),
    shape_case("cos-stride-0", ValueError, COS, lambda: tconv.conv_output_shape(5, 3, stride=0),
               "stride", ("0",)),
    shape_case("cos-stride-float", TypeError, COS,
               lambda: tconv.conv_output_shape(5, 3, stride=2.0), "stride", ("2.0",)),
    shape_case("cos-dilation-count", ValueError, COS,
               lambda: tconv.conv_output_shape((5, 5), 3, dilation=(1, 1, 1)), "dilation",
               ("(1, 1, 1)",)),
    shape_case("cos-padding-full", ValueError, COS,
               lambda: tconv.conv_output_shape(5, 3, padding="full"), "padding", ("'full'",)),
    shape_case("cos-padding-neg", ValueError, COS,
               lambda: tconv.conv_output_shape(5, 3, padding=-1), "padding", ("-1",)),
    shape_case("cos-padding-flat-pair", ValueError, COS,
               lambda: tconv.conv_output_shape(5, 3, padding=(1, 2)), "padding", ("(1, 2)",)),
    shape_case("cos-padding-malformed", ValueError, COS,
               lambda: tconv.conv_output_shape((5, 5), 3, padding=((1, 2, 3), (0, 0))),
               "padding", ("(1, 2, 3)",)),
    shape_case("cos-padding-none", TypeError, COS,
               lambda: tconv.conv_output_shape(5, 3, padding=None), "padding", ("None",)),
    shape_case("cos-empty", ValueError, COS, lambda: tconv.conv_output_shape(2, 3), "empty",
               ("(2,)", "(3,)")),
    shape_case("ctos-output-padding", ValueError, CTOS,
               lambda: tconv.conv_transpose_output_shape(5, 3, stride=2, output_padding=2),
               "output_padding", ("2",)),
    shape_case("ctos-output-padding-float", TypeError, CTOS,
               lambda: tconv.conv_transpose_output_shape(5, 3, stride=2, output_padding=1.0),
               "output_padding", ("1.0",)),
    shape_case("ctos-output-padding-same", ValueError, CTOS,
               lambda: tconv.conv_transpose_output_shape(5, 3, stride=2, padding="same",
                                                         output_padding=1),
               "output_padding", ("same",)),
    shape_case("ctos-empty", ValueError, CTOS,
               lambda: tconv.conv_transpose_output_shape(1, 1, padding=1), "empty",
               ("padding",)),
    shape_case("ctos-input-float", TypeError, CTOS,
               lambda: tconv.conv_transpose_output_shape(4.0, 3), "input_shape", ("4.0",)),
    shape_case("ctos-kernel-count", ValueError, CTOS,
               lambda: tconv.conv_transpose_output_shape((4, 4), (3, 3, 3)), "kernel_size",
               ("(3, 3, 3)",)),
    shape_case("ctos-padding-flat-pair", ValueError, CTOS,
               lambda: tconv.conv_transpose_output_shape(5, 3, padding=(1, 2)), "padding",
               ("(1, 2)",)),
    shape_case("ctos-padding-SAME", ValueError, CTOS,
               lambda: tconv.conv_transpose_output_shape(5, 3, padding="SAME"), "padding",
               ("'SAME'",)),
    shape_case("ctos-stride-bool", TypeError, CTOS,
               lambda: tconv.conv_transpose_output_shape(5, 3, stride=True), "stride",
               ("True",)),
    # ---- conv_matrix
    shape_case("cm-input-1", ValueError, CM, lambda: tconv.conv_matrix((5,), W1),
               "input_shape", ("(5,)",)),
    shape_case("cm-input-5", ValueError, CM, lambda: tconv.conv_matrix((2, 5, 5, 5, 5), W1),
               "input_shape", ("(2, 5, 5, 5, 5)",)),
    shape_case("cm-input-rank", ValueError, CM, lambda: tconv.conv_matrix((2, 5, 5), W1),
               "input_shape", ("(2, 5, 5)",)),
    shape_case("cm-input-rank-one-channel", ValueError, CM,
               lambda: tconv.conv_matrix((1, 3), ones(1, 1, 2, 2)), "input_shape", ("(1, 3)",)),
    shape_case("cm-input-float", TypeError, CM, lambda: tconv.conv_matrix((2, 5.0), W1),
               "input_shape", ("5.0",)),
    shape_case("cm-input-zero", ValueError, CM, lambda: tconv.conv_matrix((2, 0), W1),
               "input_shape", ("(2, 0)",)),
    shape_case("cm-input-neg", ValueError, CM, lambda: tconv.conv_matrix((2, -5), W1),
               "input_shape", ("-5",)),
    shape_case("cm-input-neg-channels", ValueError, CM, lambda: tconv.conv_matrix((-2, 5), W1),
               "input_shape", ("-2",)),
    shape_case("cm-channels", ValueError, CM, lambda: tconv.conv_matrix((3, 5), W1),
               "weight", ("3", "(3, 2, 3)")),
    shape_case("cm-groups", ValueError, CM, lambda: tconv.conv_matrix((2, 5), W1, groups=2),
               "groups", ("groups=2",)),
    shape_case("cm-groups-float", TypeError, CM,
               lambda: tconv.conv_matrix((2, 5), W1, groups=1.0), "groups", ("1.0",)),
    shape_case("cm-weight-2d", ValueError, CM, lambda: tconv.conv_matrix((2, 5), ones(3, 2)),
               r"weight.*\(C_out, C_in/groups", ("(3, 2)",)),
    shape_case("cm-weight-complex", TypeError, CM,
               lambda: tconv.conv_matrix((2, 5), np.ones((3, 2, 3), complex)), "weight",
               ("complex",)),
    shape_case("cm-weight-str", TypeError, CM, lambda: tconv.conv_matrix((2, 5), "abc"),
               "weight", ()),
    shape_case("cm-empty", ValueError, CM, lambda: tconv.conv_matrix((2, 2), W1), "empty",
               ("(2,)", "(3,)")),
    shape_case("cm-padding-SAME", ValueError, CM,
               lambda: tconv.conv_matrix((2, 5), W1, padding="SAME"), "padding", ("'SAME'",)),
    shape_case("cm-padding-flat-pair", ValueError, CM,
               lambda: tconv.conv_matrix((2, 5), W1, padding=(1, 2)), "padding", ("(1, 2)",)),
    shape_case("cm-stride-float", TypeError, CM,
               lambda: tconv.conv_matrix((2, 5), W1, stride=1.5), "stride", ("1.5",)),
    shape_case("cm-dilation-0", ValueError, CM,
               lambda: tconv.conv_matrix((2, 5), W1, dilation=0), "dilation", ("0",)),
]


def _numpy(array):
    return np.asarray(array)


def _torch(array):
    return torch.from_numpy(np.array(array))  # keeps 0-d arrays 0-d


def _params():
    for case in CONV_CASES + NON_NUMERIC_CASES + SHAPE_CASES:
        yield pytest.param(case, _numpy, id=f"{case.id}-numpy")
        if case.arrays:
            yield pytest.param(case, _torch, id=f"{case.id}-torch")


PARAMS = list(_params())


@pytest.mark.parametrize("case, convert", PARAMS)
def test_error(case, convert):
    """Right type; the message names the parameter and shows the value."""
    with pytest.raises(case.exc, match=case.param) as info:
        case.call(convert)
    message = str(info.value)
    for needle in case.needles:
        assert needle in message, f"{needle!r} not in {message!r}"


@pytest.mark.parametrize("case, convert", PARAMS)
def test_error_prefix(case, convert):
    """Sweep: only ValueError/TypeError escape, and each message starts with the op."""
    try:
        case.call(convert)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(f"{case.op}: "), (
            f"{type(error).__name__} does not start with {case.op!r}: {error}")
    else:  # pragma: no cover - every case is bad input
        pytest.fail(f"{case.id}: no error raised")


def test_unique_case_ids():
    ids = [case.id for case in CONV_CASES + NON_NUMERIC_CASES + SHAPE_CASES]
    assert len(ids) == len(set(ids))


def test_error_messages_state_valid_choices():
    """The "what would be valid" part: accepted names and forms are listed."""
    with pytest.raises(ValueError) as info:
        tconv.conv(X2, W2, algorithm="fft")
    for name in tconv.CONV_ALGORITHMS:
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError) as info:
        tconv.conv_transpose(X2, WT2, algorithm="fft")
    for name in tconv.CONV_TRANSPOSE_ALGORITHMS:
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError) as info:
        tconv.conv(X2, W2, padding="SAME")
    assert "'valid'" in str(info.value) and "'same'" in str(info.value)


def test_mixed_libraries_array_api_strict():
    xps = pytest.importorskip("array_api_strict")
    x = xps.asarray(np.ones((1, 2, 5)))
    with pytest.raises(TypeError, match=r"conv: weight\b"):
        tconv.conv(x, torch.ones(3, 2, 3))
    with pytest.raises(TypeError, match=r"conv: weight\b"):
        tconv.conv(torch.ones(1, 2, 5), xps.asarray(np.ones((3, 2, 3))))


def test_valid_neighbours_of_error_cases_work():
    """The boundary values just inside the rules are accepted (guards over-strictness)."""
    assert tconv.conv_transpose(ones(1, 1, 4), ones(1, 1, 3), stride=2,
                                output_padding=1).shape == (1, 1, 10)
    assert tconv.conv_transpose(ones(1, 1, 4), ones(1, 1, 3), dilation=2,
                                output_padding=1).shape == (1, 1, 9)
    assert tconv.conv_transpose(ones(1, 1, 4), ones(1, 1, 3), stride=2, padding=1,
                                output_size=8).shape == (1, 1, 8)
    assert tconv.conv_transpose(ones(1, 1, 4), ones(1, 1, 3), stride=2, padding="same",
                                output_padding=0).shape == (1, 1, 8)
    assert tconv.conv(ones(1, 2, 3), W1).shape == (1, 3, 1)
    assert tconv.conv(X1, W1, padding=((1, 2),)).shape == (1, 3, 6)
    assert tconv.conv(X1, W1, stride=np.int64(2), padding=np.array([1])).shape == (1, 3, 3)
    assert tconv.conv(X1, W1, ones(3)).shape == (1, 3, 3)
    assert tconv.conv(_torch(X1), _torch(W1), ones(3)).shape == (1, 3, 3)  # NumPy converts
    assert tconv.conv(_torch(X1), W1.tolist()).shape == (1, 3, 3)
    assert tconv.conv_matrix((2, 5), W1).shape == (9, 10)


# --------------------------------------------------------------------------- fuzz

GEOMETRY_VALUES = [0, 1, 2, 3, -1, (1, 2), (1, 1, 1), (2,), (), ((0, 1),), ((0, 1), (1, 0)),
                   ((1, 2, 3), (0, 0)), "same", "valid", "full", 2.0, True, None, [2, 1],
                   (2, -1), np.int64(2), (2.0, 3)]


@st.composite
def bad_calls(draw):
    op = draw(st.sampled_from(["conv", "conv_transpose"]))
    lib = draw(st.sampled_from([_numpy, _torch]))
    shape = st.lists(st.integers(0, 4), min_size=0, max_size=6).map(tuple)
    x, w = ones(*draw(shape)), ones(*draw(shape))
    b = draw(st.none() | shape.map(lambda s: ones(*s)))
    names = ["stride", "padding", "dilation", "groups"]
    if op == "conv_transpose":
        names += ["output_padding", "output_size"]
    kwargs = {name: draw(st.sampled_from(GEOMETRY_VALUES)) for name in names
              if draw(st.booleans())}
    if kwargs.get("output_size", 0) is None:
        del kwargs["output_size"]
    return op, lib, x, w, b, kwargs


@settings(max_examples=300, deadline=None)
@given(bad_calls())
def test_fuzz_conv_errors_are_ours(call):
    op, lib, x, w, b, kwargs = call
    try:
        getattr(tconv, op)(lib(x), lib(w), None if b is None else lib(b), **kwargs)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(f"{op}: "), repr(error)


@st.composite
def bad_shape_calls(draw):
    op = draw(st.sampled_from([COS, CTOS, CM]))
    values = st.sampled_from(GEOMETRY_VALUES + [(3, 4), (5, 5, 5, 5), "5", (2, 5), (1, 4, 4)])
    names = ["stride", "padding", "dilation"]
    names += {COS: [], CTOS: ["output_padding"], CM: ["groups"]}[op]
    kwargs = {name: draw(values) for name in names if draw(st.booleans())}
    if op == CM:
        shape = st.lists(st.integers(0, 3), min_size=1, max_size=6).map(tuple)
        second = draw(shape.map(lambda s: ones(*s)))
    else:
        second = draw(values)
    return op, draw(values), second, kwargs


@settings(max_examples=300, deadline=None)
@given(bad_shape_calls())
def test_fuzz_shape_errors_are_ours(call):
    op, first, second, kwargs = call
    try:
        getattr(tconv, op)(first, second, **kwargs)
    except (ValueError, TypeError) as error:
        assert str(error).startswith(f"{op}: "), repr(error)


# --------------------------------------------------------------------------- issue 15, part 4

X2D, W2D = ones(1, 1, 4, 4), ones(1, 1, 3, 3)


@pytest.mark.parametrize(("call", "error", "prefix", "param"), [
    # Sets and dicts have no order the caller chose: never read as sequences.
    (lambda: tconv.conv(X2D, W2D, padding={3: "a", 0: "b"}), TypeError, "conv", "padding"),
    (lambda: tconv.interpolate(X2D, scale_factor={3, 2}), TypeError, "interpolate",
     "scale_factor"),
    (lambda: tconv.bed_of_nails(X2D, {2, 3}), TypeError, "bed_of_nails", "scale_factor"),
    # Nested lists are not flattened.
    (lambda: tconv.conv_transpose(X2D, W2D, stride=2, output_size=[[9, 9]]), TypeError,
     "conv_transpose", "output_size"),
    # Array- and tensor-valued flags.
    (lambda: tconv.max_pool(X2D, 2, ceil_mode=np.array(True)), TypeError, "max_pool",
     "ceil_mode"),
    (lambda: tconv.max_pool(X2D, 2, return_indices=torch.tensor(True)), TypeError, "max_pool",
     "return_indices"),
    (lambda: tconv.interpolate(X2D, scale_factor=2, mode="bilinear",
                               align_corners=np.array([True])), TypeError, "interpolate",
     "align_corners"),
    # Huge ints: ValueError, not OverflowError from C.
    (lambda: tconv.conv_transpose(X2D, W2D, stride=10**20), ValueError, "conv_transpose",
     "stride"),
    (lambda: tconv.solve(7, 10**20), ValueError, "solve", "output_size"),
    # tconv.keras errors name the Keras op and Keras's parameter names.
    (lambda: tconv.keras.conv(ones(1, 4, 1), ones(3, 1, 1), bias=ones(3)), ValueError,
     "tconv.keras.conv", "bias"),
    (lambda: tconv.keras.conv(ones(1, 2, 1), ones(3, 1, 1), dilation_rate=2), ValueError,
     "tconv.keras.conv", "dilation_rate="),
    (lambda: tconv.keras.upsampling(ones(1, 4, 4, 1), size=(2, 2, 2)), ValueError,
     "tconv.keras.upsampling", "size"),
    # Misspelt keywords name the nearest parameter.
    (lambda: tconv.conv_transpose(X2D, W2D, strides=2), TypeError, "tconv.conv_transpose()",
     "did you mean 'stride'"),
    (lambda: tconv.keras.conv_transpose(ones(1, 4, 1), ones(3, 1, 1), stride=2), TypeError,
     "tconv.keras.conv_transpose()", "did you mean 'strides'"),
    (lambda: tconv.interpolate(X2D, scale=2), TypeError, "tconv.interpolate()",
     "did you mean 'scale_factor'"),
])
def test_issue_15_input_is_refused_not_guessed(call, error, prefix, param):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    assert message.startswith(prefix), message
    assert param in message, message


def test_following_translates_advice_works():
    """The error asks for input_size=(H, W); giving it must then work."""
    options = {"op": "conv", "kernel_size": 3, "strides": 2, "padding": "same"}
    with pytest.raises(ValueError, match=r"give input_size=\(H, W\)"):
        tconv.translate("keras", "torch", **options)
    result = tconv.translate("keras", "torch", input_size=(32, 32), **options)
    assert result.output_size == (16, 16)
