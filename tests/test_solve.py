"""``tconv.solve`` and the ``tconv shape`` / ``tconv solve`` commands.

Every answer is checked from outside the solver: PyTorch's
``conv_transpose1d`` on zeros, a real Keras ``Conv1DTranspose`` layer (a
bounded sample) or the Keras table of docs/rules/keras.md, and the ONNX formula of
docs/rules/onnx.md, each written out again below. Completeness is a brute force
over the documented search space.
"""

from __future__ import annotations

import itertools
import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # before any keras import

import numpy as np
import pytest

import tconv
from _printed import assert_fits
from tconv.cli import main

PAIRS = [(1, 1), (1, 5), (2, 3), (3, 6), (3, 7), (4, 8), (5, 11), (5, 3), (7, 14)]


# --------------------------------------------------------------------------- formulas

def torch_length(n, layer) -> int:
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, n)
    weight = torch.zeros(1, 1, layer.kernel_size)
    y = torch.nn.functional.conv_transpose1d(
        x, weight, stride=layer.stride, padding=layer.padding,
        output_padding=layer.output_padding, dilation=layer.dilation)
    return y.shape[-1]


def keras_table_length(n, layer) -> int:
    """docs/rules/keras.md, table "Keras 3 transposed convolution: output length"."""
    k, s, d, op = layer.kernel_size, layer.strides, layer.dilation_rate, layer.output_padding
    ke = d * (k - 1) + 1
    if layer.padding == "valid":
        return (n - 1) * s + max(ke, s) if op is None else (n - 1) * s + ke + op
    return n * s if op is None else (n - 1) * s + ke % 2 + op


def onnx_length(n, layer) -> int:
    """docs/rules/onnx.md: ``F = s*(n-1) + op + ke``, ``out = F - pb - pe``."""
    ke = layer.dilations * (layer.kernel_shape - 1) + 1
    full = layer.strides * (n - 1) + layer.output_padding + ke
    return full - layer.pads[0] - layer.pads[1]


def brute_force(n, out, framework) -> set:
    """Every configuration of the documented space, written out independently."""
    found = set()
    for s in range(1, max(1, -(-out // n)) + 1):
        for k, d in itertools.product(range(1, max(2 * s + 1, 7) + 1), range(1, 4)):
            if k == 1 and d > 1:
                continue  # a single tap has no dilation
            ke = d * (k - 1) + 1
            if framework == "torch":
                for p, op in itertools.product(range(ke), range(max(s, d))):
                    if (n - 1) * s + ke - 2 * p + op == out:
                        found.add(tconv._solve.TorchLayer(k, s, p, op, d))
            elif framework == "onnx":
                for lo, hi, op in itertools.product(range(ke), range(ke), range(s)):
                    layer = tconv._solve.OnnxLayer(k, s, (lo, hi), op, d)
                    if onnx_length(n, layer) == out:
                        found.add(layer)
            elif s == 1 or d == 1:
                for padding, op in itertools.product(("valid", "same"), (None, *range(s))):
                    layer = tconv._solve.KerasLayer(k, s, padding, op, d)
                    if padding == "valid" and op == 0 and ke >= s:
                        continue  # identical to output_padding=None
                    if keras_table_length(n, layer) == out:
                        found.add(layer)
    return found


# --------------------------------------------------------------------------- correctness

@pytest.mark.parametrize(("n", "out"), PAIRS)
def test_every_torch_answer_gives_the_size_in_torch(n, out):
    answers = tconv.solve(n, out, max_results=None)
    assert answers
    for layer in answers:
        assert torch_length(n, layer) == out, layer


@pytest.mark.parametrize(("n", "out"), PAIRS)
def test_every_onnx_answer_gives_the_size_of_the_onnx_formula(n, out):
    answers = tconv.solve(n, out, framework="onnx", max_results=None)
    assert answers
    for layer in answers:
        assert onnx_length(n, layer) == out, layer
        assert 0 <= layer.output_padding < layer.strides


@pytest.mark.parametrize(("n", "out"), PAIRS)
def test_every_keras_answer_gives_the_size_of_the_keras_table(n, out):
    for layer in tconv.solve(n, out, framework="keras", max_results=None):
        assert keras_table_length(n, layer) == out, layer
        assert layer.output_padding is None or layer.output_padding < layer.strides
        assert layer.strides == 1 or layer.dilation_rate == 1


def test_a_sample_of_keras_answers_gives_the_size_in_keras():
    keras = pytest.importorskip("keras")
    np = pytest.importorskip("numpy")
    sample = []
    for n, out in [(3, 6), (3, 9), (4, 7), (2, 5)]:
        sample += [(n, layer) for layer in
                   tconv.solve(n, out, framework="keras", max_results=4)]
    for k in (1, 2):  # docs/rules/keras.md: "valid" with stride > kernel appends zeros
        sample += [(3, layer) for layer in
                   tconv.solve(3, 9, framework="keras", kernel_size=k, stride=3)]
    assert any(layer.kernel_size < layer.strides for _, layer in sample)
    for n, layer in sample:
        conv = keras.layers.Conv1DTranspose(
            1, layer.kernel_size, strides=layer.strides, padding=layer.padding,
            output_padding=layer.output_padding, dilation_rate=layer.dilation_rate)
        y = conv(np.zeros((1, n, 1), dtype="float32"))
        assert y.shape[1] == keras_table_length(n, layer), layer


@pytest.mark.parametrize("framework", ["torch", "keras", "onnx"])
def test_the_solver_misses_nothing_in_its_search_space(framework):
    for n, out in itertools.product(range(1, 5), range(1, 11)):
        found = tconv.solve(n, out, framework=framework, max_results=None)
        assert len(set(found)) == len(found)
        assert set(found) == brute_force(n, out, framework), (n, out)


def test_fixed_parameters_narrow_the_search():
    every = tconv.solve(5, 11, max_results=None)
    fixed = tconv.solve(5, 11, kernel_size=3, stride=2, dilation=1, max_results=None)
    assert fixed == [layer for layer in every if
                     (layer.kernel_size, layer.stride, layer.dilation) == (3, 2, 1)]
    assert fixed == [tconv._solve.TorchLayer(3, 2, 0, 0, 1)]


# --------------------------------------------------------------------------- ranking

@pytest.mark.parametrize("framework", ["torch", "keras", "onnx"])
@pytest.mark.parametrize(("n", "out"), [(3, 6), (4, 8), (5, 11), (7, 14), (7, 28)])
def test_answers_are_ranked_by_the_coverage_analysis(framework, n, out):
    """Holes last, then the checkerboard score of tconv.checkerboard, then parameters."""
    answers = tconv.solve(n, out, framework=framework, max_results=None)
    ranks = [(layer.has_holes, layer.score) for layer in answers]
    assert ranks == sorted(ranks)
    names = {"torch": ("kernel_size", "stride", "dilation"),
             "keras": ("kernel_size", "strides", "dilation_rate"),
             "onnx": ("kernel_shape", "strides", "dilations")}[framework]
    for layer in answers:
        k, s, d = (getattr(layer, name) for name in names)
        analysis = tconv.checkerboard(k, s, dilation=d, rank=1)
        assert layer.score == pytest.approx(analysis.score, abs=1e-12), layer
        if analysis.phases.min() == 0:
            assert layer.has_holes, layer


@pytest.mark.parametrize(("n", "out"), [(3, 6), (4, 8), (5, 11), (7, 14), (2, 9)])
def test_has_holes_is_a_zero_of_the_torch_layer_on_ones(n, out):
    """A torch answer has holes exactly when PyTorch's layer, with every weight
    and input 1, gives a 0 somewhere (a sample no input and tap reach)."""
    torch = pytest.importorskip("torch")
    for layer in tconv.solve(n, out, max_results=None):
        y = torch.nn.functional.conv_transpose1d(
            torch.ones(1, 1, n), torch.ones(1, 1, layer.kernel_size), stride=layer.stride,
            padding=layer.padding, output_padding=layer.output_padding,
            dilation=layer.dilation)
        assert y.shape[-1] == out
        assert layer.has_holes == bool((y == 0).any()), layer


def test_five_to_eleven_puts_layers_with_holes_last():
    """The issue's case: kernel 2, stride 2, dilation 2 zeroes every second
    output and must not come first; k3 s2 p0 (score 2/3) is found."""
    answers = tconv.solve(5, 11, stride=2, max_results=None)
    assert not answers[0].has_holes
    holed = tconv._solve.TorchLayer(2, 2, 0, 0, 2)
    position = answers.index(holed)
    assert answers[position].has_holes
    assert all(layer.has_holes for layer in answers[position:])
    plain = answers.index(tconv._solve.TorchLayer(3, 2, 0, 0, 1))
    assert answers[plain].score == pytest.approx(2 / 3)
    assert plain < position


def test_seven_to_fourteen_prefers_plain_kernels():
    calls = [layer.call for layer in tconv.solve(7, 14, max_results=3)]
    assert calls == ["nn.ConvTranspose1d(C_in, C_out, kernel_size=2, stride=2)",
                     "nn.ConvTranspose1d(C_in, C_out, kernel_size=4, stride=2, padding=1)",
                     "nn.ConvTranspose1d(C_in, C_out, kernel_size=6, stride=2, padding=2)"]


def test_max_results_caps_the_list():
    every = tconv.solve(5, 11, max_results=None)
    assert len(every) > 3
    assert tconv.solve(5, 11, max_results=3) == every[:3]


def test_unreachable_size_gives_an_empty_list():
    assert tconv.solve(5, 20, kernel_size=2, stride=2, dilation=1) == []


# --------------------------------------------------------------------------- chains

def test_seven_to_twenty_eight_in_two_layers():
    layer = tconv._solve.TorchLayer(4, 2, 1, 0, 1)
    assert tconv.solve(7, 28, layers=2, kernel_size=4)[0] == (layer, layer)
    assert (layer, layer) in tconv.solve(7, 28, layers=2)
    assert layer.call == "nn.ConvTranspose1d(C_in, C_out, kernel_size=4, stride=2, padding=1)"


@pytest.mark.parametrize("framework", ["torch", "onnx"])
def test_every_chain_reaches_the_size(framework):
    chains = tconv.solve(7, 28, layers=2, framework=framework)
    assert len(chains) == 20
    for chain in tconv.solve(4, 30, layers=3, framework=framework, max_results=10):
        n = 4
        for layer in chain:
            n = torch_length(n, layer) if framework == "torch" else onnx_length(n, layer)
        assert n == 30, chain
    keys = [sum(tconv._solve._key(layer)[0] for layer in chain) for chain in chains]
    assert keys == sorted(keys)


def test_keras_chains_reach_the_size():
    for chain in tconv.solve(3, 24, layers=2, framework="keras"):
        n = 3
        for layer in chain:
            n = keras_table_length(n, layer)
        assert n == 24, chain


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize(("kwargs", "error", "name"), [
    ({"input_size": 0}, ValueError, "input_size"),
    ({"output_size": -3}, ValueError, "output_size"),
    ({"input_size": 2.0}, TypeError, "input_size"),
    ({"output_size": (7, 7)}, TypeError, "output_size"),
    ({"layers": 0}, ValueError, "layers"),
    ({"kernel_size": 0}, ValueError, "kernel_size"),
    ({"stride": True}, TypeError, "stride"),
    ({"dilation": -1}, ValueError, "dilation"),
    ({"framework": "jax"}, ValueError, "framework"),
    ({"max_results": 0}, ValueError, "max_results"),
])
def test_bad_input_names_the_parameter(kwargs, error, name):
    arguments = {"input_size": 7, "output_size": 14, **kwargs}
    with pytest.raises(error, match=name):
        tconv.solve(arguments.pop("input_size"), arguments.pop("output_size"), **arguments)


# --------------------------------------------------------------------------- CLI

def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_shape_fills_in_the_formula(capsys):
    status, out, err = run(capsys, "shape", "--input", "7", "--layer", "k4s2p1",
                           "--layer", "k4s2p1")
    assert status == 0 and err == ""
    assert "7 -> 14: (7-1)*2 + 1*(4-1) + 1 - 1 - 1 + 0 = 14" in out
    assert "14 -> 28: (14-1)*2 + 1*(4-1) + 1 - 1 - 1 + 0 = 28" in out
    assert out.rstrip().endswith("output length 28")
    assert_fits(out)


@pytest.mark.parametrize(("argv", "expected"), [
    # conv: (28 + 1 + 1 - 2 - 1)//2 + 1 = 14, then "same" gives ceil(14/2) = 7.
    (["--op", "conv", "--input", "28", "--layer", "k3s2p1", "--layer", "k4s2same"], 7),
    (["--input", "7", "--layer", "k3s2p1o1"], 14),
    (["--input", "7", "--layer", "k3s1p0:2d2"], 9),
    (["--input", "3", "--layer", "k2s3valid", "--framework", "keras"], 9),
    (["--input", "3", "--layer", "k4s2sameo0", "--framework", "keras"], 4),
])
def test_cli_shape_agrees_with_the_frameworks(capsys, argv, expected):
    status, out, _ = run(capsys, "shape", *argv)
    assert status == 0
    assert out.rstrip().endswith(f"output length {expected}")
    assert_fits(out)


def test_cli_shape_of_an_image_matches_torch_conv_transpose2d(capsys):
    torch = pytest.importorskip("torch")
    status, out, _ = run(capsys, "shape", "--input", "7x5", "--layer", "k4s2p1",
                         "--layer", "k3s2p1o1")
    assert status == 0
    x = torch.zeros(1, 1, 7, 5)
    for k, p, op in ((4, 1, 0), (3, 1, 1)):
        x = torch.nn.ConvTranspose2d(1, 1, k, stride=2, padding=p, output_padding=op)(x)
    height, width = x.shape[-2:]
    assert (height, width) == (28, 20)
    assert out.rstrip().endswith(f"output size {height}x{width}")
    assert "  layer 1  k4s2p1    7x5 -> 14x10" in out
    assert "    axis 1: (5-1)*2 + 1*(4-1) + 1 - 1 - 1 + 0 = 10" in out
    assert_fits(out)


@pytest.mark.parametrize("auto_pad", ["SAME_UPPER", "SAME_LOWER"])
def test_cli_shape_onnx_same_matches_onnxruntime(capsys, auto_pad):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    node = helper.make_node("ConvTranspose", ["X", "W"], ["Y"], kernel_shape=[3],
                            strides=[2], auto_pad=auto_pad)
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 1, 7]),
                      helper.make_tensor_value_info("W", TensorProto.FLOAT, [1, 1, 3])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)])
    model.ir_version = 10  # what this onnxruntime reads
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"X": np.zeros((1, 1, 7), np.float32),
                              "W": np.zeros((1, 1, 3), np.float32)})
    status, out, _ = run(capsys, "shape", "--input", "7", "--layer", "k3s2same",
                         "--framework", "onnx")
    assert status == 0
    assert out.rstrip().endswith(f"output length {y.shape[-1]}")


@pytest.mark.parametrize("framework", ["torch", "keras", "onnx"])
def test_cli_solve_prints_the_table_and_the_calls(capsys, framework):
    status, out, err = run(capsys, "solve", "7", "28", "--layers", "2", "--framework",
                           framework, "--max", "5")
    assert status == 0 and err == ""
    chains = tconv.solve(7, 28, layers=2, framework=framework, max_results=5)
    calls = out[out.index("equivalent calls:"):]
    for chain in chains:
        for layer in chain:
            assert layer.call.split(",")[0] in calls
    assert "7 -> 14" in out and "14 -> 28" in out
    assert "5 shown" in out
    assert_fits(out)


def test_cli_solve_with_a_fixed_kernel(capsys):
    status, out, _ = run(capsys, "solve", "7", "28", "--layers", "2", "--kernel", "4")
    assert status == 0
    assert ("1.  nn.ConvTranspose1d(C_in, C_out, kernel_size=4, stride=2, padding=1)"
            in out)
    assert_fits(out)


def test_cli_solve_says_when_nothing_is_found(capsys):
    status, out, _ = run(capsys, "solve", "5", "20", "--kernel", "2", "--stride", "2",
                         "--dilation", "1")
    assert status == 0
    assert "no configuration" in out


@pytest.mark.parametrize(("argv", "flag"), [
    (["solve", "0", "5"], "INPUT"),
    (["solve", "5", "x"], "OUTPUT"),
    (["solve", "5", "9", "--max", "0"], "--max"),
    (["solve", "5", "9", "--framework", "jax"], "--framework"),
    (["solve", "5", "9", "--kernel", "-1"], "--kernel"),
    (["shape", "--input", "7", "--layer", "k4"], "--layer"),
    (["shape", "--input", "7"], "--layer"),
    (["shape", "--input", "2", "--layer", "k1s1p3"], "--layer 1"),
    (["shape", "--input", "2", "--layer", "k3s2p1", "--framework", "keras"], "--layer 1"),
])
def test_cli_bad_input_exits_2_naming_the_flag(capsys, argv, flag):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert flag in err


@pytest.mark.parametrize("command", ["shape", "solve"])
def test_cli_help_has_examples(capsys, command):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert "examples:" in out
    assert_fits(out)


def test_cli_solve_shows_each_layers_score_and_holes(capsys):
    status, out, err = run(capsys, "solve", "5", "11", "--stride", "2", "--max", "20")
    assert status == 0 and err == ""
    table = out[:out.index("equivalent calls:")].splitlines()
    assert table[1].split()[-1] == "score"
    found = tconv.solve(5, 11, stride=2, max_results=20)
    rows = [line.split() for line in table[2:2 + len(found)]]
    for rank, (row, layer) in enumerate(zip(rows, found), 1):
        assert row[0] == str(rank)
        if layer.has_holes:
            assert row[-1] == "holes"
            continue
        score = tconv.checkerboard(layer.kernel_size, layer.stride, padding=layer.padding,
                                   output_padding=layer.output_padding,
                                   dilation=layer.dilation, rank=1).score
        assert float(row[-1]) == pytest.approx(score, abs=5e-3)
    # Layers that leave holes whatever the weights come after every layer that does not.
    holes = [row[-1] == "holes" for row in rows]
    assert holes == sorted(holes) and any(holes) and not holes[0]
    assert_fits(out)
