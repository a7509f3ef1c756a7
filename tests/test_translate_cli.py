"""``tconv translate`` end to end: what it prints, that the printed call runs, its errors.

Expected calls are worked by hand from docs/rules/ (Keras's transposed
window, section 2.2); the printed PyTorch call is evaluated and run against
the real Keras layer.
"""

from __future__ import annotations

import os
import re

os.environ.setdefault("KERAS_BACKEND", "torch")  # before any keras import

import numpy as np
import pytest

from _tol import assert_close
from tconv.cli import main

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")


def run(capsys, *argv):
    status = main(["translate", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_keras_same_even_kernel_prints_the_exact_torch_call(capsys):
    status, out, err = run(capsys, "--from", "keras", "--to", "torch", "kernel_size=4",
                           "strides=2", "padding=same", "filters=8", "in_channels=16")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "tconv translate: keras conv_transpose -> torch, 2-D"
    # Keras "same", k=4, s=2 keeps the full output from offset 1 and drops 1 at the end
    assert lines[1] == "torch.nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1)"
    assert lines[2] == "exact: yes"
    assert lines[3].startswith("weight: keras (k1, k2, C_out, C_in) -> torch ")
    assert "permute (3, 2, 0, 1)" in lines[3]
    assert lines[4].startswith("note: Keras crops (start, end) = (1, 1), (1, 1)")


def test_printed_recipe_runs_and_matches_keras(capsys):
    status, out, _ = run(capsys, "--from", "keras", "--to", "torch", "--op",
                         "conv_transpose", "kernel_size=3", "strides=2", "padding=same",
                         "filters=3", "in_channels=2", "--rank", "1")
    assert status == 0
    lines = out.splitlines()
    call = lines[1]
    assert call == "torch.nn.ConvTranspose1d(2, 3, kernel_size=3, stride=2)"
    assert lines[2] == "exact: no" and lines[3] == "recipe:"
    recipe = "\n".join(line[2:] for line in lines[4:6])
    rng = np.random.default_rng(1)
    kernel = rng.standard_normal((3, 3, 2)).astype(np.float32)  # (k, C_out, C_in)
    bias = rng.standard_normal(3).astype(np.float32)
    x = rng.standard_normal((2, 5, 2)).astype(np.float32)  # channels_last
    layer = keras.layers.Conv1DTranspose(3, 3, strides=2, padding="same")
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    expected = np.moveaxis(keras.ops.convert_to_numpy(layer(x)), -1, 1)
    module = eval(call, {"torch": torch})
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(kernel.transpose(2, 1, 0).copy()))
        module.bias.copy_(torch.from_numpy(bias))
        space = {"x": torch.from_numpy(np.moveaxis(x, -1, 1).copy()), "layer": module,
                 "F": torch.nn.functional}
        exec(recipe, space)  # noqa: S102 - the printed recipe is what is tested
    assert_close(space["y"].numpy(), expected, dtype=np.float32, scale=20.0)


def test_conv_with_input_size_reports_the_output_size(capsys):
    status, out, _ = run(capsys, "--from", "keras", "--to", "torch", "--op", "conv",
                         "--input-size", "32x32", "kernel_size=3", "strides=2",
                         "padding=same", "filters=8", "in_channels=16")
    assert status == 0
    lines = out.splitlines()
    # ceil(32 / 2) = 16; Keras pads (0, 1), which PyTorch cannot by padding alone
    assert lines[0] == "tconv translate: keras conv -> torch, 2-D, output size 16x16"
    assert lines[1] == "torch.nn.Conv2d(16, 8, kernel_size=3, stride=2)"
    assert "y = layer(F.pad(x, (0, 1, 0, 1)))" in out


def test_values_are_python_literals_and_rank_comes_from_the_kernel(capsys):
    status, out, _ = run(capsys, "--from", "onnx", "--to", "jax", "kernel_shape=[3]",
                         "strides=[2]", "pads=[1,1]", "output_padding=[1]")
    assert status == 0
    assert "1-D" in out.splitlines()[0]
    # torch p=1, op=1 == pairs (ke - 1 - p, ke - 1 - p + op) = (1, 2) (docs/rules/jax.md)
    assert "padding=((1, 2),)" in out


@pytest.mark.parametrize("argv, pattern", [
    (["--from", "torch", "--to", "keras", "strides=2", "kernel_size=3"],
     (r"tconv translate: error: translate: strides=2 is not a PyTorch conv_transpose "
      r"parameter; did you mean stride\?")),
    (["--from", "keras", "--to", "torch", "--op", "conv", "kernel_size=3", "strides=2",
      "padding=same"], "input_size is needed"),
    (["--from", "torch", "--to", "keras", "kernel_size"],
     "is not a parameter; write NAME=VALUE"),
    (["--from", "torch", "--to", "keras", "kernel_size=3", "kernel_size=4"],
     "kernel_size given more than once"),
    (["--from", "caffe", "--to", "keras", "kernel_size=3"], "invalid choice: 'caffe'"),
    (["--from", "torch", "--to", "keras", "--input-size", "3y3", "kernel_size=3"],
     "is not a size"),
    (["--from", "torch", "--to", "keras", "kernel_size=3", "groups=2"], "no groups"),
])
def test_errors_exit_2_with_the_message(capsys, argv, pattern):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert "tconv translate: error:" in err
    assert re.search(pattern, err), err


def test_following_the_input_size_advice_works(capsys):
    common = ("--from", "keras", "--to", "torch", "kernel_size=3", "strides=2",
              "padding=same", "input_size=(32,32)")
    status, out, err = run(capsys, *common)
    assert status == 0 and err == ""
    status_flag, out_flag, _ = run(capsys, *common[:-1], "--input-size", "32x32")
    assert status_flag == 0 and out_flag == out
    status, _, err = run(capsys, *common, "--input-size", "32x32")
    assert status == 2 and "input_size given twice" in err
